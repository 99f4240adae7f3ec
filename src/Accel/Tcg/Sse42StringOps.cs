using System.Numerics;
using System.Runtime.Intrinsics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// The SSE4.2 string comparisons PCMPESTRI, PCMPESTRM, PCMPISTRI and
/// PCMPISTRM (Intel SDM vol. 2, 4.1): the first operand's elements against
/// the second's under imm8's element format (bits 1:0), aggregation (3:2),
/// polarity (5:4) and output selection (6), with lengths explicit
/// (EAX/EDX, RAX/RDX with REX.W, absolute values saturated) or implicit
/// (up to the first zero element). The index goes to ECX, the mask to XMM0;
/// CF, ZF, SF and OF report the result, AF and PF are cleared. The memory
/// operand need not be aligned.
/// </summary>
internal static class Sse42StringOps
{
    public static void Pcmpestri(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, explicitLengths: true, mask: false);
    public static void Pcmpestrm(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, explicitLengths: true, mask: true);
    public static void Pcmpistri(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, explicitLengths: false, mask: false);
    public static void Pcmpistrm(X86Cpu cpu, ref DecodedOp op) => Compare(cpu, ref op, explicitLengths: false, mask: true);

    private static void Compare(X86Cpu cpu, ref DecodedOp op, bool explicitLengths, bool mask)
    {
        SseOperands.CheckSse(cpu);
        Vector128<byte> b = SseOperands.Source128(cpu, ref op, 1, aligned: false);
        Vector128<byte> a = SseOperands.Xmm(cpu, op.I.Op0Register);
        int imm = op.I.Immediate8;
        bool words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int n = words ? 8 : 16;
        int la, lb;
        if (explicitLengths)
        {
            bool wide = op.I.Code is Code.Pcmpestri64_xmm_xmmm128_imm8 or Code.Pcmpestrm64_xmm_xmmm128_imm8;
            la = ExplicitLength(cpu.Rax, wide, n);
            lb = ExplicitLength(cpu.Rdx, wide, n);
        }
        else
        {
            la = ImplicitLength(ref a, words);
            lb = ImplicitLength(ref b, words);
        }
        int result = Aggregate(ref a, ref b, la, lb, n, words, signed, (imm >> 2) & 3);
        int all = (1 << n) - 1;
        switch ((imm >> 4) & 3)
        {
            case 1:
                result = ~result & all;
                break;
            case 3:
                result ^= (1 << lb) - 1; // negate only the valid elements of the second operand
                break;
        }
        ulong flags = 0;
        if (result != 0)
            flags |= X86Cpu.FlagCf;
        if (lb < n)
            flags |= X86Cpu.FlagZf;
        if (la < n)
            flags |= X86Cpu.FlagSf;
        if ((result & 1) != 0)
            flags |= X86Cpu.FlagOf;
        if (mask)
        {
            Vector128<byte> m = default;
            if ((imm & 0x40) == 0)
            {
                SseLanes.U32(ref m, 0) = (uint)result;
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    if ((result & (1 << i)) == 0)
                        continue;
                    if (words)
                        SseLanes.U16(ref m, i) = 0xFFFF;
                    else
                        SseLanes.U8(ref m, i) = 0xFF;
                }
            }
            cpu.Fpu.XmmVector(0) = m;
        }
        else
        {
            int index = result == 0 ? n : (imm & 0x40) == 0 ? BitOperations.TrailingZeroCount(result) : 31 - BitOperations.LeadingZeroCount((uint)result);
            cpu.Rcx = (uint)index;
        }
        cpu.SetArithmeticFlags(flags);
    }

    private static int ExplicitLength(ulong register, bool wide, int n)
    {
        long value = wide ? (long)register : (int)register;
        if (value < 0)
            value = value == long.MinValue ? n : -value;
        return (int)Math.Min(value, n);
    }

    private static int ImplicitLength(ref Vector128<byte> v, bool words)
    {
        int n = words ? 8 : 16;
        for (int i = 0; i < n; i++)
        {
            if ((words ? SseLanes.U16(ref v, i) : SseLanes.U8(ref v, i)) == 0)
                return i;
        }
        return n;
    }

    private static int Element(ref Vector128<byte> v, int i, bool words, bool signed) => words
        ? (signed ? SseLanes.S16(ref v, i) : SseLanes.U16(ref v, i))
        : (signed ? SseLanes.S8(ref v, i) : SseLanes.U8(ref v, i));

    /// <summary>IntRes1: bit j for element j of the second operand, with the SDM's overrides for elements past the lengths.</summary>
    private static int Aggregate(ref Vector128<byte> a, ref Vector128<byte> b, int la, int lb, int n, bool words, bool signed, int aggregation)
    {
        int result = 0;
        for (int j = 0; j < n; j++)
        {
            bool bit;
            switch (aggregation)
            {
                case 0: // equal any: b[j] is one of a's valid elements
                {
                    bit = false;
                    if (j < lb)
                    {
                        int x = Element(ref b, j, words, signed);
                        for (int i = 0; i < la && !bit; i++)
                            bit = Element(ref a, i, words, signed) == x;
                    }
                    break;
                }
                case 1: // ranges: a[i] <= b[j] <= a[i + 1] for a valid pair
                {
                    bit = false;
                    if (j < lb)
                    {
                        int x = Element(ref b, j, words, signed);
                        for (int i = 0; i + 1 < la && !bit; i += 2)
                            bit = Element(ref a, i, words, signed) <= x && x <= Element(ref a, i + 1, words, signed);
                    }
                    break;
                }
                case 2: // equal each: both invalid is a match, one invalid is not
                    if (j < la && j < lb)
                        bit = Element(ref a, j, words, signed) == Element(ref b, j, words, signed);
                    else
                        bit = j >= la && j >= lb;
                    break;
                default: // equal ordered: a (while valid) matches b from j on; b running out is a mismatch
                {
                    bit = true;
                    for (int k = 0; k < n - j && bit; k++)
                    {
                        if (k >= la)
                            break;
                        if (j + k >= lb)
                            bit = false;
                        else
                            bit = Element(ref a, k, words, signed) == Element(ref b, j + k, words, signed);
                    }
                    break;
                }
            }
            if (bit)
                result |= 1 << j;
        }
        return result;
    }
}
