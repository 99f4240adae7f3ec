namespace Emu.Core.Cpu;

/// <summary>
/// A way to run guest code: KVM on Linux, Hypervisor.framework on macOS.
/// Nothing outside the accelerator's implementation talks to the kernel's
/// virtualization API.
/// </summary>
public interface IAccelerator : IDisposable
{
    /// <summary>The name used on the command line (-accel kvm).</summary>
    string Name { get; }

    /// <summary>Most vCPUs a VM may have, and the recommended number.</summary>
    int MaxVcpus { get; }

    int RecommendedVcpus { get; }

    /// <summary>The CPU model without -cpu: "host" where the accelerator runs the host's CPU.</summary>
    string DefaultCpuModel => "host";

    IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options);
}
