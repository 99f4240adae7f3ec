using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// Instructions that move elements between positions, on MMX and XMM
/// registers (Intel SDM vol. 2): the saturating packs, the interleaving
/// unpacks, the shuffles, PINSRW/PEXTRW, and SSSE3's PSHUFB and PALIGNR.
/// </summary>
internal static class SseShuffleOps
{
    // Reads the destination and source (an MMX form: the low 64 bits of each; its memory source may be 32 bits).
    private static bool Operands(X86Cpu cpu, ref DecodedOp op, out Vector128<byte> a, out Vector128<byte> b)
    {
        if (SseOperands.IsMmxForm(ref op))
        {
            SseOperands.CheckMmx(cpu);
            a = Vector128.CreateScalar(cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op0Register))).AsByte();
            ulong source = op.I.Op1Kind == OpKind.Register
                ? cpu.Fpu.ReadMmx(SseOperands.Number(op.I.Op1Register))
                : cpu.Read(cpu.MemoryAddress(ref op, op.MemorySize, MemoryAccess.Read), op.MemorySize);
            b = Vector128.CreateScalar(source).AsByte();
            return true;
        }
        SseOperands.CheckSse(cpu);
        b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        a = SseOperands.Xmm(cpu, op.I.Op0Register);
        return false;
    }

    private static void Store(X86Cpu cpu, ref DecodedOp op, bool mmx, Vector128<byte> r)
    {
        if (mmx)
            cpu.Fpu.WriteMmx(SseOperands.Number(op.I.Op0Register), r.AsUInt64().ToScalar());
        else
            SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    // --- Packs: the destination's elements then the source's, narrowed with saturation ---

    public static void Packsswb(X86Cpu cpu, ref DecodedOp op) => Pack(cpu, ref op, 2, signed: true);
    public static void Packssdw(X86Cpu cpu, ref DecodedOp op) => Pack(cpu, ref op, 4, signed: true);
    public static void Packuswb(X86Cpu cpu, ref DecodedOp op) => Pack(cpu, ref op, 2, signed: false);
    public static void Packusdw(X86Cpu cpu, ref DecodedOp op) => Pack(cpu, ref op, 4, signed: false);

    private static void Pack(X86Cpu cpu, ref DecodedOp op, int size, bool signed)
    {
        bool mmx = Operands(cpu, ref op, out Vector128<byte> a, out Vector128<byte> b);
        int n = (mmx ? 8 : 16) / size;
        Vector128<byte> r = default;
        for (int i = 0; i < 2 * n; i++)
        {
            ref Vector128<byte> from = ref i < n ? ref a : ref b;
            int k = i < n ? i : i - n;
            if (size == 2)
            {
                int v = SseLanes.S16(ref from, k);
                if (signed)
                    SseLanes.S8(ref r, i) = (sbyte)Math.Clamp(v, sbyte.MinValue, sbyte.MaxValue);
                else
                    SseLanes.U8(ref r, i) = (byte)Math.Clamp(v, 0, byte.MaxValue);
            }
            else
            {
                int v = SseLanes.S32(ref from, k);
                if (signed)
                    SseLanes.S16(ref r, i) = (short)Math.Clamp(v, short.MinValue, short.MaxValue);
                else
                    SseLanes.U16(ref r, i) = (ushort)Math.Clamp(v, 0, ushort.MaxValue);
            }
        }
        Store(cpu, ref op, mmx, r);
    }

    // --- Unpacks: elements of the low (or high) halves of destination and source, interleaved ---

    public static void Punpcklbw(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 1, high: false);
    public static void Punpcklwd(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 2, high: false);
    public static void Punpckldq(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 4, high: false);
    public static void Punpcklqdq(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 8, high: false);
    public static void Punpckhbw(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 1, high: true);
    public static void Punpckhwd(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 2, high: true);
    public static void Punpckhdq(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 4, high: true);
    public static void Punpckhqdq(X86Cpu cpu, ref DecodedOp op) => Unpack(cpu, ref op, 8, high: true);

    private static void Unpack(X86Cpu cpu, ref DecodedOp op, int size, bool high)
    {
        bool mmx = Operands(cpu, ref op, out Vector128<byte> a, out Vector128<byte> b);
        int half = mmx ? 4 : 8;
        int start = high ? half : 0;
        Vector128<byte> r = default;
        for (int i = 0; i < half; i += size)
        {
            for (int j = 0; j < size; j++)
            {
                SseLanes.U8(ref r, 2 * i + j) = SseLanes.U8(ref a, start + i + j);
                SseLanes.U8(ref r, 2 * i + size + j) = SseLanes.U8(ref b, start + i + j);
            }
        }
        Store(cpu, ref op, mmx, r);
    }

    // --- Shuffles ---

    /// <summary>SHUFPS: two singles of the destination, then two of the source, chosen by imm8.</summary>
    public static void Shufps(X86Cpu cpu, ref DecodedOp op)
    {
        Operands(cpu, ref op, out Vector128<byte> a, out Vector128<byte> b);
        int imm = op.I.Immediate8;
        Vector128<byte> r = default;
        SseLanes.U32(ref r, 0) = SseLanes.U32(ref a, imm & 3);
        SseLanes.U32(ref r, 1) = SseLanes.U32(ref a, (imm >> 2) & 3);
        SseLanes.U32(ref r, 2) = SseLanes.U32(ref b, (imm >> 4) & 3);
        SseLanes.U32(ref r, 3) = SseLanes.U32(ref b, (imm >> 6) & 3);
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    /// <summary>SHUFPD: a double of the destination, then one of the source.</summary>
    public static void Shufpd(X86Cpu cpu, ref DecodedOp op)
    {
        Operands(cpu, ref op, out Vector128<byte> a, out Vector128<byte> b);
        int imm = op.I.Immediate8;
        Vector128<byte> r = default;
        SseLanes.U64(ref r, 0) = SseLanes.U64(ref a, imm & 1);
        SseLanes.U64(ref r, 1) = SseLanes.U64(ref b, (imm >> 1) & 1);
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    /// <summary>PSHUFD: each doubleword from the source doubleword imm8 selects.</summary>
    public static void Pshufd(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        int imm = op.I.Immediate8;
        Vector128<byte> r = default;
        for (int i = 0; i < 4; i++)
            SseLanes.U32(ref r, i) = SseLanes.U32(ref b, (imm >> (2 * i)) & 3);
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    /// <summary>PSHUFLW (high quadword copied) and PSHUFHW (low quadword copied): four words shuffled by imm8.</summary>
    public static void Pshuflw(X86Cpu cpu, ref DecodedOp op) => ShuffleWords(cpu, ref op, 0);

    public static void Pshufhw(X86Cpu cpu, ref DecodedOp op) => ShuffleWords(cpu, ref op, 4);

    private static void ShuffleWords(X86Cpu cpu, ref DecodedOp op, int first)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: true);
        int imm = op.I.Immediate8;
        Vector128<byte> r = b;
        for (int i = 0; i < 4; i++)
            SseLanes.U16(ref r, first + i) = SseLanes.U16(ref b, first + ((imm >> (2 * i)) & 3));
        SseOperands.Xmm(cpu, op.I.Op0Register) = r;
    }

    /// <summary>PSHUFW mm, mm/m64, imm8.</summary>
    public static void Pshufw(X86Cpu cpu, ref DecodedOp op)
    {
        SseOperands.CheckMmx(cpu);
        ulong b = SseOperands.Source64(cpu, ref op, 1);
        int imm = op.I.Immediate8;
        ulong r = 0;
        for (int i = 0; i < 4; i++)
            r |= ((b >> (16 * ((imm >> (2 * i)) & 3))) & 0xFFFF) << (16 * i);
        cpu.Fpu.WriteMmx(SseOperands.Number(op.I.Op0Register), r);
    }

    // --- Word insertion and extraction ---

    /// <summary>PINSRW: the low word of a general register (or m16) into the word imm8 selects.</summary>
    public static void Pinsrw(X86Cpu cpu, ref DecodedOp op)
    {
        bool mmx = RegisterInfo.Kind(op.I.Op0Register) == RegisterKind.Mmx;
        if (mmx)
            SseOperands.CheckMmx(cpu);
        else
            SseOperands.CheckSse(cpu);
        ushort value = (ushort)SseOperands.SourceSized(cpu, ref op, 1, 2);
        int imm = op.I.Immediate8;
        if (mmx)
        {
            int m = SseOperands.Number(op.I.Op0Register);
            int shift = 16 * (imm & 3);
            cpu.Fpu.WriteMmx(m, (cpu.Fpu.ReadMmx(m) & ~(0xFFFFUL << shift)) | ((ulong)value << shift));
            return;
        }
        ref Vector128<byte> dst = ref SseOperands.Xmm(cpu, op.I.Op0Register);
        Vector128<byte> r = dst;
        SseLanes.U16(ref r, imm & 7) = value;
        dst = r;
    }

    /// <summary>PEXTRW: the word imm8 selects, zero-extended into a general register (SSE4.1: or stored as m16).</summary>
    public static void Pextrw(X86Cpu cpu, ref DecodedOp op)
    {
        Register src = op.I.Op1Register;
        int imm = op.I.Immediate8;
        ushort value;
        if (RegisterInfo.Kind(src) == RegisterKind.Mmx)
        {
            SseOperands.CheckMmx(cpu);
            value = (ushort)(cpu.Fpu.ReadMmx(SseOperands.Number(src)) >> (16 * (imm & 3)));
        }
        else
        {
            SseOperands.CheckSse(cpu);
            Vector128<byte> v = SseOperands.Xmm(cpu, src);
            value = SseLanes.U16(ref v, imm & 7);
        }
        if (op.I.Op0Kind == OpKind.Register)
            cpu.WriteGpr(op.I.Op0Register, value);
        else
            cpu.Write(cpu.MemoryAddress(ref op, 2, MemoryAccess.Write), 2, value);
    }

    // --- SSSE3 ---

    /// <summary>PSHUFB: each byte from the destination byte the source's byte selects, or zero when its top bit is set.</summary>
    public static void Pshufb(X86Cpu cpu, ref DecodedOp op)
    {
        bool mmx = Operands(cpu, ref op, out Vector128<byte> a, out Vector128<byte> b);
        int n = mmx ? 8 : 16;
        Vector128<byte> r = default;
        for (int i = 0; i < n; i++)
        {
            byte index = SseLanes.U8(ref b, i);
            SseLanes.U8(ref r, i) = (index & 0x80) != 0 ? (byte)0 : SseLanes.U8(ref a, index & (n - 1));
        }
        Store(cpu, ref op, mmx, r);
    }

    /// <summary>PALIGNR: destination:source (destination high) shifted right by imm8 bytes; the low half is the result.</summary>
    public static void Palignr(X86Cpu cpu, ref DecodedOp op)
    {
        bool mmx = Operands(cpu, ref op, out Vector128<byte> a, out Vector128<byte> b);
        int n = mmx ? 8 : 16;
        int shift = op.I.Immediate8;
        Vector128<byte> r = default;
        for (int i = 0; i < n; i++)
        {
            int k = i + shift;
            if (k < n)
                SseLanes.U8(ref r, i) = SseLanes.U8(ref b, k);
            else if (k < 2 * n)
                SseLanes.U8(ref r, i) = SseLanes.U8(ref a, k - n);
        }
        Store(cpu, ref op, mmx, r);
    }
}
