using System.Buffers.Binary;

namespace Emu.Core.Acpi;

/// <summary>
/// The 12-byte Generic Address Structure (ACPI 6.3, section 5.2.3.2):
/// address space id (0 memory, 1 system I/O), register bit width, bit
/// offset, access size and a 64-bit address. An all-zero GAS means "not present".
/// </summary>
public readonly record struct GenericAddress(byte SpaceId, byte BitWidth, byte BitOffset, GasAccessSize AccessSize, ulong Address)
{
    public const int Size = 12;
    public const byte SystemMemory = 0, SystemIo = 1;

    public static GenericAddress None => default;

    /// <summary>A register of <paramref name="byteLength"/> bytes in I/O space.</summary>
    public static GenericAddress Io(ushort port, int byteLength, GasAccessSize access) =>
        new(SystemIo, (byte)(byteLength * 8), 0, access, port);

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = SpaceId;
        destination[1] = BitWidth;
        destination[2] = BitOffset;
        destination[3] = (byte)AccessSize;
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(4, 8), Address);
    }
}
