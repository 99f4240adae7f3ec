using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm.Interop;

/// <summary>
/// One typed method per KVM ioctl. Failures throw <see cref="KvmException"/>
/// naming the ioctl and errno; <see cref="Run"/> returns the errno instead,
/// because EINTR is its normal way of being interrupted.
/// </summary>
internal static unsafe class KvmApi
{
    public static int GetApiVersion(FileDescriptor kvm) => Check(LibC.ioctl(kvm, KvmIoctl.GetApiVersion, 0), "KVM_GET_API_VERSION");

    public static int CheckExtension(FileDescriptor fd, int capability)
    {
        int r = LibC.ioctl(fd, KvmIoctl.CheckExtension, capability);
        return r < 0 ? 0 : r;
    }

    public static FileDescriptor CreateVm(FileDescriptor kvm)
    {
        int fd;
        // EINTR can happen while the kernel sets the VM up; retry as QEMU does.
        do
        {
            fd = LibC.ioctl(kvm, KvmIoctl.CreateVm, 0);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
        return new FileDescriptor(Check(fd, "KVM_CREATE_VM"));
    }

    public static int GetVcpuMmapSize(FileDescriptor kvm) => Check(LibC.ioctl(kvm, KvmIoctl.GetVcpuMmapSize, 0), "KVM_GET_VCPU_MMAP_SIZE");

    public static FileDescriptor CreateVcpu(FileDescriptor vm, int id) => new(Check(LibC.ioctl(vm, KvmIoctl.CreateVcpu, id), "KVM_CREATE_VCPU"));

    public static void SetUserMemoryRegion(FileDescriptor vm, in KvmUserspaceMemoryRegion region)
    {
        fixed (KvmUserspaceMemoryRegion* p = &region)
            Check(LibC.ioctl(vm, KvmIoctl.SetUserMemoryRegion, p), "KVM_SET_USER_MEMORY_REGION");
    }

    public static void SetTssAddr(FileDescriptor vm, ulong address) => Check(LibC.ioctl(vm, KvmIoctl.SetTssAddr, (nint)address), "KVM_SET_TSS_ADDR");

    public static void SetIdentityMapAddr(FileDescriptor vm, ulong address) => Check(LibC.ioctl(vm, KvmIoctl.SetIdentityMapAddr, &address), "KVM_SET_IDENTITY_MAP_ADDR");

    public static void CreateIrqchip(FileDescriptor vm) => Check(LibC.ioctl(vm, KvmIoctl.CreateIrqchip, 0), "KVM_CREATE_IRQCHIP");

    public static void CreatePit2(FileDescriptor vm, in KvmPitConfig config)
    {
        fixed (KvmPitConfig* p = &config)
            Check(LibC.ioctl(vm, KvmIoctl.CreatePit2, p), "KVM_CREATE_PIT2");
    }

    public static void IrqLine(FileDescriptor vm, in KvmIrqLevel level)
    {
        fixed (KvmIrqLevel* p = &level)
            Check(LibC.ioctl(vm, KvmIoctl.IrqLine, p), "KVM_IRQ_LINE");
    }

    /// <summary>Replaces the whole GSI routing table. <paramref name="table"/> points at a kvm_irq_routing header followed by its entries.</summary>
    public static void SetGsiRouting(FileDescriptor vm, void* table) => Check(LibC.ioctl(vm, KvmIoctl.SetGsiRouting, table), "KVM_SET_GSI_ROUTING");

    public static void Irqfd(FileDescriptor vm, in KvmIrqfd irqfd)
    {
        fixed (KvmIrqfd* p = &irqfd)
            Check(LibC.ioctl(vm, KvmIoctl.Irqfd, p), "KVM_IRQFD");
    }

    public static void Ioeventfd(FileDescriptor vm, in KvmIoeventfd ioeventfd)
    {
        fixed (KvmIoeventfd* p = &ioeventfd)
            Check(LibC.ioctl(vm, KvmIoctl.Ioeventfd, p), "KVM_IOEVENTFD");
    }

    /// <summary>Injects an MSI; returns &gt;0 when delivered, 0 when the guest blocked it.</summary>
    public static int SignalMsi(FileDescriptor vm, in KvmMsi msi)
    {
        fixed (KvmMsi* p = &msi)
            return Check(LibC.ioctl(vm, KvmIoctl.SignalMsi, p), "KVM_SIGNAL_MSI");
    }

    public static void EnableCap(FileDescriptor fd, in KvmEnableCap cap)
    {
        fixed (KvmEnableCap* p = &cap)
            Check(LibC.ioctl(fd, KvmIoctl.EnableCap, p), "KVM_ENABLE_CAP");
    }

    public static FileDescriptor CreateDevice(FileDescriptor vm, uint type)
    {
        var create = new KvmCreateDevice { Type = type };
        Check(LibC.ioctl(vm, KvmIoctl.CreateDevice, &create), "KVM_CREATE_DEVICE");
        return new FileDescriptor((int)create.Fd);
    }

    public static void SetDeviceAttr(FileDescriptor device, in KvmDeviceAttr attr)
    {
        fixed (KvmDeviceAttr* p = &attr)
            Check(LibC.ioctl(device, KvmIoctl.SetDeviceAttr, p), "KVM_SET_DEVICE_ATTR");
    }

    /// <summary>KVM_RUN: 0 on an exit, otherwise the errno (EINTR when kicked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Run(FileDescriptor vcpu) => LibC.ioctl(vcpu, KvmIoctl.Run, 0) < 0 ? Marshal.GetLastPInvokeError() : 0;

    public static void GetRegs(FileDescriptor vcpu, out KvmRegs regs)
    {
        fixed (KvmRegs* p = &regs)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetRegs, p), "KVM_GET_REGS");
    }

    public static void SetRegs(FileDescriptor vcpu, in KvmRegs regs)
    {
        fixed (KvmRegs* p = &regs)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetRegs, p), "KVM_SET_REGS");
    }

    public static void GetSregs(FileDescriptor vcpu, out KvmSregs sregs)
    {
        fixed (KvmSregs* p = &sregs)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetSregs, p), "KVM_GET_SREGS");
    }

    public static void SetSregs(FileDescriptor vcpu, in KvmSregs sregs)
    {
        fixed (KvmSregs* p = &sregs)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetSregs, p), "KVM_SET_SREGS");
    }

    public static void Translate(FileDescriptor vcpu, ref KvmTranslation translation)
    {
        fixed (KvmTranslation* p = &translation)
            Check(LibC.ioctl(vcpu, KvmIoctl.Translate, p), "KVM_TRANSLATE");
    }

    /// <summary>Sets the signal mask that applies while this vCPU is inside KVM_RUN (a 64-bit kernel sigset).</summary>
    public static void SetSignalMask(FileDescriptor vcpu, ulong mask)
    {
        // struct kvm_signal_mask { __u32 len; __u8 sigset[0]; } followed by the 8-byte set.
        byte* buffer = stackalloc byte[12];
        *(uint*)buffer = 8;
        Unsafe.WriteUnaligned(buffer + 4, mask);
        Check(LibC.ioctl(vcpu, KvmIoctl.SetSignalMask, buffer), "KVM_SET_SIGNAL_MASK");
    }

    /// <summary>KVM_MP_STATE_RUNNABLE (0), UNINITIALIZED (1: waiting for INIT/SIPI), INIT_RECEIVED, HALTED, SIPI_RECEIVED.</summary>
    public const uint MpStateRunnable = 0, MpStateUninitialized = 1;

    public static uint GetMpState(FileDescriptor vcpu)
    {
        uint state;
        Check(LibC.ioctl(vcpu, KvmIoctl.GetMpState, &state), "KVM_GET_MP_STATE");
        return state;
    }

    public static void SetMpState(FileDescriptor vcpu, uint state) => Check(LibC.ioctl(vcpu, KvmIoctl.SetMpState, &state), "KVM_SET_MP_STATE");

    /// <summary>KVM_GET_SUPPORTED_CPUID: every leaf KVM can offer a guest on this host.</summary>
    public static KvmCpuidEntry2[] GetSupportedCpuid(FileDescriptor kvm)
    {
        // The kernel says E2BIG when the buffer is too small: grow and retry.
        for (int capacity = 64; capacity <= 4096; capacity *= 2)
        {
            byte[] buffer = new byte[sizeof(KvmCpuid2Header) + capacity * sizeof(KvmCpuidEntry2)];
            fixed (byte* p = buffer)
            {
                ((KvmCpuid2Header*)p)->Nent = (uint)capacity;
                if (LibC.ioctl(kvm, KvmIoctl.GetSupportedCpuid, p) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == 7 /* E2BIG */)
                        continue;
                    Throw("KVM_GET_SUPPORTED_CPUID");
                }
                int count = (int)((KvmCpuid2Header*)p)->Nent;
                return new ReadOnlySpan<KvmCpuidEntry2>(p + sizeof(KvmCpuid2Header), count).ToArray();
            }
        }
        throw new KvmException("KVM_GET_SUPPORTED_CPUID", 7);
    }

    public static void SetCpuid2(FileDescriptor vcpu, ReadOnlySpan<KvmCpuidEntry2> entries)
    {
        byte[] buffer = new byte[sizeof(KvmCpuid2Header) + entries.Length * sizeof(KvmCpuidEntry2)];
        fixed (byte* p = buffer)
        {
            ((KvmCpuid2Header*)p)->Nent = (uint)entries.Length;
            entries.CopyTo(new Span<KvmCpuidEntry2>(p + sizeof(KvmCpuid2Header), entries.Length));
            Check(LibC.ioctl(vcpu, KvmIoctl.SetCpuid2, p), "KVM_SET_CPUID2");
        }
    }

    /// <summary>
    /// KVM_GET_MSR_INDEX_LIST: the MSRs KVM saves and restores for a vCPU
    /// (those the host CPU has plus those KVM emulates).
    /// </summary>
    public static uint[] GetMsrIndexList(FileDescriptor kvm)
    {
        // The kernel says E2BIG and writes the needed count when the buffer is too small.
        uint capacity = 256;
        while (true)
        {
            byte[] buffer = new byte[sizeof(KvmMsrListHeader) + capacity * sizeof(uint)];
            fixed (byte* p = buffer)
            {
                ((KvmMsrListHeader*)p)->Nmsrs = capacity;
                if (LibC.ioctl(kvm, KvmIoctl.GetMsrIndexList, p) < 0)
                {
                    uint needed = ((KvmMsrListHeader*)p)->Nmsrs;
                    if (Marshal.GetLastPInvokeError() == 7 /* E2BIG */ && needed > capacity && needed <= 65536)
                    {
                        capacity = needed;
                        continue;
                    }
                    Throw("KVM_GET_MSR_INDEX_LIST");
                }
                int count = (int)Math.Min(((KvmMsrListHeader*)p)->Nmsrs, capacity);
                return new ReadOnlySpan<uint>(p + sizeof(KvmMsrListHeader), count).ToArray();
            }
        }
    }

    /// <summary>
    /// KVM_GET_MSRS (<paramref name="set"/> false) or KVM_SET_MSRS on
    /// <paramref name="entries"/>, in place. Returns how many entries were
    /// processed: KVM stops at the first MSR it refuses.
    /// </summary>
    public static int AccessMsrs(FileDescriptor vcpu, Span<KvmMsrEntry> entries, bool set)
    {
        int size = sizeof(KvmMsrsHeader) + entries.Length * sizeof(KvmMsrEntry);
        byte[] buffer = new byte[size];
        fixed (byte* p = buffer)
        {
            ((KvmMsrsHeader*)p)->Nmsrs = (uint)entries.Length;
            var table = new Span<KvmMsrEntry>(p + sizeof(KvmMsrsHeader), entries.Length);
            entries.CopyTo(table);
            int done = Check(LibC.ioctl(vcpu, set ? KvmIoctl.SetMsrs : KvmIoctl.GetMsrs, p), set ? "KVM_SET_MSRS" : "KVM_GET_MSRS");
            if (!set)
                table.CopyTo(entries);
            return done;
        }
    }

    public static void GetFpu(FileDescriptor vcpu, out KvmFpu fpu)
    {
        fixed (KvmFpu* p = &fpu)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetFpu, p), "KVM_GET_FPU");
    }

    public static void SetFpu(FileDescriptor vcpu, in KvmFpu fpu)
    {
        fixed (KvmFpu* p = &fpu)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetFpu, p), "KVM_SET_FPU");
    }

    public static void GetLapic(FileDescriptor vcpu, out KvmLapicState lapic)
    {
        fixed (KvmLapicState* p = &lapic)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetLapic, p), "KVM_GET_LAPIC");
    }

    public static void SetLapic(FileDescriptor vcpu, in KvmLapicState lapic)
    {
        fixed (KvmLapicState* p = &lapic)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetLapic, p), "KVM_SET_LAPIC");
    }

    public static void GetVcpuEvents(FileDescriptor vcpu, out KvmVcpuEvents events)
    {
        fixed (KvmVcpuEvents* p = &events)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetVcpuEvents, p), "KVM_GET_VCPU_EVENTS");
    }

    public static void SetVcpuEvents(FileDescriptor vcpu, in KvmVcpuEvents events)
    {
        fixed (KvmVcpuEvents* p = &events)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetVcpuEvents, p), "KVM_SET_VCPU_EVENTS");
    }

    public static void GetXsave(FileDescriptor vcpu, KvmXsave* xsave) => Check(LibC.ioctl(vcpu, KvmIoctl.GetXsave, xsave), "KVM_GET_XSAVE");

    public static void SetXsave(FileDescriptor vcpu, KvmXsave* xsave) => Check(LibC.ioctl(vcpu, KvmIoctl.SetXsave, xsave), "KVM_SET_XSAVE");

    public static void GetXcrs(FileDescriptor vcpu, out KvmXcrs xcrs)
    {
        fixed (KvmXcrs* p = &xcrs)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetXcrs, p), "KVM_GET_XCRS");
    }

    public static void SetXcrs(FileDescriptor vcpu, in KvmXcrs xcrs)
    {
        fixed (KvmXcrs* p = &xcrs)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetXcrs, p), "KVM_SET_XCRS");
    }

    /// <summary>KVM_GET_XSAVE2: the XSAVE area into a buffer of the size KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) gave.</summary>
    public static void GetXsave2(FileDescriptor vcpu, byte* area) => Check(LibC.ioctl(vcpu, KvmIoctl.GetXsave2, area), "KVM_GET_XSAVE2");

    /// <summary>KVM_SET_XSAVE from a buffer of the KVM_CAP_XSAVE2 size (the kernel reads that many bytes).</summary>
    public static void SetXsaveArea(FileDescriptor vcpu, byte* area) => Check(LibC.ioctl(vcpu, KvmIoctl.SetXsave, area), "KVM_SET_XSAVE");

    public static void GetSregs2(FileDescriptor vcpu, out KvmSregs2 sregs)
    {
        fixed (KvmSregs2* p = &sregs)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetSregs2, p), "KVM_GET_SREGS2");
    }

    public static void SetSregs2(FileDescriptor vcpu, in KvmSregs2 sregs)
    {
        fixed (KvmSregs2* p = &sregs)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetSregs2, p), "KVM_SET_SREGS2");
    }

    public static void GetDebugregs(FileDescriptor vcpu, out KvmDebugregs regs)
    {
        fixed (KvmDebugregs* p = &regs)
            Check(LibC.ioctl(vcpu, KvmIoctl.GetDebugregs, p), "KVM_GET_DEBUGREGS");
    }

    public static void SetDebugregs(FileDescriptor vcpu, in KvmDebugregs regs)
    {
        fixed (KvmDebugregs* p = &regs)
            Check(LibC.ioctl(vcpu, KvmIoctl.SetDebugregs, p), "KVM_SET_DEBUGREGS");
    }

    /// <summary>KVM_GET_IRQCHIP for <paramref name="chip"/>.ChipId, in place.</summary>
    public static void GetIrqchip(FileDescriptor vm, ref KvmIrqchip chip)
    {
        fixed (KvmIrqchip* p = &chip)
            Check(LibC.ioctl(vm, KvmIoctl.GetIrqchip, p), "KVM_GET_IRQCHIP");
    }

    public static void SetIrqchip(FileDescriptor vm, in KvmIrqchip chip)
    {
        fixed (KvmIrqchip* p = &chip)
            Check(LibC.ioctl(vm, KvmIoctl.SetIrqchip, p), "KVM_SET_IRQCHIP");
    }

    public static void GetPit2(FileDescriptor vm, out KvmPitState2 pit)
    {
        fixed (KvmPitState2* p = &pit)
            Check(LibC.ioctl(vm, KvmIoctl.GetPit2, p), "KVM_GET_PIT2");
    }

    public static void SetPit2(FileDescriptor vm, in KvmPitState2 pit)
    {
        fixed (KvmPitState2* p = &pit)
            Check(LibC.ioctl(vm, KvmIoctl.SetPit2, p), "KVM_SET_PIT2");
    }

    public static void GetClock(FileDescriptor vm, out KvmClockData clock)
    {
        fixed (KvmClockData* p = &clock)
            Check(LibC.ioctl(vm, KvmIoctl.GetClock, p), "KVM_GET_CLOCK");
    }

    public static void SetClock(FileDescriptor vm, in KvmClockData clock)
    {
        fixed (KvmClockData* p = &clock)
            Check(LibC.ioctl(vm, KvmIoctl.SetClock, p), "KVM_SET_CLOCK");
    }

    /// <summary>KVM_GET_DIRTY_LOG: copies slot <paramref name="slot"/>'s dirty bitmap to <paramref name="bitmap"/> and clears it (write protection re-armed).</summary>
    public static void GetDirtyLog(FileDescriptor vm, uint slot, ulong* bitmap)
    {
        var log = new KvmDirtyLog { Slot = slot, DirtyBitmap = (ulong)bitmap };
        Check(LibC.ioctl(vm, KvmIoctl.GetDirtyLog, &log), "KVM_GET_DIRTY_LOG");
    }

    private static int Check(int result, string operation)
    {
        if (result < 0)
            Throw(operation);
        return result;
    }

    [DoesNotReturn]
    private static void Throw(string operation) => throw new KvmException(operation, Marshal.GetLastPInvokeError());
}
