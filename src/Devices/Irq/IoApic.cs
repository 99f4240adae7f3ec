using System.Buffers.Binary;
using System.Numerics;
using Emu.Core.Memory;

namespace Emu.Devices.Irq;

/// <summary>
/// The I/O APIC of ICH9 (an 82093AA with the EOI register of version 0x20):
/// 24 input pins, each with a 64-bit redirection entry, reached through an
/// index register (IOREGSEL, MMIO offset 0x00) and a data window (IOWIN,
/// 0x10); a write of a vector to the EOI register (0x40) ends a level
/// interrupt as a local APIC's EOI broadcast does. Registers: 0x00 ID (bits
/// 27:24), 0x01 version (0x00170020: 24 entries, version 0x20), 0x02
/// arbitration ID, 0x10 + 2n / 0x11 + 2n entry n, low and high halves.
///
/// Entry bits: vector 7:0, delivery mode 10:8, destination mode 11 (1 =
/// logical), delivery status 12 (read-only; always idle here: messages are
/// delivered at once), polarity 13, remote IRR 14 (read-only), trigger mode
/// 15 (1 = level), mask 16, destination 63:56 (and the extended destination
/// ID 55:48, stored but unused without interrupt remapping).
///
/// Edge-triggered pins deliver on a rising edge of an unmasked pin; an edge
/// on a masked pin is lost (82093AA datasheet). Level-triggered pins deliver
/// while asserted and unmasked with remote IRR clear; delivery sets remote
/// IRR, the EOI of the entry's vector clears it, and a pin still asserted is
/// delivered again. Unmasking an asserted level pin delivers it. Writing an
/// entry as edge-triggered clears its remote IRR (Linux uses this to recover
/// IOAPICs without an EOI register). Polarity is kept but not applied to the
/// inputs: lines report assertion, not electrical levels (as QEMU and KVM do,
/// since the ACPI tables and drivers may disagree about it).
///
/// The pin acknowledge callback (for irqfd resampling) runs when an EOI
/// clears a pin's remote IRR, before the pin is looked at again, without the
/// IOAPIC's lock held.
/// </summary>
public sealed partial class IoApic : IIoHandler
{
    public const int PinCount = 24;
    public const ulong MmioSize = 0x1000;
    public const uint VersionValue = ((PinCount - 1) << 16) | 0x20;

    private const int RegisterSelect = 0x00, Window = 0x10, EoiRegister = 0x40;
    private const ulong EntryLowWritable = 0x0001_AFFF; // all but delivery status and remote IRR
    private const ulong DeliveryStatus = 1 << 12, RemoteIrr = 1 << 14, LevelTrigger = 1 << 15, Masked = 1 << 16;

    private readonly object _lock = new();
    private readonly ApicBus _bus;
    private readonly Action<int>? _pinAcknowledged;
    private readonly ulong[] _entries = new ulong[PinCount];
    private uint _levels; // asserted inputs, one bit per pin
    private byte _select;
    private byte _id;

    /// <param name="pinAcknowledged">Called with a pin when an EOI ends its level-triggered interrupt.</param>
    public IoApic(ApicBus bus, byte id = 0, Action<int>? pinAcknowledged = null)
    {
        _bus = bus;
        _pinAcknowledged = pinAcknowledged;
        InitialId = (byte)(id & 0xF);
        Reset();
    }

    /// <summary>The ID the register holds after reset (the MADT's I/O APIC ID).</summary>
    public byte InitialId { get; }

    public void Reset()
    {
        lock (_lock)
        {
            for (int i = 0; i < PinCount; i++)
                _entries[i] = Masked;
            _select = 0;
            _id = InitialId;
        }
    }

    /// <summary>A redirection entry as the guest programmed it, with the read-only bits.</summary>
    public ulong GetEntry(int pin)
    {
        lock (_lock)
            return _entries[pin];
    }

    /// <summary>Sets the input level of <paramref name="pin"/> (true = asserted).</summary>
    public void SetPin(int pin, bool asserted)
    {
        if ((uint)pin >= PinCount)
            return;
        lock (_lock)
        {
            uint bit = 1u << pin;
            bool wasAsserted = (_levels & bit) != 0;
            if (asserted)
                _levels |= bit;
            else
                _levels &= ~bit;
            ulong entry = _entries[pin];
            if (!asserted || (entry & Masked) != 0)
                return;
            if (IsLevelTriggered(entry))
            {
                if ((entry & RemoteIrr) == 0)
                    DeliverLocked(pin);
            }
            else if (!wasAsserted)
            {
                DeliverLocked(pin);
            }
        }
    }

    /// <summary>End of interrupt for <paramref name="vector"/>, from a local APIC's broadcast or the EOI register.</summary>
    public void EndOfInterrupt(int vector)
    {
        uint pins = 0;
        lock (_lock)
        {
            for (int pin = 0; pin < PinCount; pin++)
            {
                ulong entry = _entries[pin];
                if ((entry & RemoteIrr) != 0 && (int)(entry & 0xFF) == vector)
                    pins |= 1u << pin;
            }
        }
        if (pins == 0)
            return;
        // Like KVM: the line's owner hears of the acknowledge first (an irqfd
        // resampler lowers the line), then the pins are looked at again.
        if (_pinAcknowledged != null)
        {
            for (uint p = pins; p != 0; p &= p - 1)
                _pinAcknowledged(BitOperations.TrailingZeroCount(p));
        }
        lock (_lock)
        {
            for (uint p = pins; p != 0; p &= p - 1)
            {
                int pin = BitOperations.TrailingZeroCount(p);
                _entries[pin] &= ~RemoteIrr;
                ServiceLevelLocked(pin);
            }
        }
    }

    public void Read(ulong offset, Span<byte> data)
    {
        for (int i = 0; i < data.Length;)
        {
            ulong address = offset + (ulong)i;
            uint dword = ReadDword(address & ~3ul);
            int lane = (int)(address & 3);
            int n = Math.Min(4 - lane, data.Length - i);
            for (int b = 0; b < n; b++)
                data[i + b] = (byte)(dword >> (8 * (lane + b)));
            i += n;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length;)
        {
            ulong address = offset + (ulong)i;
            int lane = (int)(address & 3);
            int n = Math.Min(4 - lane, data.Length - i);
            uint value = 0, enables = 0;
            for (int b = 0; b < n; b++)
            {
                value |= (uint)data[i + b] << (8 * (lane + b));
                enables |= 0xFFu << (8 * (lane + b));
            }
            WriteDword(address & ~3ul, value, enables);
            i += n;
        }
    }

    private uint ReadDword(ulong offset)
    {
        lock (_lock)
        {
            return offset switch
            {
                RegisterSelect => _select,
                Window => ReadRegisterLocked(_select),
                _ => 0,
            };
        }
    }

    private void WriteDword(ulong offset, uint value, uint enables)
    {
        switch (offset)
        {
            case RegisterSelect:
                if ((enables & 0xFF) != 0)
                {
                    lock (_lock)
                        _select = (byte)value;
                }
                return;
            case Window:
                lock (_lock)
                {
                    uint old = ReadRegisterLocked(_select);
                    WriteRegisterLocked(_select, (old & ~enables) | (value & enables));
                }
                return;
            case EoiRegister:
                if ((enables & 0xFF) != 0)
                    EndOfInterrupt((byte)value);
                return;
        }
    }

    private uint ReadRegisterLocked(byte index)
    {
        switch (index)
        {
            case 0x00:
                return (uint)_id << 24;
            case 0x01:
                return VersionValue;
            case 0x02:
                return (uint)_id << 24; // arbitration ID
            case >= 0x10 and < 0x10 + 2 * PinCount:
                ulong entry = _entries[(index - 0x10) >> 1];
                return (index & 1) == 0 ? (uint)entry : (uint)(entry >> 32);
            default:
                return 0;
        }
    }

    private void WriteRegisterLocked(byte index, uint value)
    {
        if (index == 0x00)
        {
            _id = (byte)((value >> 24) & 0xF);
            return;
        }
        if (index is < 0x10 or >= 0x10 + 2 * PinCount)
            return; // version, arbitration and reserved registers are read-only
        int pin = (index - 0x10) >> 1;
        ulong entry = _entries[pin];
        if ((index & 1) == 0)
        {
            entry = (entry & ~EntryLowWritable) | (value & EntryLowWritable);
            if ((entry & LevelTrigger) == 0)
                entry &= ~RemoteIrr;
        }
        else
        {
            entry = (entry & 0xFFFF_FFFF) | ((ulong)(value & 0xFFFF_0000) << 32);
        }
        _entries[pin] = entry & ~DeliveryStatus;
        ServiceLevelLocked(pin);
    }

    // A level-triggered pin that is asserted, unmasked and not waiting for an EOI is delivered.
    private void ServiceLevelLocked(int pin)
    {
        ulong entry = _entries[pin];
        if ((_levels & (1u << pin)) != 0 && (entry & (Masked | RemoteIrr)) == 0 && IsLevelTriggered(entry))
            DeliverLocked(pin);
    }

    private void DeliverLocked(int pin)
    {
        ulong entry = _entries[pin];
        bool level = IsLevelTriggered(entry);
        var message = new ApicMessage(
            (ApicDeliveryMode)((entry >> 8) & 7),
            (byte)entry,
            (uint)(entry >> 56),
            LogicalDestination: (entry & (1 << 11)) != 0,
            LevelTriggered: level);
        // Remote IRR is set when a local APIC accepted the interrupt; with no target it stays clear.
        if (_bus.Deliver(message) > 0 && level)
            _entries[pin] = entry | RemoteIrr;
    }

    // NMI, SMI, INIT and ExtINT are always edge-triggered, whatever the trigger bit says.
    private static bool IsLevelTriggered(ulong entry) =>
        (entry & LevelTrigger) != 0 && (ApicDeliveryMode)((entry >> 8) & 7) is ApicDeliveryMode.Fixed or ApicDeliveryMode.LowestPriority;

    /// <summary>Writes a register through the index/window pair (for tests and firmware-less setups).</summary>
    public void WriteIndirect(byte index, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        bytes[0] = index;
        Write(RegisterSelect, bytes[..1]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Write(Window, bytes);
    }

    /// <summary>Reads a register through the index/window pair.</summary>
    public uint ReadIndirect(byte index)
    {
        Span<byte> bytes = stackalloc byte[4];
        bytes[0] = index;
        Write(RegisterSelect, bytes[..1]);
        Read(Window, bytes);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }
}
