namespace Emu.Accel.Tcg;

/// <summary>
/// A guest exception raised while executing an instruction (a fault: the
/// instruction restarts after the handler). One instance per CPU is reused,
/// so raising a #PF costs no allocation.
/// </summary>
internal sealed class CpuException : Exception
{
    public CpuException() : base("guest exception")
    {
    }

    public int Vector { get; private set; }

    public uint ErrorCode { get; private set; }

    public bool HasErrorCode { get; private set; }

    public CpuException Set(int vector, uint errorCode, bool hasErrorCode)
    {
        Vector = vector;
        ErrorCode = errorCode;
        HasErrorCode = hasErrorCode;
        return this;
    }
}
