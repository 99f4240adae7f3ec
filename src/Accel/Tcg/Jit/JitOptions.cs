using System.Runtime.InteropServices;

namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// How the software CPU uses its second tier, the compiler of hot guest
/// blocks to host code: whether it is on, how many times the interpreter runs
/// a block before it is compiled, and how much host code one vCPU may keep
/// before its cache is flushed and refilled.
/// </summary>
internal sealed record JitOptions(bool Enabled, int Threshold, int CodeCacheBytes)
{
    /// <summary>Interpreted runs before a block is compiled: enough to skip code that runs once (firmware, kernel init).</summary>
    public const int DefaultThreshold = 8;

    /// <summary>Host code per vCPU before a flush (a Linux boot compiles well under this).</summary>
    public const int DefaultCodeCacheBytes = 64 << 20;

    /// <summary>The generated code is x86-64 and uses Linux's memfd: elsewhere the interpreter runs alone.</summary>
    public static bool HostSupported => RuntimeInformation.ProcessArchitecture == Architecture.X64 && OperatingSystem.IsLinux();

    /// <summary>
    /// On wherever the host can run it: compiled code passed everything the interpreter
    /// is held to (the differential tests against the host CPU with every block compiled,
    /// the SDM rule and hostile-guest tests, the firmware under tcg, the published emu).
    /// </summary>
    public static JitOptions Default { get; } = new(HostSupported, DefaultThreshold, DefaultCodeCacheBytes);

    public static JitOptions Off { get; } = new(false, DefaultThreshold, DefaultCodeCacheBytes);

    /// <summary>Every block compiled before it first runs (tests compare this against the host CPU and the interpreter).</summary>
    public static JitOptions Eager { get; } = new(HostSupported, 0, DefaultCodeCacheBytes);

    public bool Active => Enabled && HostSupported;
}
