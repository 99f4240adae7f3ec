namespace Emu.Accel.Tcg;

/// <summary>
/// Pushes an interrupt frame onto a stack that is not (yet) SS:RSP, with
/// supervisor rights, so the CPU state changes only after every push succeeded
/// (a fault while pushing is then delivered on an unchanged state).
/// </summary>
internal struct StackFrameWriter
{
    private readonly X86Cpu _cpu;
    private readonly ulong _base, _mask;
    private readonly int _size;

    public StackFrameWriter(X86Cpu cpu, ulong @base, ulong sp, ulong mask, int size)
    {
        _cpu = cpu;
        _base = @base;
        _mask = mask;
        _size = size;
        Sp = sp;
    }

    public ulong Sp { get; private set; }

    public void Push(ulong value)
    {
        Sp = (Sp - (ulong)_size) & _mask;
        _cpu.WriteSystem((_base + Sp) & (_cpu.LongModeActive ? ulong.MaxValue : 0xFFFF_FFFFUL), _size, value);
    }
}
