namespace Emu.Accel.Tcg.Jit;

/// <summary>What one vCPU's JIT did (for tuning and for saying where the time goes); touched only by that vCPU's thread.</summary>
internal sealed class JitStatistics
{
    public long Compiled;
    public long CodeBytes;
    public long CompileFailures;
    public long Flushes;
    public long Links;
    public long Stale;

    /// <summary>Times the dispatcher entered generated code.</summary>
    public long Entries;

    /// <summary>Instructions run through the interpreter from generated code (slow paths and instructions not compiled).</summary>
    public long Interpreted;

    /// <summary>Exits to the dispatcher by status.</summary>
    public readonly long[] Exits = new long[8];

    public override string ToString() =>
        $"compiled {Compiled} blocks ({CodeBytes} bytes, {CompileFailures} failed), {Flushes} flushes, {Links} links, {Stale} stale, " +
        $"{Entries} entries, {Interpreted} interpreted instructions; exits link {Exits[1]} lookup {Exits[2]} attention {Exits[3]} " +
        $"stale {Exits[4]} fault {Exits[5]} stop {Exits[6]}";
}
