namespace Emu.Accel.Tcg;

/// <summary>
/// The x87, MMX and SSE register state (the FXSAVE image's contents): the
/// x87 control, status and tag words, the eight 80-bit data registers (the
/// MMX registers alias their low 64 bits), MXCSR and the XMM registers.
/// </summary>
internal sealed class FpuState
{
    public ushort ControlWord = 0x37F;
    public ushort StatusWord;

    /// <summary>The abridged tag byte of FXSAVE: bit i set when physical register i holds a value.</summary>
    public byte TagByte;

    public ushort LastOpcode;
    public ulong LastInstructionPointer, LastDataPointer;

    /// <summary>Physical x87 registers R0..R7 as 80-bit values: the 64-bit significand and the sign+exponent word.</summary>
    public readonly ulong[] Mantissa = new ulong[8];
    public readonly ushort[] SignExponent = new ushort[8];

    public uint Mxcsr = 0x1F80;

    /// <summary>XMM0..XMM15, low and high 64 bits of each.</summary>
    public readonly ulong[] Xmm = new ulong[32];

    /// <summary>FNINIT / power-on state (SDM 8.1.11 and 10.2.3).</summary>
    public void Reset()
    {
        ControlWord = 0x37F;
        StatusWord = 0;
        TagByte = 0;
        LastOpcode = 0;
        LastInstructionPointer = LastDataPointer = 0;
        Array.Clear(Mantissa);
        Array.Clear(SignExponent);
        Mxcsr = 0x1F80;
        Array.Clear(Xmm);
    }

    /// <summary>FNINIT: the x87 part only.</summary>
    public void InitX87()
    {
        ControlWord = 0x37F;
        StatusWord = 0;
        TagByte = 0;
        LastOpcode = 0;
        LastInstructionPointer = LastDataPointer = 0;
    }
}
