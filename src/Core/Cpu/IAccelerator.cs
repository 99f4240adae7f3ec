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

    IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options);
}
