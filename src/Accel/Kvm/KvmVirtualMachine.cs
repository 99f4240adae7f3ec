using Emu.Accel.Kvm.Interop;
using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Migration;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>A KVM virtual machine: its fd, memory slots and vCPUs.</summary>
public sealed class KvmVirtualMachine : IVirtualMachine
{
    // Where KVM on Intel keeps the real-mode TSS (three pages) and the EPT
    // identity map (one page): just below the BIOS, as QEMU places them.
    private const ulong IdentityMapAddress = 0xFEFF_C000;
    private const ulong TssAddress = 0xFEFF_D000;

    private readonly KvmAccelerator _kvm;
    private readonly KvmMemorySlots _slots;
    private readonly KvmInterruptController? _interrupts;
    private readonly KvmIoEventRegistry? _ioEvents;
    private readonly KvmVfioDevice _vfio;
    private KvmClockState? _clock;

    internal KvmVirtualMachine(KvmAccelerator kvm, VirtualMachineOptions options)
    {
        _kvm = kvm;
        Options = options;
        Handle = KvmApi.CreateVm(kvm.System);
        try
        {
            if (KvmApi.CheckExtension(Handle, KvmCap.SetIdentityMapAddr) > 0)
                KvmApi.SetIdentityMapAddr(Handle, IdentityMapAddress);
            if (KvmApi.CheckExtension(Handle, KvmCap.SetTssAddr) > 0)
                KvmApi.SetTssAddr(Handle, TssAddress);
            _slots = new KvmMemorySlots(Handle, KvmApi.CheckExtension(Handle, KvmCap.ReadonlyMem) > 0);
            if (options.InKernelIrqChip)
            {
                // The irqchip must exist before any vCPU is created (each gets its local APIC then).
                KvmApi.CreateIrqchip(Handle);
                KvmApi.CreatePit2(Handle, new KvmPitConfig { Flags = KvmPitConfig.SpeakerDummy });
                int routes = KvmApi.CheckExtension(Handle, KvmCap.IrqRouting);
                _interrupts = new KvmInterruptController(Handle, routes > 0 ? routes : 1024);
            }
            if (KvmApi.CheckExtension(Handle, KvmCap.Ioeventfd) > 0)
                _ioEvents = new KvmIoEventRegistry(Handle);
            _vfio = new KvmVfioDevice(Handle);
            Capabilities = KvmCapabilities.Probe(Handle, options.InKernelIrqChip);
            MigrationSections = BuildMigrationSections();
        }
        catch
        {
            _interrupts?.Dispose();
            Handle.Dispose();
            throw;
        }
    }

    public VirtualMachineOptions Options { get; }

    internal FileDescriptor Handle { get; }

    internal KvmCapabilities Capabilities { get; }

    internal KvmAccelerator Accelerator => _kvm;

    public IMemoryListener MemoryListener => _slots;

    /// <summary>Memory slots currently set in KVM.</summary>
    public int SlotCount => _slots.Count;

    public int MaxVcpus => _kvm.MaxVcpus;

    public IInterruptController? Interrupts => _interrupts;

    public IIoEventRegistry? IoEvents => _ioEvents;

    public IVfioFileRegistry VfioFiles => _vfio;

    /// <summary>The in-kernel PICs and IOAPIC, the PIT (with the in-kernel irqchip) and the guest clock.</summary>
    public IReadOnlyList<MigrationSection> MigrationSections { get; }

    /// <summary>KVM's dirty page log on the RAM slots.</summary>
    public IDirtyMemoryTracking DirtyTracking => _slots;

    /// <summary>The guest's clock stands still while it is stopped (<see cref="KvmClockState"/>).</summary>
    public void GuestStopped() => _clock?.Stop();

    public void GuestResuming() => _clock?.Resume();

    private MigrationSection[] BuildMigrationSections()
    {
        var sections = new List<MigrationSection>();
        if (Options.InKernelIrqChip)
        {
            sections.Add(new MigrationSection("kvm/irqchip", 1, new KvmIrqchipState(Handle)));
            sections.Add(new MigrationSection("kvm/pit", 1, new KvmPitState(Handle)));
        }
        if (Capabilities.AdjustClock)
        {
            _clock = new KvmClockState(Handle);
            sections.Add(new MigrationSection("kvm/clock", 1, _clock));
        }
        return sections.ToArray();
    }

    public IVcpu CreateVcpu(int index)
    {
        var vcpu = new KvmVcpu(this, index, _kvm.VcpuMmapSize);
        try
        {
            KvmApi.SetCpuid2(vcpu.Handle, KvmCpuidBuilder.Build(_kvm.SupportedCpuid, index, Math.Max(Options.CpuCount, index + 1), Capabilities.TscDeadlineTimer));
        }
        catch
        {
            vcpu.Dispose();
            throw;
        }
        return vcpu;
    }

    public void Dispose()
    {
        _vfio.Dispose();
        _interrupts?.Dispose();
        Handle.Dispose();
    }
}
