namespace Emu.E2E;

/// <summary>A VMM under test and how to make its command line for a ROM.</summary>
internal sealed record Vmm(string Name, Func<string, string[]> CommandLine);
