using System.Buffers.Binary;
using System.Diagnostics;
using Emu.Core.Interrupts;
using Emu.Core.Machines;
using Emu.Core.Memory;

namespace Emu.Devices.Pc;

/// <summary>
/// The ACPI fixed-hardware registers of the ICH9 (its "PM I/O" block, 128
/// bytes at PMBASE): PM1 status/enable/control, the PM timer and GPE0.
/// Writing PM1_CNT with SLP_EN set and SLP_TYP 0 powers off (S5, as _S5 in
/// the DSDT says); the power button sets PWRBTN_STS and raises the SCI.
/// </summary>
public sealed partial class Ich9PowerManagement : IIoHandler
{
    public const int Size = 0x80;

    /// <summary>The ISA IRQ the SCI is wired to (ACPI_CNTL's default, and the FADT's SCI_INT).</summary>
    public const int SciIrq = 9;
    private const int Pm1Status = 0x00, Pm1Enable = 0x02, Pm1Control = 0x04, PmTimer = 0x08, Gpe0Status = 0x20, Gpe0Enable = 0x28, SmiEnable = 0x30;
    private const ushort PowerButtonStatus = 1 << 8, WakeStatus = 1 << 15, TimerStatus = 1 << 0;
    private const uint SciEnable = 1 << 0, SleepEnable = 1 << 13;
    private const double TimerHz = 3_579_545;

    private readonly object _lock = new();
    private readonly Machine _machine;
    private readonly IIrqLine _sci;
    private long _timerOrigin = Stopwatch.GetTimestamp();
    private ushort _pm1Status, _pm1Enable;
    private uint _pm1Control, _smiEnable;
    private ulong _gpeStatus, _gpeEnable;
    private bool _sciLevel;

    public Ich9PowerManagement(Machine machine, IIrqLine sci)
    {
        _machine = machine;
        _sci = sci;
    }

    /// <summary>PM1_CNT.SCI_EN: the OS has switched the chipset to ACPI mode.</summary>
    public bool AcpiEnabled
    {
        get
        {
            lock (_lock)
                return (_pm1Control & SciEnable) != 0;
        }
    }

    /// <summary>Ticks of the 3.579545 MHz ACPI PM timer (24 bits wrap).</summary>
    public uint TimerValue
    {
        get
        {
            long elapsed = Stopwatch.GetTimestamp() - _timerOrigin;
            return (uint)((ulong)(elapsed * (TimerHz / Stopwatch.Frequency)) & 0xFF_FFFF);
        }
    }

    public void Read(ulong offset, Span<byte> data)
    {
        Span<byte> block = stackalloc byte[8];
        int start = (int)offset;
        // Registers are read whole and the requested bytes taken from them.
        lock (_lock)
        {
            for (int i = 0; i < data.Length;)
            {
                int o = start + i;
                int register = RegisterBase(o);
                ulong value = ReadRegister(register);
                BinaryPrimitives.WriteUInt64LittleEndian(block, value);
                int skip = o - register;
                int n = Math.Min(RegisterWidth(register) - skip, data.Length - i);
                if (n <= 0)
                {
                    data[i++] = 0xFF;
                    continue;
                }
                block.Slice(skip, n).CopyTo(data.Slice(i));
                i += n;
            }
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        bool powerOff = false;
        lock (_lock)
        {
            int o = (int)offset;
            int register = RegisterBase(o);
            int shift = (o - register) * 8;
            ulong value = 0;
            for (int i = 0; i < data.Length && i < 8; i++)
                value |= (ulong)data[i] << (8 * i);
            value <<= shift;
            ulong mask = (data.Length >= 8 ? ulong.MaxValue : ((1UL << (8 * data.Length)) - 1)) << shift;
            switch (register)
            {
                case Pm1Status:
                    _pm1Status &= (ushort)~(value & mask); // write one to clear
                    break;
                case Pm1Enable:
                    _pm1Enable = (ushort)((_pm1Enable & ~mask) | (value & mask));
                    break;
                case Pm1Control:
                    uint control = (uint)((_pm1Control & ~mask) | (value & mask));
                    _pm1Control = control & ~SleepEnable; // SLP_EN reads as 0
                    if ((control & SleepEnable) != 0 && ((control >> 10) & 7) == 0)
                        powerOff = true;
                    break;
                case Gpe0Status:
                    _gpeStatus &= ~(value & mask);
                    break;
                case Gpe0Enable:
                    _gpeEnable = (_gpeEnable & ~mask) | (value & mask);
                    break;
                case SmiEnable:
                    _smiEnable = (uint)((_smiEnable & ~mask) | (value & mask));
                    break;
            }
            UpdateSci();
        }
        if (powerOff)
            _machine.RequestShutdown(new MachineExit(ShutdownCause.GuestPowerOff, 0));
    }

    /// <summary>
    /// Sets PM1_CNT.SCI_EN, as firmware does before it hands a machine to an
    /// OS in ACPI mode. Without SMM there is no legacy mode to leave (the
    /// FADT's SMI_CMD is 0), so an OS never writes it itself: booting one
    /// directly, the VMM does this in the firmware's place.
    /// </summary>
    public void EnableSci()
    {
        lock (_lock)
        {
            _pm1Control |= SciEnable;
            UpdateSci();
        }
    }

    /// <summary>Presses the power button: PWRBTN_STS, and an SCI if the OS enabled it.</summary>
    public void PressPowerButton()
    {
        lock (_lock)
        {
            _pm1Status |= PowerButtonStatus;
            UpdateSci();
        }
    }

    /// <summary>
    /// Sets a GPE0 status bit (an edge event such as PCI hotplug): the SCI
    /// rises if the OS enabled that GPE. The OS clears the bit by writing it
    /// back and runs the DSDT's \_GPE._Exx method for it.
    /// </summary>
    public void RaiseGeneralPurposeEvent(int bit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bit, 63);
        lock (_lock)
        {
            _gpeStatus |= 1UL << bit;
            UpdateSci();
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _pm1Status = _pm1Enable = 0;
            _pm1Control = _smiEnable = 0;
            _gpeStatus = _gpeEnable = 0;
            UpdateSci();
        }
    }

    private void UpdateSci()
    {
        bool level = (_pm1Control & SciEnable) != 0
            && ((_pm1Status & _pm1Enable & (PowerButtonStatus | TimerStatus)) != 0 || (_gpeStatus & _gpeEnable) != 0);
        if (level != _sciLevel)
        {
            _sciLevel = level;
            _sci.Set(level);
        }
    }

    private ulong ReadRegister(int register) => register switch
    {
        Pm1Status => _pm1Status,
        Pm1Enable => _pm1Enable,
        Pm1Control => _pm1Control,
        PmTimer => TimerValue,
        Gpe0Status => _gpeStatus,
        Gpe0Enable => _gpeEnable,
        SmiEnable => _smiEnable,
        _ => 0,
    };

    private static int RegisterBase(int offset) => offset switch
    {
        < 0x02 => Pm1Status,
        < 0x04 => Pm1Enable,
        < 0x08 => Pm1Control,
        < 0x0C => PmTimer,
        >= 0x20 and < 0x28 => Gpe0Status,
        >= 0x28 and < 0x30 => Gpe0Enable,
        >= 0x30 and < 0x34 => SmiEnable,
        _ => offset,
    };

    private static int RegisterWidth(int register) => register switch
    {
        Pm1Status or Pm1Enable => 2,
        Pm1Control or PmTimer or SmiEnable => 4,
        Gpe0Status or Gpe0Enable => 8,
        _ => 1,
    };

    /// <summary>Whether a byte offset is a modelled register (others read as all ones).</summary>
    internal static bool IsRegister(int offset) => RegisterWidth(RegisterBase(offset)) > 1;
}
