using System.Numerics;
using Iced.Intel;

namespace Emu.Accel.Tcg;

/// <summary>
/// CRC32 (SSE4.2, Intel SDM vol. 2): the CRC-32C (Castagnoli, reflected
/// polynomial 0x82F63B78) of the source bytes accumulated into the low 32
/// bits of the destination, without the initial and final inversions; the
/// 64-bit form zeroes bits 63:32. PCMPGTQ shares <see cref="SseIntegerOps"/>,
/// the string comparisons are <see cref="Sse42StringOps"/>.
/// </summary>
internal static class Sse42Ops
{
    public static void Crc32(X86Cpu cpu, ref DecodedOp op)
    {
        int size = op.I.Code switch
        {
            Code.Crc32_r32_rm8 or Code.Crc32_r64_rm8 => 1,
            Code.Crc32_r32_rm16 => 2,
            Code.Crc32_r32_rm32 => 4,
            _ => 8,
        };
        uint crc = (uint)cpu.ReadGpr(op.I.Op0Register);
        ulong data = SseOperands.SourceSized(cpu, ref op, 1, size);
        crc = size switch
        {
            1 => BitOperations.Crc32C(crc, (byte)data),
            2 => BitOperations.Crc32C(crc, (ushort)data),
            4 => BitOperations.Crc32C(crc, (uint)data),
            _ => BitOperations.Crc32C(crc, data),
        };
        cpu.WriteGpr(op.I.Op0Register, crc);
    }
}
