using Emu.Accel.Kvm;
using Emu.Accel.Kvm.Interop;
using Emu.Core.Cpu;
using Emu.Core.Migration;
using Emu.Lab;

namespace Emu.Accel.Tests;

/// <summary>
/// A KVM vCPU's state and the VM's in-kernel PICs, IOAPIC, PIT and clock,
/// saved from one VM and loaded into a fresh one, come out as they went in;
/// a stream with values KVM would take but hardware cannot hold is refused.
/// </summary>
public sealed unsafe class KvmMigrationStateTests
{
    private const uint Star = 0xC000_0081, Lstar = 0xC000_0082, Tsc = 0x10, Pat = 0x277;

    [KvmFact]
    public void A_vcpus_registers_msrs_and_local_apic_arrive_in_a_fresh_vm()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        byte[] saved;
        X86SpecialRegisters special;
        ulong tscSaved;
        using (IVirtualMachine source = kvm.CreateVirtualMachine(new VirtualMachineOptions { InKernelIrqChip = true }))
        using (IVcpu vcpu = source.CreateVcpu(0))
        {
            vcpu.ResetToInitialState();
            vcpu.SetRegisters(new X86Registers { Rip = 0x1234, Rax = 0xDEAD_BEEF, R15 = 0x1515, Rsp = 0x8000, Rflags = 0x202 });
            special = vcpu.GetSpecialRegisters();
            special.Cs.Base = 0x5000;
            special.Cs.Selector = 0x500;
            special.Cr2 = 0xCAFE_0000;
            vcpu.SetSpecialRegisters(special);
            Assert.Equal(4, vcpu.SetMsrs(new X86Msr[] { new(Star, 0x0023_0010_0000_0000), new(Lstar, 0xFFFF_FFFF_8100_0000), new(Pat, 0x0007_0406_0007_0406), new(Tsc, 1UL << 40) }));
            vcpu.GetLocalApic(out X86LocalApic apic);
            apic.Write(X86LocalApic.LvtLint0, X86LocalApic.DeliveryExtInt);
            vcpu.SetLocalApic(apic);
            var writer = new StateWriter("cpu/0");
            vcpu.SaveState(writer);
            saved = writer.Written.ToArray();
            var stream = new StateReader("cpu/0", saved);
            uint[] indices = new uint[stream.ReadBytes("msr-index").Length / 4];
            ulong[] values = new ulong[indices.Length];
            stream.ReadU32Array("msr-index", indices);
            stream.ReadU64Array("msr-value", values);
            tscSaved = values[Array.IndexOf(indices, Tsc)];
            Assert.True(tscSaved >= 1UL << 40, $"the saved TSC 0x{tscSaved:x} is behind the one written");
        }

        using IVirtualMachine destination = kvm.CreateVirtualMachine(new VirtualMachineOptions { InKernelIrqChip = true });
        using IVcpu loaded = destination.CreateVcpu(0);
        loaded.ResetToInitialState();
        loaded.LoadState(new StateReader("cpu/0", saved));

        X86Registers r = loaded.GetRegisters();
        Assert.Equal(0x1234UL, r.Rip);
        Assert.Equal(0xDEAD_BEEFUL, r.Rax);
        Assert.Equal(0x1515UL, r.R15);
        Assert.Equal(0x8000UL, r.Rsp);
        X86SpecialRegisters s = loaded.GetSpecialRegisters();
        Assert.Equal(0x5000UL, s.Cs.Base);
        Assert.Equal((ushort)0x500, s.Cs.Selector);
        Assert.Equal(0xCAFE_0000UL, s.Cr2);
        Assert.Equal(special.ApicBase, s.ApicBase);
        Span<X86Msr> msrs = stackalloc X86Msr[] { new(Star, 0), new(Lstar, 0), new(Pat, 0), new(Tsc, 0) };
        Assert.Equal(4, loaded.GetMsrs(msrs));
        Assert.Equal(0x0023_0010_0000_0000UL, msrs[0].Value);
        Assert.Equal(0xFFFF_FFFF_8100_0000UL, msrs[1].Value);
        Assert.Equal(0x0007_0406_0007_0406UL, msrs[2].Value);
        // The guest's time stamp counter goes on from where the source's was: never behind it.
        Assert.True(msrs[3].Value >= tscSaved, $"TSC 0x{msrs[3].Value:x} is behind the saved 0x{tscSaved:x}");
        loaded.GetLocalApic(out X86LocalApic apicLoaded);
        Assert.Equal(X86LocalApic.DeliveryExtInt, apicLoaded.Read(X86LocalApic.LvtLint0) & 0x1_0700);
    }

    [KvmFact]
    public void A_vcpu_stream_with_an_unknown_msr_or_impossible_events_is_refused()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        using IVirtualMachine vm = kvm.CreateVirtualMachine(new VirtualMachineOptions { InKernelIrqChip = true });
        using IVcpu vcpu = vm.CreateVcpu(0);
        vcpu.ResetToInitialState();
        var writer = new StateWriter("cpu/0");
        vcpu.SaveState(writer);
        byte[] good = writer.Written.ToArray();
        vcpu.LoadState(new StateReader("cpu/0", good)); // the unchanged stream loads

        var reader = new StateReader("cpu/0", good);
        uint[] indices = new uint[reader.ReadBytes("msr-index").Length / 4];
        reader.ReadU32Array("msr-index", indices);
        indices[0] = 0x4000_1234; // no MSR KVM keeps for this vCPU
        byte[] badMsr = Rewrite(good, "msr-index", w => w.WriteU32Array("msr-index", indices));
        var e = Assert.Throws<MigrationException>(() => vcpu.LoadState(new StateReader("cpu/0", badMsr)));
        Assert.Contains("MSR 0x40001234", e.Message);

        KvmVcpuEvents events = new StateReader("cpu/0", good).ReadStruct<KvmVcpuEvents>("events");
        events.Flags |= 0x8000_0000;
        byte[] badEvents = Rewrite(good, "events", w => w.WriteStruct("events", events));
        e = Assert.Throws<MigrationException>(() => vcpu.LoadState(new StateReader("cpu/0", badEvents)));
        Assert.Contains("event flags", e.Message);

        byte[] badMpState = Rewrite(good, "mp-state", w => w.WriteU32("mp-state", 77));
        e = Assert.Throws<MigrationException>(() => vcpu.LoadState(new StateReader("cpu/0", badMpState)));
        Assert.Contains("mp-state", e.Message);
    }

    // QEMU's kvmclock does the same: a guest stopped for a while does not see the while pass
    // when it runs again, and a snapshot taken long after `stop` carries the clock of the stop.
    [KvmFact]
    public void The_guest_clock_stands_still_while_the_guest_is_stopped()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        using var vm = (KvmVirtualMachine)kvm.CreateVirtualMachine(new VirtualMachineOptions { InKernelIrqChip = true });
        MigrationSection clock = vm.MigrationSections.Single(s => s.Id == "kvm/clock");
        ulong Saved()
        {
            var writer = new StateWriter(clock.Id);
            clock.State.SaveState(writer);
            return new StateReader(clock.Id, writer.Written.ToArray()).ReadU64("clock-ns");
        }

        vm.GuestStopped();
        ulong atStop = Saved();
        Thread.Sleep(2000);
        Assert.Equal(atStop, Saved());
        vm.GuestResuming();
        KvmApi.GetClock(vm.Handle, out KvmClockData running);
        Assert.InRange(running.Clock, atStop, atStop + 1_000_000_000UL); // on from the stop, not 2 s later
        Thread.Sleep(100);
        Assert.True(Saved() > running.Clock, "the clock does not run again after the guest resumed");
    }

    [KvmFact]
    public void The_in_kernel_ioapic_pit_and_clock_arrive_in_a_fresh_vm_and_impossible_values_are_refused()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        var options = new VirtualMachineOptions { InKernelIrqChip = true };
        var saved = new Dictionary<string, byte[]>();
        ulong clockSaved;
        using (var source = (KvmVirtualMachine)kvm.CreateVirtualMachine(options))
        {
            // What a guest leaves behind: an IOAPIC pin routed to vector 0x31, PIT counter 0 in mode 2 (rate generator).
            var ioapic = new KvmIrqchip { ChipId = KvmIrqchip.Ioapic };
            KvmApi.GetIrqchip(source.Handle, ref ioapic);
            ((KvmIoapicState*)ioapic.Chip)->RedirectionTable[4] = 0x31;
            KvmApi.SetIrqchip(source.Handle, ioapic);
            KvmApi.GetPit2(source.Handle, out KvmPitState2 pit);
            pit.Channel0.Mode = 2;
            pit.Channel0.RwMode = 3;
            pit.Channel0.Count = 1193;
            KvmApi.SetPit2(source.Handle, pit);
            foreach (MigrationSection section in source.MigrationSections)
            {
                var writer = new StateWriter(section.Id);
                section.State.SaveState(writer);
                saved[section.Id] = writer.Written.ToArray();
            }
            clockSaved = new StateReader("kvm/clock", saved["kvm/clock"]).ReadU64("clock-ns");
        }
        Assert.Equal(new[] { "kvm/irqchip", "kvm/pit", "kvm/clock" }, saved.Keys);

        using var destination = (KvmVirtualMachine)kvm.CreateVirtualMachine(options);
        foreach (MigrationSection section in destination.MigrationSections)
            section.State.LoadState(new StateReader(section.Id, saved[section.Id]));
        var loadedIoapic = new KvmIrqchip { ChipId = KvmIrqchip.Ioapic };
        KvmApi.GetIrqchip(destination.Handle, ref loadedIoapic);
        Assert.Equal(0x31UL, ((KvmIoapicState*)loadedIoapic.Chip)->RedirectionTable[4]);
        KvmApi.GetPit2(destination.Handle, out KvmPitState2 loadedPit);
        Assert.Equal(2, loadedPit.Channel0.Mode);
        Assert.Equal(1193u, loadedPit.Channel0.Count);
        KvmApi.GetClock(destination.Handle, out KvmClockData clock);
        Assert.True(clock.Clock >= clockSaved, $"the guest clock went back from {clockSaved} to {clock.Clock} ns");

        MigrationSection irqchip = destination.MigrationSections.Single(s => s.Id == "kvm/irqchip");
        KvmIoapicState moved = new StateReader("kvm/irqchip", saved["kvm/irqchip"]).ReadStruct<KvmIoapicState>("ioapic");
        moved.BaseAddress = 0xFED0_0000;
        byte[] badIoapic = Rewrite(saved["kvm/irqchip"], "ioapic", w => w.WriteStruct("ioapic", moved));
        Assert.Contains("IOAPIC at 0xfed00000", Assert.Throws<MigrationException>(() => irqchip.State.LoadState(new StateReader("kvm/irqchip", badIoapic))).Message);

        MigrationSection pitSection = destination.MigrationSections.Single(s => s.Id == "kvm/pit");
        KvmPitChannelState channel = new StateReader("kvm/pit", saved["kvm/pit"]).ReadStruct<KvmPitChannelState>("channel1");
        channel.Mode = 9;
        byte[] badPit = Rewrite(saved["kvm/pit"], "channel1", w => w.WriteStruct("channel1", channel));
        Assert.Contains("channel1", Assert.Throws<MigrationException>(() => pitSection.State.LoadState(new StateReader("kvm/pit", badPit))).Message);
    }

    // The payload with one field written anew, the others as they were.
    private static byte[] Rewrite(byte[] payload, string field, Action<StateWriter> write)
    {
        var reader = new StateReader("test", payload);
        var writer = new StateWriter("test");
        foreach (string name in reader.FieldNames.ToArray())
        {
            if (name == field)
                write(writer);
            else
                writer.WriteRaw(name, reader.TypeOf(name)!.Value, reader.ReadRaw(name));
        }
        return writer.Written.ToArray();
    }
}
