using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Core.Tests.Machines;

/// <summary>An accelerator whose vCPUs are <see cref="ScriptedVcpu"/>s; no interrupt controller, no memory slots.</summary>
internal sealed class ScriptedAccelerator : IAccelerator, IVirtualMachine, IMemoryListener
{
    private AddressSpace? _memory;

    public string Name => "scripted";

    public int MaxVcpus => 8;

    public int RecommendedVcpus => 1;

    public List<ScriptedVcpu> Vcpus { get; } = new();

    public IMemoryListener MemoryListener => this;

    public IInterruptController? Interrupts => null;

    public IIoEventRegistry? IoEvents => null;

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => this;

    public void AttachAddressSpaces(AddressSpace memory, AddressSpace io) => _memory = memory;

    public IVcpu CreateVcpu(int index)
    {
        var vcpu = new ScriptedVcpu(index) { Memory = _memory };
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
