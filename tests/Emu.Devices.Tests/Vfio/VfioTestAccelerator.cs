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

    public RecordingVfioVm? Vm { get; private set; }

    public string Name => "vfio-test";

    public int MaxVcpus => 8;

    public int RecommendedVcpus => 1;

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => Vm = new RecordingVfioVm(Interrupts);

    public void Dispose()
    {
    }
}
