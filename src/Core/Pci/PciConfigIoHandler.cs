using System.Buffers.Binary;
using Emu.Core.Memory;

namespace Emu.Core.Pci;

/// <summary>
/// Configuration mechanism #1, the I/O ports 0xCF8-0xCFF: a 32-bit write to
/// 0xCF8 latches (enable bit 31, bus 23:16, device/function 15:8, register
/// 7:2); accesses to 0xCFC-0xCFF then reach that register at the byte offset
/// they name. Byte accesses to 0xCF9 are the PC's reset control register,
/// handed to <see cref="ResetControl"/>.
/// </summary>
public sealed class PciConfigIoHandler : IIoHandler
{
    private readonly PciBus _bus;
    private uint _address;

    public PciConfigIoHandler(PciBus bus) => _bus = bus;

    /// <summary>The reset control register at 0xCF9 (byte accesses), if the board has one.</summary>
    public IIoHandler? ResetControl { get; set; }

    /// <summary>CONFIG_ADDRESS as the guest last wrote it (set directly only by a migration's load).</summary>
    public uint AddressRegister
    {
        get => Volatile.Read(ref _address);
        set => Volatile.Write(ref _address, value);
    }

    public void Read(ulong offset, Span<byte> data)
    {
        if (offset == 0 && data.Length == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data, Volatile.Read(ref _address));
            return;
        }
        if (offset == 1 && data.Length == 1 && ResetControl != null)
        {
            ResetControl.Read(0, data);
            return;
        }
        if (offset >= 4 && TryTarget(offset - 4, data.Length, out int bus, out int devfn, out int register))
        {
            uint value = _bus.ReadConfig(bus, devfn, register, data.Length);
            for (int i = 0; i < data.Length; i++)
                data[i] = (byte)(value >> (8 * i));
            return;
        }
        data.Fill(0xFF);
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset == 0 && data.Length == 4)
        {
            Volatile.Write(ref _address, BinaryPrimitives.ReadUInt32LittleEndian(data));
            return;
        }
        if (offset == 1 && data.Length == 1 && ResetControl != null)
        {
            ResetControl.Write(0, data);
            return;
        }
        if (offset >= 4 && TryTarget(offset - 4, data.Length, out int bus, out int devfn, out int register))
        {
            uint value = 0;
            for (int i = 0; i < data.Length; i++)
                value |= (uint)data[i] << (8 * i);
            _bus.WriteConfig(bus, devfn, register, data.Length, value);
        }
    }

    private bool TryTarget(ulong dataOffset, int length, out int bus, out int devfn, out int register)
    {
        uint address = Volatile.Read(ref _address);
        bus = (int)(address >> 16) & 0xFF;
        devfn = (int)(address >> 8) & 0xFF;
        register = (int)(address & 0xFC) + (int)dataOffset;
        // Disabled cycles and accesses that straddle the dword do nothing.
        return (address & 0x8000_0000) != 0 && dataOffset + (ulong)length <= 4;
    }
}
