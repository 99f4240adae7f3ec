using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Accel.Tcg;

/// <summary>
/// A VM on the software CPU: no kernel object behind it. It follows the
/// memory map (so the CPUs refill their TLBs when it changes), reaches the
/// address spaces directly, and has no interrupt controller of its own: the
/// board builds the PC's in userspace and connects each vCPU's local APIC.
/// </summary>
internal sealed class TcgVirtualMachine : IVirtualMachine
{
    private readonly TcgPlatform _platform = new();
    private readonly CpuidModel _cpuid;

    public TcgVirtualMachine(VirtualMachineOptions options, int maxVcpus, Jit.JitOptions jit)
    {
        _platform.Jit = jit;
        MaxVcpus = maxVcpus;
        _cpuid = new CpuidModel(options.CpuModel ?? TcgAccelerator.CpuModels[0], options.CpuCount, x87AndSse: true);
    }

    public IMemoryListener MemoryListener => _platform;

    public int MaxVcpus { get; }

    public IInterruptController? Interrupts => null;

    public IIoEventRegistry? IoEvents => null;

    public void AttachAddressSpaces(AddressSpace memory, AddressSpace io) => _platform.Attach(memory, io);

    public IDirtyMemoryTracking? DirtyTracking => _platform;

    public IVcpu CreateVcpu(int index) => new TcgVcpu(new X86Cpu(index, _platform, _cpuid));

    public void Dispose()
    {
    }
}
