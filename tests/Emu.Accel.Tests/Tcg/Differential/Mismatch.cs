namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>A case whose outcomes differ: what differs (e.g. "exception", "rsp", "CR2") and the full description.</summary>
internal sealed record Mismatch(TestCase Case, CaseOutcome Host, CaseOutcome Soft, IReadOnlyList<string> Differences, string Text);
