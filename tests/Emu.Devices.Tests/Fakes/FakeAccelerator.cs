using Emu.Core.Cpu;

namespace Emu.Devices.Tests.Fakes;

/// <summary>An accelerator that runs nothing: enough to build a machine and drive its devices from a test.</summary>
internal sealed class FakeAccelerator : IAccelerator
{
    public FakeInterruptController Interrupts { get; } = new();

    public string Name => "fake";

    public int MaxVcpus => 8;

    public int RecommendedVcpus => 1;

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => new FakeVirtualMachine(Interrupts);

    public void Dispose()
    {
    }
}
