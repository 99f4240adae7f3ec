using Emu.Core.Interrupts;

namespace Emu.Devices.Tests.Irq;

/// <summary>A vCPU that records wake-ups and the APIC connected to it.</summary>
internal sealed class FakeApicVcpu : IUserspaceApicVcpu
{
    private int _wakes;

    public FakeApicVcpu(int index) => Index = index;

    public int Index { get; }

    public ILocalApic? Apic { get; private set; }

    public int Wakes => Volatile.Read(ref _wakes);

    public void ConnectLocalApic(ILocalApic apic) => Apic = apic;

    public void Wake() => Interlocked.Increment(ref _wakes);
}
