using Emu.Accel.Kvm.Interop;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// Everything KVM keeps for a vCPU, as it was when the vCPU was created: KVM
/// puts a new vCPU in the architectural RESET state, so restoring this
/// record is a hardware reset. Captured once, before the vCPU first runs.
///
/// MSRs: those KVM_GET_MSR_INDEX_LIST names plus the MTRRs, except the time
/// stamp counter and TSC_ADJUST, which keep counting across a reset as
/// they do on a PC's warm reset (writing them would also break the TSC
/// synchronization KVM keeps between vCPUs), the APIC base (part of the
/// special registers) and the x2APIC registers (part of the local APIC).
/// MSRs KVM refuses to read for this vCPU's CPUID are left out.
/// </summary>
internal sealed unsafe class KvmVcpuResetState
{
    private const uint Tsc = 0x10, ApicBase = 0x1B, TscAdjust = 0x3B;
    private const uint X2ApicFirst = 0x800, X2ApicLast = 0x8FF;

    // MTRRs (Intel SDM vol. 3A, 12.11): variable ranges 0-7 (base/mask pairs), the fixed ranges, the default type.
    private static readonly uint[] s_mtrrs =
    {
        0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,
        0x208, 0x209, 0x20A, 0x20B, 0x20C, 0x20D, 0x20E, 0x20F,
        0x250, 0x258, 0x259, 0x268, 0x269, 0x26A, 0x26B, 0x26C, 0x26D, 0x26E, 0x26F,
        0x2FF,
    };

    // IA32_MISC_ENABLE and IA32_PAT, which KVM keeps but not every kernel lists.
    private static readonly uint[] s_alsoKept = { 0x1A0, 0x277 };

    private KvmRegs _regs;
    private KvmSregs _sregs;
    private KvmFpu _fpu;
    private byte[]? _xsave;
    private KvmXcrs _xcrs;
    private bool _haveXcrs;
    private KvmLapicState _lapic;
    private bool _haveLapic;
    private KvmVcpuEvents _events;
    private bool _haveEvents;
    private KvmMsrEntry[] _msrs = Array.Empty<KvmMsrEntry>();

    public static KvmVcpuResetState Capture(KvmVcpu vcpu, KvmCapabilities caps, IReadOnlyList<uint> msrIndices)
    {
        var state = new KvmVcpuResetState();
        var fd = vcpu.Handle;
        KvmApi.GetRegs(fd, out state._regs);
        KvmApi.GetSregs(fd, out state._sregs);
        if (caps.Xsave)
        {
            state._xsave = new byte[sizeof(KvmXsave)];
            fixed (byte* p = state._xsave)
                KvmApi.GetXsave(fd, (KvmXsave*)p);
        }
        else
        {
            KvmApi.GetFpu(fd, out state._fpu);
        }
        if (caps.Xcrs)
        {
            KvmApi.GetXcrs(fd, out state._xcrs);
            state._haveXcrs = true;
        }
        if (caps.InKernelIrqChip)
        {
            KvmApi.GetLapic(fd, out state._lapic);
            state._haveLapic = true;
        }
        if (caps.VcpuEvents)
        {
            KvmApi.GetVcpuEvents(fd, out state._events);
            state._haveEvents = true;
        }
        state._msrs = ReadableMsrs(fd, msrIndices);
        return state;
    }

    /// <summary>Puts the recorded state back, in the order KVM needs: the APIC base (in the special registers) before the local APIC, MSRs last.</summary>
    public void Restore(KvmVcpu vcpu)
    {
        var fd = vcpu.Handle;
        KvmApi.SetRegs(fd, _regs);
        if (_xsave != null)
        {
            fixed (byte* p = _xsave)
                KvmApi.SetXsave(fd, (KvmXsave*)p);
        }
        else
        {
            KvmApi.SetFpu(fd, _fpu);
        }
        if (_haveXcrs)
            KvmApi.SetXcrs(fd, _xcrs);
        KvmApi.SetSregs(fd, _sregs);
        if (_haveLapic)
            KvmApi.SetLapic(fd, _lapic);
        if (_haveEvents)
            KvmApi.SetVcpuEvents(fd, _events);
        if (_msrs.Length > 0)
        {
            var msrs = (KvmMsrEntry[])_msrs.Clone();
            int done = KvmApi.AccessMsrs(fd, msrs, set: true);
            if (done != msrs.Length)
                throw new KvmException($"KVM_SET_MSRS (MSR 0x{msrs[done].Index:x} refused while resetting vcpu{vcpu.Index})", 22 /* EINVAL */);
        }
    }

    /// <summary>The MSRs to reset and their values now, leaving out those KVM will not read.</summary>
    private static KvmMsrEntry[] ReadableMsrs(FileDescriptor fd, IReadOnlyList<uint> indices) => ReadableMsrs(fd, indices, includeTsc: false);

    /// <summary>
    /// The MSRs KVM keeps for this vCPU and their values now: those of
    /// <paramref name="indices"/> plus the MTRRs, PAT and MISC_ENABLE, without
    /// the APIC base and the x2APIC registers (the special registers and the
    /// local APIC carry them), and without the time stamp counter and
    /// TSC_ADJUST unless <paramref name="includeTsc"/> (a migration moves
    /// them, a reset does not). MSRs KVM refuses to read are left out.
    /// </summary>
    internal static KvmMsrEntry[] ReadableMsrs(FileDescriptor fd, IReadOnlyList<uint> indices, bool includeTsc)
    {
        var wanted = new List<KvmMsrEntry>();
        var seen = new HashSet<uint>();
        foreach (uint index in indices.Concat(s_mtrrs).Concat(s_alsoKept))
        {
            if ((!includeTsc && index is Tsc or TscAdjust) || index is ApicBase || index is >= X2ApicFirst and <= X2ApicLast || !seen.Add(index))
                continue;
            wanted.Add(new KvmMsrEntry { Index = index });
        }
        // KVM_GET_MSRS stops at the first MSR it refuses: drop that one and go on from there.
        var result = new List<KvmMsrEntry>(wanted.Count);
        int start = 0;
        while (start < wanted.Count)
        {
            KvmMsrEntry[] batch = wanted.GetRange(start, wanted.Count - start).ToArray();
            int done = KvmApi.AccessMsrs(fd, batch, set: false);
            result.AddRange(batch.AsSpan(0, done).ToArray());
            start += done + 1; // skip the refused one
        }
        return result.ToArray();
    }
}
