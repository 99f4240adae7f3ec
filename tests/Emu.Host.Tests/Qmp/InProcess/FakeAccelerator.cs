using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>An accelerator that runs nothing: enough for a machine, its controller and its vCPU threads, without /dev/kvm.</summary>
internal sealed class FakeAccelerator : IAccelerator, IVirtualMachine, IMemoryListener
{
    public string Name => "fake";

    public int MaxVcpus => 8;

    public int RecommendedVcpus => 1;

    public List<FakeVcpu> Vcpus { get; } = new();

    public IMemoryListener MemoryListener => this;

    public IInterruptController? Interrupts => null;

    public IIoEventRegistry? IoEvents => null;

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => this;

    public IVcpu CreateVcpu(int index)
    {
        var vcpu = new FakeVcpu(index);
        Vcpus.Add(vcpu);
        return vcpu;
    }

    public void RangeAdded(in FlatRange range)
    {
    }

    public void RangeRemoved(in FlatRange range)
    {
    }

    public void Dispose()
    {
    }
}
