using Emu.Accel.Kvm.Interop;

namespace Emu.Accel.Kvm;

/// <summary>
/// What this host's KVM can do, for QMP's query-platform: the API version,
/// which kernel module provides KVM (a PVM host, module kvm_pvm, runs guests
/// without hardware virtualization), vCPU and memory-slot limits, the
/// capabilities the VMM relies on, and the CPU features KVM can give a guest
/// (KVM_GET_SUPPORTED_CPUID, named as QEMU's -cpu options name them).
/// </summary>
public sealed record KvmPlatformInfo(
    string Device,
    int ApiVersion,
    string? KernelModule,
    int MaxVcpus,
    int RecommendedVcpus,
    int MemorySlots,
    IReadOnlyDictionary<string, int> Capabilities,
    string CpuVendor,
    IReadOnlyList<string> GuestCpuFeatures)
{
    /// <summary>False on a PVM host, where guest kernel code is emulated (shared/LAB.md).</summary>
    public bool HardwareAssisted => KernelModule is "kvm_intel" or "kvm_amd";

    private static readonly (string Name, int Capability)[] s_capabilities =
    {
        ("irqchip", KvmCap.Irqchip),
        ("user-memory", KvmCap.UserMemory),
        ("irq-routing", KvmCap.IrqRouting),
        ("irqfd", KvmCap.Irqfd),
        ("irqfd-resample", KvmCap.IrqfdResample),
        ("ioeventfd", KvmCap.Ioeventfd),
        ("signal-msi", KvmCap.SignalMsi),
        ("pit2", KvmCap.Pit2),
        ("readonly-memory", KvmCap.ReadonlyMem),
        ("immediate-exit", KvmCap.ImmediateExit),
        ("split-irqchip", KvmCap.SplitIrqchip),
        ("x2apic-api", KvmCap.X2ApicApi),
        ("xsave", KvmCap.Xsave),
        ("xcrs", KvmCap.Xcrs),
        ("device-ctrl", KvmCap.DeviceCtrl),
        ("sync-mmu", KvmCap.SyncMmu),
        ("adjust-clock", KvmCap.AdjustClock),
    };

    public static KvmPlatformInfo Probe(KvmAccelerator kvm)
    {
        var capabilities = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string name, int capability) in s_capabilities)
            capabilities[name] = kvm.CheckExtension(capability);
        KvmCpuidEntry2[] cpuid = kvm.SupportedCpuid;
        return new KvmPlatformInfo(
            kvm.DevicePath,
            KvmApi.GetApiVersion(kvm.System),
            FindKernelModule(),
            kvm.MaxVcpus,
            kvm.RecommendedVcpus,
            kvm.CheckExtension(KvmCap.NrMemslots),
            capabilities,
            CpuidFeatureNames.Vendor(cpuid),
            CpuidFeatureNames.Decode(cpuid));
    }

    private static string? FindKernelModule()
    {
        foreach (string module in new[] { "kvm_intel", "kvm_amd", "kvm_pvm" })
        {
            if (Directory.Exists($"/sys/module/{module}"))
                return module;
        }
        return null;
    }
}
