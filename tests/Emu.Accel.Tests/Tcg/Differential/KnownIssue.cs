namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// A divergence of the software CPU from the host that these tests found and
/// that is not fixed on this branch, because the fix belongs in a file other
/// work is changing (<see cref="Where"/>). Mismatches it explains are listed,
/// not failed; <see cref="KnownBugTests"/> has a (skipped) test for each.
/// </summary>
internal sealed record KnownIssue(string Name, string Where, string Description, Func<Mismatch, bool> Matches);
