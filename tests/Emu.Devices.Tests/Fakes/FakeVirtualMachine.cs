using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Devices.Tests.Fakes;

/// <summary>A VM without memory slots, ioeventfds or vCPUs that run.</summary>
internal sealed class FakeVirtualMachine(IInterruptController interrupts) : IVirtualMachine, IMemoryListener
{
    public IMemoryListener MemoryListener => this;

    public int MaxVcpus => 8;

    public IInterruptController? Interrupts => interrupts;

    public IIoEventRegistry? IoEvents => null;

    public IVcpu CreateVcpu(int index) => FakeVcpuFactory.Create();

    public void RangeRemoved(in FlatRange range)
    {
    }

    public void RangeAdded(in FlatRange range)
    {
    }

    public void Dispose()
    {
    }
}
