using Emu.Devices.Irq;
using R = Emu.Devices.Irq.LocalApicRegister;

namespace Emu.Devices.Tests.Irq;

// The IOAPIC against the 82093AA and ICH9 datasheets, delivering to real local APICs.
public sealed class IoApicTests : IDisposable
{
    private readonly IrqRig _rig = new(cpus: 4);

    public IoApicTests() => _rig.EnableAllApics();

    public void Dispose() => _rig.Dispose();

    private IoApic IoApic => _rig.IoApic;

    private ulong Entry(int pin) => IoApic.GetEntry(pin);

    private const ulong RemoteIrr = 1 << 14;

    private static int Take(LocalApic apic)
    {
        int vector = apic.AcknowledgeInterrupt();
        if (vector >= 0)
            apic.WriteRegister(R.Eoi, 0);
        return vector;
    }

    [Fact]
    public void IdentificationRegisters()
    {
        using var rig = new UserspaceInterruptController(1, ioApicId: 5, clock: ClockEvents.CreateManual());
        Assert.Equal(0x0500_0000u, rig.IoApic.ReadIndirect(0x00));
        Assert.Equal(0x0017_0020u, rig.IoApic.ReadIndirect(0x01)); // 24 entries, version 0x20
        Assert.Equal(0x0500_0000u, rig.IoApic.ReadIndirect(0x02));
        rig.IoApic.WriteIndirect(0x00, 0x0A00_0000);
        Assert.Equal(0x0A00_0000u, rig.IoApic.ReadIndirect(0x00));
        rig.IoApic.WriteIndirect(0x01, 0);
        Assert.Equal(0x0017_0020u, rig.IoApic.ReadIndirect(0x01)); // read-only
        Assert.Equal(0x0001_0000u, rig.IoApic.ReadIndirect(0x10 + 2 * 23)); // masked after reset
        Assert.Equal(0u, rig.IoApic.ReadIndirect(0x40)); // beyond the table
    }

    [Fact]
    public void EntriesKeepTheirReadOnlyBits()
    {
        IoApic.WriteIndirect(0x10 + 2 * 5, 0xFFFF_FFFF);
        Assert.Equal(0x0001_AFFFu, IoApic.ReadIndirect(0x10 + 2 * 5)); // no delivery status (12), remote IRR (14) or reserved bits
        IoApic.WriteIndirect(0x11 + 2 * 5, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_0000u, IoApic.ReadIndirect(0x11 + 2 * 5)); // destination and EDID
    }

    [Fact]
    public void AnEdgeOnAnUnmaskedPinIsDeliveredToItsDestination()
    {
        _rig.Route(4, 0x34, destination: 2);
        IoApic.SetPin(4, true);
        Assert.Equal(0x34, _rig.Apics[2].AcknowledgeInterrupt());
        IoApic.SetPin(4, true); // no new edge
        Assert.Equal(-1, _rig.Apics[2].AcknowledgeInterrupt());
        IoApic.SetPin(4, false);
        IoApic.SetPin(4, true);
        Assert.Equal(-1, _rig.Apics[2].AcknowledgeInterrupt()); // 0x34 still in service
        _rig.Apics[2].WriteRegister(R.Eoi, 0);
        Assert.Equal(0x34, _rig.Apics[2].AcknowledgeInterrupt());
        Assert.Equal(0u, _rig.Apics[2].ReadRegister(R.TriggerMode + 0x10)); // edge: TMR clear
    }

    [Fact]
    public void AnEdgeOnAMaskedPinIsLost()
    {
        _rig.Route(4, 0x34, destination: 0, masked: true);
        IoApic.SetPin(4, true);
        IoApic.SetPin(4, false);
        _rig.Route(4, 0x34, destination: 0);
        Assert.Equal(-1, _rig.Apics[0].AcknowledgeInterrupt());
    }

    [Fact]
    public void ALevelInterruptWaitsForItsEoiAndIsDeliveredAgainWhileAsserted()
    {
        LocalApic cpu = _rig.Apics[1];
        _rig.Route(10, 0x5A, destination: 1, level: true);
        IoApic.SetPin(10, true);
        Assert.NotEqual(0ul, Entry(10) & RemoteIrr);
        Assert.Equal(0x5A, cpu.AcknowledgeInterrupt());
        Assert.Equal(1u << (0x5A - 0x40), cpu.ReadRegister(R.TriggerMode + 0x20)); // TMR: level
        IoApic.SetPin(10, false);
        IoApic.SetPin(10, true);
        Assert.Equal(-1, cpu.AcknowledgeInterrupt()); // remote IRR holds it
        cpu.WriteRegister(R.Eoi, 0); // the EOI broadcast clears remote IRR; the line is still high
        Assert.NotEqual(0ul, Entry(10) & RemoteIrr);
        Assert.Equal(0x5A, cpu.AcknowledgeInterrupt());
        IoApic.SetPin(10, false); // the device was serviced
        cpu.WriteRegister(R.Eoi, 0);
        Assert.Equal(0ul, Entry(10) & RemoteIrr);
        Assert.Equal(-1, cpu.AcknowledgeInterrupt());
    }

    [Fact]
    public void TheEoiRegisterEndsALevelInterrupt()
    {
        _rig.Route(11, 0x5B, destination: 0, level: true);
        IoApic.SetPin(11, true);
        Assert.NotEqual(0ul, Entry(11) & RemoteIrr);
        IoApic.Write(0x40, new byte[] { 0x5C, 0, 0, 0 }); // another vector: nothing
        Assert.NotEqual(0ul, Entry(11) & RemoteIrr);
        IoApic.SetPin(11, false);
        IoApic.Write(0x40, new byte[] { 0x5B, 0, 0, 0 });
        Assert.Equal(0ul, Entry(11) & RemoteIrr);
    }

    [Fact]
    public void UnmaskingAnAssertedLevelPinDeliversIt()
    {
        _rig.Route(9, 0x59, destination: 3, level: true, masked: true);
        IoApic.SetPin(9, true);
        Assert.Equal(-1, _rig.Apics[3].AcknowledgeInterrupt());
        _rig.Route(9, 0x59, destination: 3, level: true);
        Assert.Equal(0x59, _rig.Apics[3].AcknowledgeInterrupt());
    }

    [Fact]
    public void WritingAnEntryAsEdgeClearsRemoteIrr()
    {
        _rig.Route(9, 0x59, destination: 3, level: true);
        IoApic.SetPin(9, true);
        Assert.NotEqual(0ul, Entry(9) & RemoteIrr);
        _rig.Route(9, 0x59, destination: 3, level: false, masked: true); // Linux's trick for IOAPICs without EOI
        Assert.Equal(0ul, Entry(9) & RemoteIrr);
    }

    [Fact]
    public void LevelInterruptsWithoutATargetLeaveRemoteIrrClear()
    {
        _rig.Route(7, 0x57, destination: 9, level: true); // no CPU 9
        IoApic.SetPin(7, true);
        Assert.Equal(0ul, Entry(7) & RemoteIrr);
    }

    [Fact]
    public void LogicalDestinationsAndLowestPriority()
    {
        for (int i = 0; i < 4; i++)
            _rig.Apics[i].WriteRegister(R.LogicalDestination, (1u << i) << 24);
        _rig.Route(3, 0x33, destination: 0b0110, logical: true);
        IoApic.SetPin(3, true);
        Assert.Equal(new[] { -1, 0x33, 0x33, -1 }, _rig.Apics.Select(Take));

        _rig.Apics[1].WriteRegister(R.TaskPriority, 0x40);
        _rig.Route(5, 0x35, destination: 0b0110, logical: true, mode: ApicDeliveryMode.LowestPriority);
        IoApic.SetPin(5, true);
        Assert.Equal(new[] { -1, -1, 0x35, -1 }, _rig.Apics.Select(Take));
    }

    [Fact]
    public void NmiEntriesAreEdgeTriggeredEvents()
    {
        _rig.Route(6, 0, destination: 1, level: true, mode: ApicDeliveryMode.Nmi);
        IoApic.SetPin(6, true);
        Assert.Equal(Emu.Core.Interrupts.LocalApicEvents.Nmi, _rig.Apics[1].TakeEvents(out _));
        Assert.Equal(0ul, Entry(6) & RemoteIrr);
    }

    [Fact]
    public void PartialAndWideAccessesUseByteLanes()
    {
        IoApic.Write(0x00, new byte[] { 0x10 + 2 * 8 }); // IOREGSEL, one byte
        IoApic.Write(0x10, new byte[] { 0x48, 0x00 }); // IOWIN, low 16 bits: vector 0x48, unmasked
        byte[] window = new byte[4];
        IoApic.Read(0x10, window);
        Assert.Equal(new byte[] { 0x48, 0x00, 0x01, 0x00 }, window); // the mask bit in byte 2 was not written
        byte[] select = new byte[4];
        IoApic.Read(0x00, select);
        Assert.Equal(0x10 + 2 * 8, select[0]);
        byte[] nothing = new byte[8];
        IoApic.Read(0x800, nothing); // outside the registers: zeros
        Assert.All(nothing, b => Assert.Equal(0, b));
    }
}
