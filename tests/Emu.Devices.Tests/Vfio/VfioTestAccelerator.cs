using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Posix;
using Emu.Devices.Tests.Fakes;

namespace Emu.Devices.Tests.Vfio;

/// <summary>
/// An accelerator for VFIO tests: irqfd-capable interrupts, memory slots
/// recorded (so a test sees which ranges would be mapped into the guest), and
/// a VFIO file registry (the KVM-VFIO device's seam) that records registrations.
/// </summary>
internal sealed class VfioTestAccelerator : IAccelerator
{
    public IrqfdInterruptController Interrupts { get; } = new();

    public RecordingVm? Vm { get; private set; }

    public string Name => "vfio-test";

    public int MaxVcpus => 8;

    public int RecommendedVcpus => 1;

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => Vm = new RecordingVm(Interrupts);

    public void Dispose()
    {
    }

    internal sealed class RecordingVm(IInterruptController interrupts) : IVirtualMachine, IMemoryListener, IVfioFileRegistry
    {
        public List<FlatRange> Slots { get; } = new();

        public List<int> VfioFiles { get; } = new();

        public IMemoryListener MemoryListener => this;

        public int MaxVcpus => 8;

        public IInterruptController? Interrupts => interrupts;

        public IIoEventRegistry? IoEvents => null;

        IVfioFileRegistry? IVirtualMachine.VfioFiles => this;

        public IVcpu CreateVcpu(int index) => new FakeVcpu(index);

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
            return new Removal(() => VfioFiles.Remove(fd));
        }

        public void Dispose()
        {
        }

        private sealed class Removal(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }
}
