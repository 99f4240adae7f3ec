using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Posix;
using Emu.Devices.Tests.Fakes;

namespace Emu.Devices.Tests.Vfio;

/// <summary>A VM that records its memory slots (mappable ranges) and the VFIO files registered with it.</summary>
internal sealed class RecordingVfioVm(IInterruptController interrupts) : IVirtualMachine, IMemoryListener, IVfioFileRegistry
{
    public List<FlatRange> Slots { get; } = new();

    public List<int> VfioFiles { get; } = new();

    public IMemoryListener MemoryListener => this;

    public int MaxVcpus => 8;

    public IInterruptController? Interrupts => interrupts;

    public IIoEventRegistry? IoEvents => null;

    IVfioFileRegistry? IVirtualMachine.VfioFiles => this;

    public IVcpu CreateVcpu(int index) => FakeVcpuFactory.Create();

    public void RangeAdded(in FlatRange range)
    {
        if (range.IsMappable)
            Slots.Add(range);
    }

    public void RangeRemoved(in FlatRange range) => Slots.Remove(range);

    public IDisposable Add(FileDescriptor file)
    {
        int fd = file.Fd;
        VfioFiles.Add(fd);
        return new CallbackDisposable(() => VfioFiles.Remove(fd));
    }

    public void Dispose()
    {
    }
}
