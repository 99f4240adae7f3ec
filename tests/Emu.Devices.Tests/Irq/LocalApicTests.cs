using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Devices.Irq;
using R = Emu.Devices.Irq.LocalApicRegister;

namespace Emu.Devices.Tests.Irq;

// The local APIC against Intel SDM vol. 3A, chapter 11.
public sealed class LocalApicTests : IDisposable
{
    private readonly IrqRig _rig = new(cpus: 4);

    public void Dispose() => _rig.Dispose();

    private LocalApic Apic(int i) => _rig.Apics[i];

    private static void SendFixed(LocalApic from, byte vector, byte destination, bool logical = false, ApicShorthand shorthand = ApicShorthand.None, ApicDeliveryMode mode = ApicDeliveryMode.Fixed)
    {
        from.WriteRegister(R.InterruptCommandHigh, (uint)destination << 24);
        from.WriteRegister(R.InterruptCommandLow, vector | ((uint)mode << 8) | (logical ? 1u << 11 : 0) | (1u << 14) | ((uint)shorthand << 18));
    }

    // The interrupt acknowledge and the handler's EOI.
    private static int Take(LocalApic apic)
    {
        int vector = apic.AcknowledgeInterrupt();
        if (vector >= 0)
            apic.WriteRegister(R.Eoi, 0);
        return vector;
    }

    private static uint LatchedErrors(LocalApic apic)
    {
        apic.WriteRegister(R.ErrorStatus, 0);
        return apic.ReadRegister(R.ErrorStatus);
    }

    [Fact]
    public void PowerOnState()
    {
        LocalApic bsp = Apic(0), ap = Apic(1);
        Assert.Equal(0xFEE0_0900ul, bsp.BaseMsr); // enabled, BSP
        Assert.Equal(0xFEE0_0800ul, ap.BaseMsr);
        Assert.Equal(0x0100_0000u, ap.ReadRegister(R.Id));
        Assert.Equal(0x0005_0014u, ap.ReadRegister(R.Version));
        Assert.Equal(0xFFu, ap.ReadRegister(R.SpuriousVector)); // software disabled
        Assert.Equal(0xFFFF_FFFFu, ap.ReadRegister(R.DestinationFormat));
        Assert.Equal(0x10000u, ap.ReadRegister(R.LvtLint0)); // masked
        Assert.Equal(0x700u, bsp.ReadRegister(R.LvtLint0)); // the BSP's virtual wire (as QEMU/KVM)
        for (uint lvt = R.LvtTimer; lvt <= R.LvtError; lvt += 0x10)
        {
            if (lvt != R.LvtLint0)
                Assert.Equal(0x10000u, bsp.ReadRegister(lvt));
        }
        Assert.Equal(0u, ap.ReadRegister(R.DivideConfiguration));
        Assert.Equal(LocalApicMode.XApic, ap.Mode);
    }

    [Fact]
    public void AFixedInterruptGoesFromIrrToIsrAndEoiEndsIt()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(1);
        Assert.False(apic.HasPendingInterrupt);
        int wakes = _rig.Vcpus[1].Wakes;
        SendFixed(Apic(0), 0x41, 1);
        Assert.True(_rig.Vcpus[1].Wakes > wakes);
        Assert.True(apic.HasPendingInterrupt);
        Assert.Equal(1u << 1, apic.ReadRegister(R.InterruptRequest + 0x20)); // vector 0x41: word 2, bit 1
        Assert.Equal(0x41, apic.AcknowledgeInterrupt());
        Assert.Equal(0u, apic.ReadRegister(R.InterruptRequest + 0x20));
        Assert.Equal(1u << 1, apic.ReadRegister(R.InService + 0x20));
        Assert.Equal(0x40u, apic.ReadRegister(R.ProcessorPriority));
        Assert.False(apic.HasPendingInterrupt);
        Assert.Equal(-1, apic.AcknowledgeInterrupt());
        apic.WriteRegister(R.Eoi, 0);
        Assert.Equal(0u, apic.ReadRegister(R.InService + 0x20));
        Assert.Equal(0u, apic.ReadRegister(R.ProcessorPriority));
    }

    [Fact]
    public void TaskPriorityHoldsBackLowerClassesAndPprFollowsIsr()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(0);
        apic.WriteRegister(R.TaskPriority, 0x55);
        Assert.Equal(0x55u, apic.ReadRegister(R.ProcessorPriority)); // TPR above the (empty) ISR
        Assert.Equal(5, apic.TaskPriorityClass); // CR8
        SendFixed(apic, 0x52, 0, shorthand: ApicShorthand.Self);
        Assert.False(apic.HasPendingInterrupt); // class 5 is not above the priority class 5
        SendFixed(apic, 0x61, 0, shorthand: ApicShorthand.Self);
        Assert.True(apic.HasPendingInterrupt);
        Assert.Equal(0x61, apic.AcknowledgeInterrupt());
        Assert.Equal(0x60u, apic.ReadRegister(R.ProcessorPriority)); // the ISR class is higher now
        apic.TaskPriorityClass = 0;
        Assert.Equal(0u, apic.ReadRegister(R.TaskPriority));
        Assert.False(apic.HasPendingInterrupt); // 0x52 waits behind the 0x61 in service
        apic.WriteRegister(R.Eoi, 0);
        Assert.Equal(0x52, apic.AcknowledgeInterrupt());
        Assert.Equal(0x50u, apic.ReadRegister(R.ArbitrationPriority)); // ISR class 5 (xAPIC only)
    }

    [Fact]
    public void NestedInterruptsEndInPriorityOrder()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(0);
        SendFixed(apic, 0x30, 0, shorthand: ApicShorthand.Self);
        Assert.Equal(0x30, apic.AcknowledgeInterrupt());
        SendFixed(apic, 0x80, 0, shorthand: ApicShorthand.Self);
        SendFixed(apic, 0x31, 0, shorthand: ApicShorthand.Self); // same class as 0x30 in service: waits
        Assert.Equal(0x80, apic.AcknowledgeInterrupt());
        Assert.Equal(-1, apic.AcknowledgeInterrupt());
        apic.WriteRegister(R.Eoi, 0); // ends 0x80, the highest in service
        Assert.Equal(1u << 16, apic.ReadRegister(R.InService + 0x10)); // 0x30 still in service
        Assert.Equal(0u, apic.ReadRegister(R.InService + 0x40));
        Assert.Equal(-1, apic.AcknowledgeInterrupt());
        apic.WriteRegister(R.Eoi, 0);
        Assert.Equal(0x31, apic.AcknowledgeInterrupt());
    }

    [Fact]
    public void IllegalVectorsAreErrorsWithWriteBeforeReadStatus()
    {
        _rig.EnableAllApics();
        LocalApic sender = Apic(0), receiver = Apic(1);
        receiver.WriteRegister(R.LvtError, 0xFE); // error interrupts to vector 0xFE
        SendFixed(sender, 0x05, 1);
        Assert.Equal(0u, sender.ReadRegister(R.ErrorStatus)); // nothing readable until the ESR is written
        Assert.Equal(R.ErrorSendIllegalVector, LatchedErrors(sender));
        Assert.Equal(0u, LatchedErrors(sender)); // the write cleared them
        Assert.False(receiver.HasPendingInterrupt);

        // An IOAPIC or MSI can still carry one: the receiver refuses it and raises its error interrupt.
        _rig.Controller.SignalMsi(MsiDecoder.Encode(1, 0x07));
        Assert.Equal(R.ErrorReceiveIllegalVector, LatchedErrors(receiver));
        Assert.Equal(0xFE, receiver.AcknowledgeInterrupt());

        receiver.WriteRegister(0x2F0, 1); // no CMCI LVT with 6 entries: a reserved register
        Assert.Equal(R.ErrorIllegalRegister, LatchedErrors(receiver));
    }

    [Fact]
    public void IpisReachTheirDestinations()
    {
        _rig.EnableAllApics();
        // Physical.
        SendFixed(Apic(0), 0x40, 2);
        Assert.True(Apic(2).HasPendingInterrupt);
        Assert.False(Apic(1).HasPendingInterrupt);
        Assert.Equal(0x40, Take(Apic(2)));
        Assert.Equal(0u, Apic(0).ReadRegister(R.InterruptCommandLow) & (1 << 12)); // delivery status idle

        // Broadcast 0xFF reaches everyone, sender included.
        SendFixed(Apic(0), 0x41, 0xFF);
        Assert.All(_rig.Apics, a => Assert.Equal(0x41, Take(a)));

        // Shorthands.
        SendFixed(Apic(1), 0x42, 0, shorthand: ApicShorthand.AllExcludingSelf);
        Assert.Equal(-1, Take(Apic(1)));
        Assert.Equal(0x42, Take(Apic(0)));
        Assert.Equal(0x42, Take(Apic(3)));
        Take(Apic(2));
        SendFixed(Apic(1), 0x43, 3, shorthand: ApicShorthand.Self); // the destination is ignored
        Assert.Equal(0x43, Take(Apic(1)));
        Assert.Equal(-1, Take(Apic(3)));
        SendFixed(Apic(1), 0x44, 0, shorthand: ApicShorthand.AllIncludingSelf);
        Assert.All(_rig.Apics, a => Assert.Equal(0x44, Take(a)));
    }

    [Fact]
    public void LogicalDestinationsInFlatAndClusterModels()
    {
        _rig.EnableAllApics();
        for (int i = 0; i < 4; i++)
            Apic(i).WriteRegister(R.LogicalDestination, (1u << i) << 24); // flat: one bit per CPU
        SendFixed(Apic(0), 0x50, 0b1010, logical: true);
        Assert.Equal(new[] { -1, 0x50, -1, 0x50 }, _rig.Apics.Select(a => Take(a)));

        // Cluster model: cluster 1 holds CPUs 0 and 1, cluster 2 CPUs 2 and 3.
        for (int i = 0; i < 4; i++)
        {
            Apic(i).WriteRegister(R.DestinationFormat, 0x0FFF_FFFF);
            Apic(i).WriteRegister(R.LogicalDestination, (uint)(((i / 2 + 1) << 4) | (1 << (i % 2))) << 24);
        }
        SendFixed(Apic(0), 0x51, 0x22, logical: true); // cluster 2, member bit 1: CPU 3
        Assert.Equal(new[] { -1, -1, -1, 0x51 }, _rig.Apics.Select(a => Take(a)));
        SendFixed(Apic(0), 0x52, 0x13, logical: true); // cluster 1, both
        Assert.Equal(new[] { 0x52, 0x52, -1, -1 }, _rig.Apics.Select(a => Take(a)));
    }

    [Fact]
    public void LowestPriorityPicksOneCpuWithTheLowestTaskPriority()
    {
        _rig.EnableAllApics();
        for (int i = 0; i < 4; i++)
        {
            Apic(i).WriteRegister(R.LogicalDestination, (1u << i) << 24);
            Apic(i).WriteRegister(R.TaskPriority, i == 2 ? 0x10u : 0x30u);
        }
        SendFixed(Apic(0), 0x60, 0x0F, logical: true, mode: ApicDeliveryMode.LowestPriority);
        Assert.Equal(new[] { -1, -1, 0x60, -1 }, _rig.Apics.Select(a => Take(a)));

        // Among equals: one of them each time, spread round-robin.
        for (int i = 0; i < 4; i++)
            Apic(i).WriteRegister(R.TaskPriority, 0);
        var seen = new HashSet<int>();
        for (int n = 0; n < 8; n++)
        {
            SendFixed(Apic(0), 0x61, 0x0F, logical: true, mode: ApicDeliveryMode.LowestPriority);
            int[] got = _rig.Apics.Select(a => Take(a)).ToArray();
            Assert.Single(got, v => v == 0x61);
            seen.Add(Array.IndexOf(got, 0x61));
        }
        Assert.True(seen.Count > 1);
    }

    [Fact]
    public void InitAndStartupIpisBringUpAnAp()
    {
        _rig.EnableAllApics();
        LocalApic ap = Apic(1);
        ap.WriteRegister(R.TaskPriority, 0x20);
        SendFixed(Apic(0), 0x45, 1);
        // Linux: INIT assert, INIT de-assert (level), then two SIPIs.
        Apic(0).WriteRegister(R.InterruptCommandHigh, 1u << 24);
        Apic(0).WriteRegister(R.InterruptCommandLow, 0x0000_C500); // INIT, level, assert
        Assert.Equal(LocalApicEvents.Init, ap.TakeEvents(out _));
        Assert.Equal(0u, ap.ReadRegister(R.TaskPriority)); // INIT reset the APIC...
        Assert.Equal(0u, ap.ReadRegister(R.InterruptRequest + 0x20));
        Assert.Equal(0xFFu, ap.ReadRegister(R.SpuriousVector));
        Assert.Equal(0x0100_0000u, ap.ReadRegister(R.Id)); // ...but not its ID
        Apic(0).WriteRegister(R.InterruptCommandLow, 0x0000_8500); // INIT level de-assert: nothing
        Assert.Equal(LocalApicEvents.None, ap.TakeEvents(out _));
        Apic(0).WriteRegister(R.InterruptCommandLow, 0x0000_4600 | 0x9A); // SIPI, vector 0x9A (0x9A000)
        Apic(0).WriteRegister(R.InterruptCommandLow, 0x0000_4600 | 0x9A);
        Assert.Equal(LocalApicEvents.Startup, ap.TakeEvents(out byte vector));
        Assert.Equal(0x9A, vector);
        Assert.Equal(LocalApicEvents.None, Apic(2).TakeEvents(out _));
    }

    [Fact]
    public void NmiAndSmiIpisAreEvents()
    {
        SendFixed(Apic(0), 0, 3, mode: ApicDeliveryMode.Nmi);
        SendFixed(Apic(0), 0, 3, mode: ApicDeliveryMode.Smi);
        Assert.Equal(LocalApicEvents.Nmi | LocalApicEvents.Smi, Apic(3).TakeEvents(out _));
        _rig.Controller.InjectNmi();
        Assert.All(_rig.Apics, a => Assert.Equal(LocalApicEvents.Nmi, a.TakeEvents(out _)));
    }

    [Fact]
    public void ASoftwareDisabledApicTakesNoFixedInterruptsAndKeepsItsLvtsMasked()
    {
        LocalApic apic = Apic(1);
        SendFixed(Apic(0), 0x40, 1);
        Assert.False(apic.HasPendingInterrupt);
        apic.WriteRegister(R.LvtThermal, 0x42);
        Assert.Equal(0x10042u, apic.ReadRegister(R.LvtThermal));
        _rig.EnableApic(1);
        apic.WriteRegister(R.LvtThermal, 0x42);
        Assert.Equal(0x42u, apic.ReadRegister(R.LvtThermal));
        apic.WriteRegister(R.SpuriousVector, 0xFF); // disable again: every LVT masked
        Assert.Equal(0x10042u, apic.ReadRegister(R.LvtThermal));
    }

    [Fact]
    public void TheBaseMsrFollowsTheArchitecturalTransitions()
    {
        LocalApic apic = Apic(1);
        const ulong En = 1 << 11, Extd = 1 << 10, Base = 0xFEE0_0000;
        Assert.False(apic.TrySetBaseMsr(Base | En | 1)); // reserved bit 0
        Assert.False(apic.TrySetBaseMsr(Base | En | (1 << 9))); // reserved bit 9
        Assert.False(apic.TrySetBaseMsr((1ul << 52) | Base | En)); // above MAXPHYADDR
        Assert.False(apic.TrySetBaseMsr(Base | Extd)); // EXTD without EN: invalid
        Assert.True(apic.TrySetBaseMsr(Base | En | Extd)); // xAPIC to x2APIC
        Assert.Equal(LocalApicMode.X2Apic, apic.Mode);
        Assert.False(apic.TrySetBaseMsr(Base | En)); // x2APIC to xAPIC: #GP
        Assert.True(apic.TrySetBaseMsr(Base)); // x2APIC to disabled
        Assert.Equal(LocalApicMode.Disabled, apic.Mode);
        Assert.False(apic.TrySetBaseMsr(Base | En | Extd)); // disabled to x2APIC: #GP
        Assert.True(apic.TrySetBaseMsr(0xFED0_0000 | En)); // disabled to xAPIC, moved
        Assert.Equal(0xFED0_0800ul, apic.BaseMsr);
        Assert.Equal(0x0100_0000u, apic.ReadRegister(R.Id));
        Assert.Equal(0xFFu, apic.ReadRegister(R.SpuriousVector)); // back in its reset state
    }

    [Fact]
    public void AGloballyDisabledApicTakesNothingFromTheBus()
    {
        _rig.EnableAllApics();
        Assert.True(Apic(2).TrySetBaseMsr(0xFEE0_0000));
        SendFixed(Apic(0), 0x40, 0xFF);
        SendFixed(Apic(0), 0, 2, mode: ApicDeliveryMode.Nmi);
        Assert.False(Apic(2).HasPendingInterrupt);
        Assert.Equal(LocalApicEvents.None, Apic(2).TakeEvents(out _));
        Assert.Equal(0u, Apic(2).ReadRegister(R.Version)); // no register page either
        Apic(2).SetLocalInterruptPin(1, true); // but LINT1 is the NMI pin
        Assert.Equal(LocalApicEvents.Nmi, Apic(2).TakeEvents(out _));
    }

    [Fact]
    public void X2ApicRegistersAreMsrs()
    {
        LocalApic apic = Apic(0);
        LocalApic other = Apic(3);
        Assert.False(apic.TryReadMsr(0x802, out _)); // not in x2APIC mode yet
        Assert.True(apic.TrySetBaseMsr(apic.BaseMsr | (1 << 10)));
        Assert.True(other.TrySetBaseMsr(other.BaseMsr | (1 << 10)));
        Assert.Equal(0u, apic.ReadRegister(R.Version)); // the page is gone in x2APIC mode

        Assert.True(other.TryReadMsr(0x802, out ulong id));
        Assert.Equal(3ul, id);
        Assert.True(other.TryReadMsr(0x80D, out ulong ldr));
        Assert.Equal(1ul << 3, ldr); // cluster 0, bit 3
        Assert.Equal(0x0001_0010u, LocalApic.X2ApicLogicalId(0x14)); // cluster 1, bit 4
        Assert.True(apic.TryReadMsr(0x803, out ulong version));
        Assert.Equal(0x50014ul, version);

        Assert.True(apic.TryWriteMsr(0x80F, 0x1FF)); // SVR
        Assert.True(other.TryWriteMsr(0x80F, 0x1FF));
        Assert.False(apic.TryWriteMsr(0x802, 5)); // ID is read-only
        Assert.False(apic.TryWriteMsr(0x80D, 1)); // so is LDR
        Assert.False(apic.TryReadMsr(0x80E, out _)); // no DFR
        Assert.False(apic.TryReadMsr(0x809, out _)); // no APR
        Assert.False(apic.TryReadMsr(0x831, out _)); // no ICR high half
        Assert.False(apic.TryReadMsr(0x80B, out _)); // EOI is write-only
        Assert.False(apic.TryWriteMsr(0x80B, 1)); // EOI takes only 0
        Assert.False(apic.TryWriteMsr(0x828, 1)); // ESR takes only 0
        Assert.False(apic.TryWriteMsr(0x808, 1ul << 32)); // the upper half is reserved
        Assert.False(apic.TryWriteMsr(0x808, 0x100)); // TPR bits 31:8 are reserved
        Assert.False(apic.TryWriteMsr(0x83F, 0x100)); // so are SELF IPI's

        // ICR: one 64-bit write, 32-bit destination.
        Assert.True(apic.TryWriteMsr(0x830, (3ul << 32) | 0x4055));
        Assert.Equal(0x55, other.AcknowledgeInterrupt());
        Assert.True(other.TryWriteMsr(0x80B, 0));
        Assert.True(apic.TryReadMsr(0x830, out ulong icr));
        Assert.Equal((3ul << 32) | 0x4055, icr);
        Assert.False(apic.TryWriteMsr(0x830, 1ul << 13)); // reserved bit
        // Logical x2APIC: cluster 0, bit 3.
        Assert.True(apic.TryWriteMsr(0x830, (8ul << 32) | 0x4856));
        Assert.Equal(0x56, other.AcknowledgeInterrupt());
        Assert.True(other.TryWriteMsr(0x80B, 0));
        // Broadcast 0xFFFFFFFF; 0xFF is just an ID in x2APIC format.
        Assert.True(apic.TryWriteMsr(0x830, (0xFFul << 32) | 0x4057));
        Assert.Equal(-1, other.AcknowledgeInterrupt());
        Assert.True(apic.TryWriteMsr(0x830, (0xFFFF_FFFFul << 32) | 0x4058));
        Assert.Equal(0x58, other.AcknowledgeInterrupt());
        Assert.Equal(0x58, apic.AcknowledgeInterrupt());

        // SELF IPI and EOI.
        Assert.True(apic.TryWriteMsr(0x83F, 0x77));
        Assert.Equal(0x77, apic.AcknowledgeInterrupt());
        Assert.True(apic.TryWriteMsr(0x80B, 0));
        Assert.True(apic.TryReadMsr(0x810 + 3, out ulong isr)); // ISR word 3: vectors 0x60-0x7F
        Assert.Equal(0ul, isr);
        Assert.True(apic.TryReadMsr(0x812, out ulong isr2));
        Assert.Equal(1ul << (0x58 - 0x40), isr2); // 0x58 still in service
    }

    [Fact]
    public void OneShotTimerCountsDownAndFiresOnce()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(0);
        apic.WriteRegister(R.DivideConfiguration, 0b1011); // divide by 1: 1 count per ns
        apic.WriteRegister(R.LvtTimer, 0xEC);
        apic.WriteRegister(R.InitialCount, 1_000_000);
        Assert.Equal(1_000_000u, apic.ReadRegister(R.CurrentCount));
        _rig.Clock.Advance(250_000);
        Assert.Equal(750_000u, apic.ReadRegister(R.CurrentCount));
        Assert.False(apic.HasPendingInterrupt);
        _rig.Clock.Advance(750_000);
        Assert.Equal(0u, apic.ReadRegister(R.CurrentCount));
        Assert.Equal(0xEC, apic.AcknowledgeInterrupt());
        apic.WriteRegister(R.Eoi, 0);
        _rig.Clock.Advance(10_000_000);
        Assert.False(apic.HasPendingInterrupt);
        Assert.Equal(1_000_000u, apic.ReadRegister(R.InitialCount));

        // Divide by 16: 16 ns per count.
        apic.WriteRegister(R.DivideConfiguration, 0b0011);
        apic.WriteRegister(R.InitialCount, 1000);
        _rig.Clock.Advance(1600);
        Assert.Equal(900u, apic.ReadRegister(R.CurrentCount));
        apic.WriteRegister(R.DivideConfiguration, 0b1011); // divide by 1 from here: 900 ns left
        _rig.Clock.Advance(899);
        Assert.False(apic.HasPendingInterrupt);
        _rig.Clock.Advance(1);
        Assert.True(apic.HasPendingInterrupt);
    }

    [Fact]
    public void APeriodicTimerReloads()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(1);
        apic.WriteRegister(R.DivideConfiguration, 0b0000); // divide by 2
        apic.WriteRegister(R.LvtTimer, (1 << 17) | 0xEF);
        apic.WriteRegister(R.InitialCount, 500_000); // 1 ms
        int fired = 0;
        for (int i = 0; i < 10; i++)
        {
            _rig.Clock.Advance(1_000_000);
            if (apic.AcknowledgeInterrupt() == 0xEF)
            {
                fired++;
                apic.WriteRegister(R.Eoi, 0);
            }
        }
        Assert.Equal(10, fired);
        _rig.Clock.Advance(300_000);
        Assert.Equal(350_000u, apic.ReadRegister(R.CurrentCount));

        // Masked: it keeps counting but interrupts nobody.
        apic.WriteRegister(R.LvtTimer, (1 << 17) | (1 << 16) | 0xEF);
        _rig.Clock.Advance(5_000_000);
        Assert.False(apic.HasPendingInterrupt);
        // Initial count 0 stops it.
        apic.WriteRegister(R.InitialCount, 0);
        Assert.Equal(0u, apic.ReadRegister(R.CurrentCount));
    }

    [Fact]
    public void TscDeadlineModeFiresAtTheDeadline()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(0);
        apic.SetTscDeadline(_rig.Clock.Now + 1000); // not in TSC-deadline mode: ignored
        apic.WriteRegister(R.LvtTimer, (2 << 17) | 0xED);
        _rig.Clock.Advance(5000);
        Assert.False(apic.HasPendingInterrupt);
        apic.WriteRegister(R.InitialCount, 100); // ignored in this mode
        Assert.Equal(0u, apic.ReadRegister(R.InitialCount));
        apic.SetTscDeadline(_rig.Clock.Now + 2_000_000);
        Assert.NotEqual(0, apic.TscDeadline);
        _rig.Clock.Advance(1_999_999);
        Assert.False(apic.HasPendingInterrupt);
        _rig.Clock.Advance(1);
        Assert.Equal(0xED, apic.AcknowledgeInterrupt());
        Assert.Equal(0, apic.TscDeadline); // reads 0 after it fired
        apic.WriteRegister(R.Eoi, 0);
        apic.SetTscDeadline(_rig.Clock.Now - 5); // already past: fires at once
        Assert.Equal(0xED, apic.AcknowledgeInterrupt());
        apic.SetTscDeadline(_rig.Clock.Now + 1000);
        apic.SetTscDeadline(0); // disarmed
        _rig.Clock.Advance(10_000);
        Assert.Equal(-1, apic.AcknowledgeInterrupt());
        // Leaving TSC-deadline mode disarms it too.
        apic.SetTscDeadline(_rig.Clock.Now + 1000);
        apic.WriteRegister(R.LvtTimer, 0xED);
        _rig.Clock.Advance(10_000);
        Assert.Equal(-1, apic.AcknowledgeInterrupt());
    }

    [Fact]
    public void TheTimerFiresOnTheRealClock()
    {
        var vcpu = new FakeApicVcpu(0);
        using var irq = new UserspaceInterruptController(1);
        LocalApic apic = irq.CreateLocalApic(vcpu);
        apic.WriteRegister(R.SpuriousVector, 0x1FF);
        apic.WriteRegister(R.LvtLint0, 0x10700); // the uninitialized 8259 and the PIT are behind LINT0
        apic.WriteRegister(R.DivideConfiguration, 0b1011);
        apic.WriteRegister(R.LvtTimer, 0xEC);
        apic.WriteRegister(R.InitialCount, 1_000_000); // 1 ms
        Assert.True(SpinWait.SpinUntil(() => apic.HasPendingInterrupt, TimeSpan.FromSeconds(2)));
        Assert.Equal(0xEC, apic.AcknowledgeInterrupt());
        Assert.True(vcpu.Wakes > 0);
        Assert.Same(apic, vcpu.Apic);
    }

    [Fact]
    public void ExtIntIsTheVirtualWireFromThe8259()
    {
        IrqRig.InitPic(_rig.Pic, masterBase: 0x30);
        LocalApic bsp = Apic(0), ap = Apic(1);
        int wakes = _rig.Vcpus[0].Wakes;
        _rig.Controller.GetLine(1).Set(true); // keyboard IRQ 1
        Assert.True(_rig.Vcpus[0].Wakes > wakes);
        Assert.True(bsp.HasPendingInterrupt); // LINT0 is ExtINT on the BSP from reset
        Assert.False(ap.HasPendingInterrupt); // masked on the APs
        Assert.Equal(0x31, bsp.AcknowledgeInterrupt()); // the 8259's vector
        Assert.False(bsp.HasPendingInterrupt);
        _rig.Controller.GetLine(1).Set(false);

        // Masking LINT0 cuts the wire; a disabled APIC passes INTR straight through.
        bsp.WriteRegister(R.SpuriousVector, 0x1FF);
        bsp.WriteRegister(R.LvtLint0, 0x10700);
        IrqRig.Out(_rig.Pic.MasterPorts, 0, 0x20); // EOI
        _rig.Controller.GetLine(1).Set(true);
        Assert.False(bsp.HasPendingInterrupt);
        Assert.True(ap.TrySetBaseMsr(0xFEE0_0000));
        Assert.True(ap.HasPendingInterrupt);
        Assert.Equal(0x31, ap.AcknowledgeInterrupt());
    }

    [Fact]
    public void Lint1DeliversAnNmi()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(1);
        apic.WriteRegister(R.LvtLint1, 0x400); // NMI, as firmware programs it
        apic.SetLocalInterruptPin(1, true);
        apic.SetLocalInterruptPin(1, false);
        Assert.Equal(LocalApicEvents.Nmi, apic.TakeEvents(out _));
        apic.WriteRegister(R.LvtLint1, 0x10400); // masked
        apic.SetLocalInterruptPin(1, true);
        Assert.Equal(LocalApicEvents.None, apic.TakeEvents(out _));
    }

    [Fact]
    public void StateRoundTripsThroughTheRegisterPage()
    {
        _rig.EnableAllApics();
        LocalApic apic = Apic(1);
        apic.WriteRegister(R.TaskPriority, 0x20);
        apic.WriteRegister(R.LogicalDestination, 0x0400_0000);
        apic.WriteRegister(R.LvtLint1, 0x400);
        apic.WriteRegister(R.DivideConfiguration, 0x3);
        apic.GetState(out X86LocalApic page);
        Assert.Equal(0x0100_0000u, page.Read(X86LocalApic.IdRegister));
        Assert.Equal(0x1FFu, page.Read(X86LocalApic.SpuriousVector));
        Assert.Equal(X86LocalApic.DeliveryNmi, page.Read(X86LocalApic.LvtLint1));

        LocalApic target = Apic(2);
        target.SetState(page);
        Assert.Equal(0x20u, target.ReadRegister(R.TaskPriority));
        Assert.Equal(0x0400_0000u, target.ReadRegister(R.LogicalDestination));
        Assert.Equal(0x400u, target.ReadRegister(R.LvtLint1));
        Assert.Equal(0x3u, target.ReadRegister(R.DivideConfiguration));
        Assert.Equal(0x0200_0000u, target.ReadRegister(R.Id)); // not part of the loaded state
    }
}
