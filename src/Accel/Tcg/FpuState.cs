using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Emu.Accel.Tcg;

/// <summary>
/// The x87, MMX and SSE register state (the FXSAVE image's contents): the
/// x87 control, status and tag words, the eight 80-bit data registers (the
/// MMX registers alias their low 64 bits), the last instruction and data
/// pointers, MXCSR and the XMM registers. Intel SDM vol. 1, 8.1 and 10.2.3.
/// </summary>
internal sealed class FpuState
{
    // Status word bits (SDM vol. 1, figure 8-4); the exception flags use the same
    // positions as MXCSR's (IE=0 ... PE=5) and FloatEnv's.
    public const int Ie = 1 << 0, De = 1 << 1, Ze = 1 << 2, Oe = 1 << 3, Ue = 1 << 4, Pe = 1 << 5, Sf = 1 << 6, Es = 1 << 7,
        C0 = 1 << 8, C1 = 1 << 9, C2 = 1 << 10, C3 = 1 << 14, Busy = 1 << 15;

    /// <summary>The six exception flags (and their mask bits in the control word / MXCSR).</summary>
    public const int ExceptionFlags = 0x3F;

    /// <summary>The MXCSR bits this CPU implements: flags, DAZ, masks, rounding, FTZ (FXSAVE's MXCSR_MASK).</summary>
    public const uint MxcsrMask = 0xFFFF;

    public ushort ControlWord = 0x37F;

    /// <summary>The status word, TOP in bits 13:11.</summary>
    public ushort StatusWord;

    /// <summary>The abridged tag byte of FXSAVE: bit i set when physical register i holds a value.</summary>
    public byte TagByte;

    /// <summary>FOP: the 11-bit opcode of the last non-control instruction that raised an unmasked exception.</summary>
    public ushort LastOpcode;

    /// <summary>FIP/FCS and FDP/FDS: where the last non-control x87 instruction and its memory operand were (offsets and selectors).</summary>
    public ulong LastInstructionPointer, LastDataPointer;
    public ushort LastCodeSelector, LastDataSelector;

    /// <summary>Physical x87 registers R0..R7 as 80-bit values: the 64-bit significand and the sign+exponent word.</summary>
    public readonly ulong[] Mantissa = new ulong[8];
    public readonly ushort[] SignExponent = new ushort[8];

    public uint Mxcsr = 0x1F80;

    /// <summary>XMM0..XMM15, low and high 64 bits of each.</summary>
    public readonly ulong[] Xmm = new ulong[32];

    /// <summary>FNINIT / power-on state (SDM 8.1.11 and 10.2.3).</summary>
    public void Reset()
    {
        InitX87();
        Array.Clear(Mantissa);
        Array.Clear(SignExponent);
        Mxcsr = 0x1F80;
        Array.Clear(Xmm);
    }

    /// <summary>FNINIT: the x87 part only (the data registers keep their contents, all tagged empty).</summary>
    public void InitX87()
    {
        ControlWord = 0x37F;
        StatusWord = 0;
        TagByte = 0;
        LastOpcode = 0;
        LastInstructionPointer = LastDataPointer = 0;
        LastCodeSelector = LastDataSelector = 0;
    }

    // --- The register stack ---

    public int Top
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (StatusWord >> 11) & 7;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => StatusWord = (ushort)((StatusWord & ~0x3800) | ((value & 7) << 11));
    }

    /// <summary>The physical register that is ST(i).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Physical(int i) => (Top + i) & 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsEmpty(int i) => (TagByte & (1 << Physical(i))) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float80 Read(int i)
    {
        int p = Physical(i);
        return new Float80(Mantissa[p], SignExponent[p]);
    }

    /// <summary>Writes ST(i) and tags it valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int i, Float80 value)
    {
        int p = Physical(i);
        Mantissa[p] = value.Significand;
        SignExponent[p] = value.SignExponent;
        TagByte |= (byte)(1 << p);
    }

    public void SetEmpty(int i) => TagByte &= (byte)~(1 << Physical(i));

    /// <summary>Marks ST(0) empty and increments TOP.</summary>
    public void Pop()
    {
        SetEmpty(0);
        Top++;
    }

    /// <summary>Sets C3, C2, C1 and C0 (pass the bits at their status-word positions); the other bits are kept.</summary>
    public void SetConditionCodes(int mask, int values) => StatusWord = (ushort)((StatusWord & ~mask) | (values & mask));

    /// <summary>
    /// Recomputes ES and B from the exception flags and masks: an exception
    /// flag whose mask is clear is pending and traps at the next waiting
    /// instruction (SDM vol. 1, 8.1.3.2 and 8.6).
    /// </summary>
    public void UpdateSummary()
    {
        bool pending = (StatusWord & ~ControlWord & ExceptionFlags) != 0;
        StatusWord = pending ? (ushort)(StatusWord | Es | Busy) : (ushort)(StatusWord & ~(Es | Busy));
    }

    /// <summary>The full 16-bit tag word of FSTENV/FSAVE, computed from the registers' contents (SDM vol. 1, 8.1.7).</summary>
    public ushort FullTagWord()
    {
        int tags = 0;
        for (int p = 0; p < 8; p++)
        {
            int tag;
            if ((TagByte & (1 << p)) == 0)
                tag = 3;
            else
                tag = Float80.Tag(Mantissa[p], SignExponent[p]);
            tags |= tag << (2 * p);
        }
        return (ushort)tags;
    }

    /// <summary>Loads the tag word of FLDENV/FRSTOR: only "empty" (11b) versus "not empty" matters.</summary>
    public void LoadFullTagWord(ushort tags)
    {
        int abridged = 0;
        for (int p = 0; p < 8; p++)
        {
            if (((tags >> (2 * p)) & 3) != 3)
                abridged |= 1 << p;
        }
        TagByte = (byte)abridged;
    }

    // --- MMX: MM0..MM7 are the significands of the physical registers R0..R7 ---

    /// <summary>
    /// An MMX instruction puts the x87 unit in MMX state: TOP = 0 and every
    /// register tagged valid (SDM vol. 1, 9.5.1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnterMmx()
    {
        StatusWord &= unchecked((ushort)~0x3800);
        TagByte = 0xFF;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadMmx(int n) => Mantissa[n];

    /// <summary>Writing an MMX register sets the exponent and sign of its x87 register to all ones (SDM vol. 1, 9.5.2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteMmx(int n, ulong value)
    {
        Mantissa[n] = value;
        SignExponent[n] = 0xFFFF;
    }

    // --- XMM ---

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref Vector128<byte> XmmVector(int n) =>
        ref Unsafe.As<ulong, Vector128<byte>>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Xmm), (n & 15) * 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong XmmLow(int n) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Xmm), (n & 15) * 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong XmmHigh(int n) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Xmm), (n & 15) * 2 + 1);
}
