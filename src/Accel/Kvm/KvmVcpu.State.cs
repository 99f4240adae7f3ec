using Emu.Accel.Kvm.Interop;
using Emu.Core.Migration;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

// A KVM vCPU's section of the migration stream: everything KVM keeps for it,
// read with the vCPU stopped on its own thread. The kernel's uAPI structs are
// stable ABI, so the register files travel as those structs; the MSRs travel
// as (index, value) arrays. The stream is hostile: every index, flag and
// reserved field is checked here before KVM sees it, and what KVM checks
// itself (control registers, XSAVE header, APIC base) fails its ioctl, which
// fails the load.
public sealed unsafe partial class KvmVcpu
{
    private const uint TscDeadlineMsr = 0x6E0;

    // MSR_KVM_ASYNC_PF_INT: KVM refuses to enable interrupt-based async page faults (MSR_KVM_ASYNC_PF_EN) before it has the vector.
    private const uint AsyncPfIntMsr = 0x4B56_4D06;

    // KVM_VCPUEVENT_VALID_*: NMI_PENDING, SIPI_VECTOR, SHADOW, SMM, PAYLOAD, TRIPLE_FAULT.
    private const uint KnownEventFlags = 0x3F;

    // KVM_MP_STATE_RUNNABLE, UNINITIALIZED, INIT_RECEIVED, HALTED, SIPI_RECEIVED: the states of an x86 vCPU.
    private const uint LastMpState = 4;

    private uint[]? _migratableMsrs;

    public string? MigrationBlocker => null;

    /// <summary>The MSRs this vCPU migrates (probed once: KVM_GET_MSRS refuses those this vCPU's CPUID lacks).</summary>
    private uint[] MigratableMsrs() =>
        _migratableMsrs ??= KvmVcpuResetState.ReadableMsrs(_fd, _vm.Accelerator.MsrIndexList, includeTsc: true).Select(e => e.Index).ToArray();

    public void SaveState(StateWriter state)
    {
        KvmCapabilities caps = _vm.Capabilities;
        CompletePendingExit();
        KvmApi.GetRegs(_fd, out KvmRegs regs);
        state.WriteStruct("regs", regs);
        if (UseSregs2(caps))
        {
            KvmApi.GetSregs2(_fd, out KvmSregs2 sregs2);
            state.WriteStruct("sregs2", sregs2);
        }
        else
        {
            KvmApi.GetSregs(_fd, out KvmSregs sregs);
            state.WriteStruct("sregs", sregs);
        }
        if (caps.Xsave)
        {
            byte[] area = new byte[caps.XsaveSize];
            fixed (byte* p = area)
            {
                if (caps.XsaveSize > sizeof(KvmXsave))
                    KvmApi.GetXsave2(_fd, p);
                else
                    KvmApi.GetXsave(_fd, (KvmXsave*)p);
            }
            state.WriteBytes("xsave", area);
        }
        else
        {
            KvmApi.GetFpu(_fd, out KvmFpu fpu);
            state.WriteStruct("fpu", fpu);
        }
        if (caps.Xcrs)
        {
            KvmApi.GetXcrs(_fd, out KvmXcrs xcrs);
            state.WriteU64("xcr0", xcrs.NrXcrs > 0 && xcrs.Xcrs.Xcr == 0 ? xcrs.Xcrs.Value : 1);
        }

        uint[] indices = MigratableMsrs();
        var entries = new KvmMsrEntry[indices.Length];
        for (int i = 0; i < indices.Length; i++)
            entries[i].Index = indices[i];
        int read = KvmApi.AccessMsrs(_fd, entries, set: false);
        if (read != entries.Length)
            throw new MigrationException($"vcpu{Index}: KVM would not read MSR 0x{entries[read].Index:x}");
        state.WriteU32Array("msr-index", indices);
        state.WriteU64Array("msr-value", entries.Select(e => e.Data).ToArray());

        if (caps.InKernelIrqChip)
        {
            KvmApi.GetLapic(_fd, out KvmLapicState lapic);
            state.WriteBytes("lapic", new ReadOnlySpan<byte>(lapic.Regs, KvmLapicState.RegisterSize));
        }
        if (caps.VcpuEvents)
        {
            KvmApi.GetVcpuEvents(_fd, out KvmVcpuEvents events);
            state.WriteStruct("events", events);
        }
        state.WriteU32("mp-state", KvmApi.GetMpState(_fd));
        if (caps.Debugregs)
        {
            KvmApi.GetDebugregs(_fd, out KvmDebugregs debug);
            state.WriteStruct("debugregs", debug);
        }
    }

    /// <summary>
    /// Puts the state back in the order KVM needs: the special registers (with
    /// the APIC base) before the local APIC; the TSC-deadline MSR after the
    /// local APIC (KVM keeps the deadline in the APIC timer, which only takes
    /// it in TSC-deadline mode); pending events last, so nothing before them
    /// overwrites what they queue.
    /// </summary>
    public void LoadState(StateReader state)
    {
        KvmCapabilities caps = _vm.Capabilities;
        KvmRegs regs = state.ReadStruct<KvmRegs>("regs");
        KvmSregs2? sregs2 = state.Has("sregs2") ? state.ReadStruct<KvmSregs2>("sregs2") : null;
        KvmSregs sregs = sregs2 is { } s2 ? ToSregs(s2) : state.ReadStruct<KvmSregs>("sregs");
        if (sregs2 is { } flagged && (flagged.Flags & ~KvmSregs2.PdptrsValid) != 0)
            throw new MigrationException($"{state.Section}: special register flags 0x{flagged.Flags:x} include unknown bits");

        byte[]? xsave = null;
        KvmFpu fpu = default;
        if (caps.Xsave)
        {
            xsave = new byte[Math.Max(caps.XsaveSize, sizeof(KvmXsave))];
            state.ReadBytes("xsave", xsave.AsSpan(0, caps.XsaveSize));
        }
        else
        {
            fpu = state.ReadStruct<KvmFpu>("fpu");
        }
        ulong? xcr0 = caps.Xcrs ? state.ReadU64("xcr0") : null;

        (KvmMsrEntry[] msrs, KvmMsrEntry? deadline) = ReadMsrs(state);

        KvmLapicState lapic = default;
        if (caps.InKernelIrqChip)
            state.ReadBytes("lapic", new Span<byte>(lapic.Regs, KvmLapicState.RegisterSize));

        KvmVcpuEvents events = default;
        if (caps.VcpuEvents)
        {
            events = state.ReadStruct<KvmVcpuEvents>("events");
            CheckEvents(events);
        }
        uint mpState = state.ReadU32("mp-state", LastMpState);
        KvmDebugregs debug = default;
        if (caps.Debugregs)
        {
            debug = state.ReadStruct<KvmDebugregs>("debugregs");
            CheckDebugregs(debug);
        }
        state.EnsureAllRead();

        KvmApi.SetRegs(_fd, regs);
        if (xsave != null)
        {
            fixed (byte* p = xsave)
                KvmApi.SetXsaveArea(_fd, p);
        }
        else
        {
            KvmApi.SetFpu(_fd, fpu);
        }
        if (xcr0 is { } value)
        {
            var xcrs = new KvmXcrs { NrXcrs = 1, Xcrs = new KvmXcr { Xcr = 0, Value = value } };
            KvmApi.SetXcrs(_fd, xcrs);
        }
        if (sregs2 is { } withPdptrs && UseSregs2(caps))
            KvmApi.SetSregs2(_fd, withPdptrs);
        else
            KvmApi.SetSregs(_fd, sregs); // without SREGS2, KVM reloads the PAE PDPTEs from guest memory
        SetAll(msrs);
        KvmApi.SetMpState(_fd, mpState);
        if (caps.InKernelIrqChip)
            KvmApi.SetLapic(_fd, lapic);
        if (deadline is { } d)
            SetAll(new[] { d });
        if (caps.VcpuEvents)
            KvmApi.SetVcpuEvents(_fd, events);
        if (caps.Debugregs)
            KvmApi.SetDebugregs(_fd, debug);
    }

    /// <summary>
    /// KVM finishes the instruction behind an I/O or MMIO exit (advances RIP
    /// past an OUT, puts an IN's data in RAX) only on the next KVM_RUN: until
    /// then the registers show it unexecuted, and a destination would run it
    /// again (a console byte printed twice). KVM_RUN with immediate_exit set
    /// completes it and returns EINTR without entering the guest
    /// (Documentation/virt/kvm/api.rst, KVM_RUN). A string I/O instruction
    /// that needs a further exit for its next chunk cannot be completed here;
    /// the migration fails and can be retried.
    /// </summary>
    private void CompletePendingExit()
    {
        // Only the exits that leave an instruction half done; a vCPU that has not run, or an
        // application processor still waiting for its startup IPI, is left alone.
        if (_run->ExitReason is not (KvmRun.ExitIo or KvmRun.ExitMmio))
            return;
        _run->ImmediateExit = 1;
        int errno = KvmApi.Run(_fd);
        _run->ImmediateExit = 0;
        // A kick that arrived meanwhile must not end the next KVM_RUN at once.
        ulong set = KickSignalBit;
        LibC.Timespec zero = default;
        LibC.sigtimedwait(&set, null, &zero);
        if (errno == 0)
            throw new MigrationException($"vcpu{Index} stopped inside a string I/O instruction (exit {_run->ExitReason}); migrate again");
        if (errno != LibC.EINTR && errno != LibC.EAGAIN)
            throw new KvmException("KVM_RUN (completing the last exit)", errno);
    }

    // SREGS2 leaves the pending interrupt to the vCPU events: used only when those travel too.
    private static bool UseSregs2(KvmCapabilities caps) => caps.Sregs2 && caps.VcpuEvents;

    private static KvmSregs ToSregs(in KvmSregs2 s) => new()
    {
        Cs = s.Cs, Ds = s.Ds, Es = s.Es, Fs = s.Fs, Gs = s.Gs, Ss = s.Ss, Tr = s.Tr, Ldt = s.Ldt, Gdt = s.Gdt, Idt = s.Idt,
        Cr0 = s.Cr0, Cr2 = s.Cr2, Cr3 = s.Cr3, Cr4 = s.Cr4, Cr8 = s.Cr8, Efer = s.Efer, ApicBase = s.ApicBase,
    };

    // The MSR arrays, every index one this vCPU migrates, each at most once;
    // the TSC deadline is split off, to be written after the local APIC.
    private (KvmMsrEntry[] Msrs, KvmMsrEntry? Deadline) ReadMsrs(StateReader state)
    {
        var known = new HashSet<uint>(MigratableMsrs());
        ReadOnlySpan<byte> raw = state.ReadBytes("msr-index", known.Count * 4);
        if (raw.Length % 4 != 0)
            throw new MigrationException($"{state.Section}: field 'msr-index' is not a whole number of 32-bit indices");
        uint[] indices = new uint[raw.Length / 4];
        state.ReadU32Array("msr-index", indices);
        ulong[] values = new ulong[indices.Length];
        state.ReadU64Array("msr-value", values);
        var seen = new HashSet<uint>();
        var msrs = new List<KvmMsrEntry>(indices.Length);
        KvmMsrEntry? deadline = null;
        for (int i = 0; i < indices.Length; i++)
        {
            if (!known.Contains(indices[i]))
                throw new MigrationException($"{state.Section}: MSR 0x{indices[i]:x} is not one this vCPU keeps");
            if (!seen.Add(indices[i]))
                throw new MigrationException($"{state.Section}: MSR 0x{indices[i]:x} appears twice");
            var entry = new KvmMsrEntry { Index = indices[i], Data = values[i] };
            if (indices[i] == TscDeadlineMsr)
                deadline = entry;
            else if (indices[i] == AsyncPfIntMsr)
                msrs.Insert(0, entry);
            else
                msrs.Add(entry);
        }
        return (msrs.ToArray(), deadline);
    }

    private void SetAll(KvmMsrEntry[] msrs)
    {
        if (msrs.Length == 0)
            return;
        int done = KvmApi.AccessMsrs(_fd, msrs, set: true);
        if (done != msrs.Length)
            throw new MigrationException($"vcpu{Index}: KVM refused MSR 0x{msrs[done].Index:x} = 0x{msrs[done].Data:x}");
    }

    private void CheckEvents(in KvmVcpuEvents e)
    {
        string section = $"cpu/{Index}";
        if ((e.Flags & ~KnownEventFlags) != 0)
            throw new MigrationException($"{section}: vCPU event flags 0x{e.Flags:x} include unknown bits");
        if (e.ExceptionNr > 31)
            throw new MigrationException($"{section}: pending exception vector {e.ExceptionNr} is not an exception");
        fixed (byte* reserved = e.Reserved)
        {
            if (new ReadOnlySpan<byte>(reserved, 26).IndexOfAnyExcept((byte)0) >= 0 || e.NmiPad != 0)
                throw new MigrationException($"{section}: reserved vCPU event bytes are not zero");
        }
        if (e.ExceptionInjected > 1 || e.ExceptionPending > 1 || e.ExceptionHasErrorCode > 1 || e.InterruptInjected > 1 || e.InterruptSoft > 1
            || e.NmiInjected > 1 || e.NmiPending > 1 || e.NmiMasked > 1 || e.Smm > 1 || e.SmiPending > 1 || e.SmmInsideNmi > 1
            || e.LatchedInit > 1 || e.TripleFaultPending > 1 || e.ExceptionHasPayload > 1 || e.InterruptShadow > 3)
            throw new MigrationException($"{section}: a vCPU event flag has a value other than 0 or 1");
    }

    private void CheckDebugregs(in KvmDebugregs d)
    {
        string section = $"cpu/{Index}";
        if (d.Flags != 0)
            throw new MigrationException($"{section}: debug register flags 0x{d.Flags:x} are not zero");
        fixed (ulong* reserved = d.Reserved)
        {
            if (new ReadOnlySpan<ulong>(reserved, 9).IndexOfAnyExcept(0UL) >= 0)
                throw new MigrationException($"{section}: reserved debug register words are not zero");
        }
        // DR6 and DR7 are 32-bit registers (SDM vol. 3B, 18.2.3-18.2.4): the upper halves are reserved, zero.
        if ((d.Dr6 >> 32) != 0 || (d.Dr7 >> 32) != 0)
            throw new MigrationException($"{section}: DR6/DR7 have reserved upper bits set");
    }
}
