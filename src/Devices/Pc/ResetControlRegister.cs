using Emu.Core.Machines;
using Emu.Core.Memory;

namespace Emu.Devices.Pc;

/// <summary>
/// The PC's reset control register at port 0xCF9 (ICH9 RST_CNT): writing a
/// value with RST_CPU (bit 2) set resets the system; SYS_RST (bit 1) is kept
/// and reads back.
/// </summary>
public sealed class ResetControlRegister : IIoHandler
{
    private const byte SystemReset = 0x02, ResetCpu = 0x04;
    private readonly Machine _machine;
    private byte _value;

    public ResetControlRegister(Machine machine) => _machine = machine;

    /// <summary>The register's latched bit (SYS_RST), for the migration stream.</summary>
    public byte Value
    {
        get => _value;
        set => _value = (byte)(value & SystemReset);
    }

    public void Read(ulong offset, Span<byte> data)
    {
        data.Fill(0xFF);
        data[0] = _value;
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        byte value = data[0];
        _value = (byte)(value & SystemReset);
        if ((value & ResetCpu) != 0)
        {
            _value = 0;
            _machine.RequestReset(byGuest: true);
        }
    }
}
