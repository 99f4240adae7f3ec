namespace Emu.Core.Tests.Acpi;

/// <summary>How a tool run ended: exit code and everything it printed.</summary>
internal sealed record ToolResult(int ExitCode, string Output);
