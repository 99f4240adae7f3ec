using Emu.Core.Cpu;

namespace Emu.Core.Machines;

/// <summary>
/// Work that must run on a vCPU's own thread (reading its registers,
/// translating an address through its page tables), queued by another thread
/// and completed through a task. The task's continuations never run on the
/// vCPU thread.
/// </summary>
internal abstract class VcpuWorkItem
{
    public abstract void Execute(IVcpu vcpu);

    public abstract void Fail(Exception reason);
}
