using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Emu.Core.Cpu;

/// <summary>
/// The register page of a local APIC (Intel SDM vol. 3A, table 11-1): 1 KiB,
/// each 32-bit register at a 16-byte aligned offset, as the xAPIC shows it at
/// 0xFEE00000.
/// </summary>
[InlineArray(Size)]
public struct X86LocalApic
{
    public const int Size = 1024;

    public const int IdRegister = 0x20;
    public const int SpuriousVector = 0xF0;
    public const int LvtLint0 = 0x350;
    public const int LvtLint1 = 0x360;

    /// <summary>LVT delivery modes (bits 10:8) and the mask bit (16).</summary>
    public const uint DeliveryNmi = 4 << 8, DeliveryExtInt = 7 << 8, Masked = 1 << 16;

    private byte _element0;

    public uint Read(int register) => BinaryPrimitives.ReadUInt32LittleEndian(((ReadOnlySpan<byte>)this).Slice(Check(register)));

    public void Write(int register, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(((Span<byte>)this).Slice(Check(register)), value);

    private static int Check(int register)
    {
        if ((uint)register > Size - 16 || (register & 0xF) != 0)
            throw new ArgumentOutOfRangeException(nameof(register), $"0x{register:x} is not a local APIC register offset");
        return register;
    }
}
