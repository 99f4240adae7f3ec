using System.Text.Json;
using Emu.Accel.Kvm;
using Emu.Accel.Tcg;

namespace Emu.Host.Qmp.Platform;

/// <summary>
/// The answer to query-platform: what this host can offer a VM, so that a
/// management tool can compare hosts and choose settings (accelerator
/// features, CPU features, passthrough, tap offloads) that work on all of
/// them. Host facts do not change while emu runs, so the report is gathered
/// once, on first use.
/// </summary>
internal sealed record PlatformReport(KvmPlatformInfo? Kvm, string? KvmProblem, bool KvmInUse, bool TcgInUse, HostCpu Cpu, VfioCapabilities Vfio, TapCapabilities Tap)
{
    public static PlatformReport Gather(QmpContext context)
    {
        KvmPlatformInfo? kvm = null;
        string? problem = null;
        bool inUse = context.Vm.Accelerator is KvmAccelerator;
        try
        {
            if (context.Vm.Accelerator is KvmAccelerator running)
            {
                kvm = KvmPlatformInfo.Probe(running);
            }
            else
            {
                using KvmAccelerator probe = KvmAccelerator.Open();
                kvm = KvmPlatformInfo.Probe(probe);
            }
        }
        catch (Exception e) when (e is KvmUnavailableException or KvmException)
        {
            problem = e.Message;
        }
        return new PlatformReport(kvm, problem, inUse, context.Vm.Accelerator is TcgAccelerator, HostCpu.Probe(), VfioCapabilities.Probe(), TapProbe.Probe());
    }

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartArray("accelerators");
        w.WriteStartObject();
        w.WriteString("name", "kvm");
        w.WriteBoolean("present", Kvm != null);
        w.WriteBoolean("in-use", KvmInUse);
        if (KvmProblem != null)
            w.WriteString("problem", KvmProblem);
        if (Kvm != null)
        {
            w.WriteString("device", Kvm.Device);
            w.WriteNumber("api-version", Kvm.ApiVersion);
            if (Kvm.KernelModule != null)
                w.WriteString("kernel-module", Kvm.KernelModule);
            w.WriteBoolean("hardware-assisted", Kvm.HardwareAssisted);
            w.WriteNumber("max-vcpus", Kvm.MaxVcpus);
            w.WriteNumber("recommended-vcpus", Kvm.RecommendedVcpus);
            w.WriteNumber("memory-slots", Kvm.MemorySlots);
            w.WriteStartObject("capabilities");
            foreach ((string name, int value) in Kvm.Capabilities)
                w.WriteBoolean(name, value > 0);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        // The software CPU is always there.
        w.WriteStartObject();
        w.WriteString("name", "tcg");
        w.WriteBoolean("present", true);
        w.WriteBoolean("in-use", TcgInUse);
        w.WriteBoolean("hardware-assisted", false);
        w.WriteNumber("max-vcpus", new TcgAccelerator().MaxVcpus);
        WriteStrings(w, "cpu-models", TcgAccelerator.CpuModels);
        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteStartObject("cpu");
        w.WriteString("model-name", Cpu.ModelName);
        w.WriteNumber("family", Cpu.Family);
        w.WriteNumber("model", Cpu.Model);
        w.WriteNumber("stepping", Cpu.Stepping);
        w.WriteNumber("logical-processors", Cpu.LogicalProcessors);
        if (Kvm != null)
        {
            w.WriteString("vendor", Kvm.CpuVendor);
            WriteStrings(w, "guest-features", Kvm.GuestCpuFeatures);
        }
        WriteStrings(w, "host-flags", Cpu.Flags);
        w.WriteEndObject();

        w.WriteStartObject("vfio");
        w.WriteBoolean("container", Vfio.Container);
        WriteStrings(w, "groups", Vfio.Groups);
        w.WriteBoolean("device-cdev", Vfio.DeviceCdevs.Count > 0);
        WriteStrings(w, "device-cdevs", Vfio.DeviceCdevs);
        w.WriteNumber("iommu-groups", Vfio.IommuGroups);
        w.WriteBoolean("vfio-pci-driver", Vfio.VfioPciDriver);
        w.WriteEndObject();

        w.WriteStartObject("iommufd");
        w.WriteBoolean("present", Vfio.Iommufd);
        w.WriteEndObject();

        w.WriteStartObject("tap");
        w.WriteBoolean("present", Tap.Present);
        WriteStrings(w, "features", Tap.Features);
        if (Tap.Offloads != null)
            WriteStrings(w, "offloads", Tap.Offloads);
        if (Tap.Problem != null)
            w.WriteString("problem", Tap.Problem);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string value in values)
            w.WriteStringValue(value);
        w.WriteEndArray();
    }
}
