namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// A block compiled to host code: where it starts, its direct exits and the
/// exits of other blocks that jump straight into it (undone when it goes
/// stale, so nothing jumps into code for bytes the guest has changed).
/// </summary>
internal sealed class JitBlock
{
    public JitBlock(int id, Block block, nint entry, JitExit[] exits, int size)
    {
        Id = id;
        Block = block;
        Entry = entry;
        Exits = exits;
        Size = size;
    }

    /// <summary>Index in the CPU's list of compiled blocks (what generated code reports in the context).</summary>
    public int Id { get; }

    public Block Block { get; }

    /// <summary>Address of the first host instruction (executable view).</summary>
    public nint Entry { get; }

    public JitExit[] Exits { get; }

    /// <summary>Bytes of host code.</summary>
    public int Size { get; }

    /// <summary>Exits of other blocks linked to this one: (block, exit index).</summary>
    public List<(JitBlock Source, int Exit)> Incoming { get; } = new();

    /// <summary>Found stale: not entered again, nothing links to it.</summary>
    public bool Dead { get; set; }
}
