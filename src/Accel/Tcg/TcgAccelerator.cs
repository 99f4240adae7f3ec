using Emu.Core.Cpu;

namespace Emu.Accel.Tcg;

/// <summary>
/// The software accelerator ("-accel tcg", QEMU's name): an x86-64 CPU
/// interpreted in the VMM, so guests run on hosts without KVM.
/// </summary>
public sealed class TcgAccelerator : IAccelerator
{
    /// <summary>The CPU models -cpu accepts with this accelerator (all the same implemented feature set).</summary>
    public static readonly IReadOnlyList<string> CpuModels = ["max", "qemu64"];

    private readonly Jit.JitOptions _jit;

    public TcgAccelerator()
        : this(Jit.JitOptions.Default)
    {
    }

    internal TcgAccelerator(Jit.JitOptions jit) => _jit = jit;

    public string Name => "tcg";

    /// <summary>Without -cpu: every feature the software CPU implements.</summary>
    public string DefaultCpuModel => CpuModels[0];

    /// <summary>One vCPU per APIC ID the q35 MADT can describe.</summary>
    public int MaxVcpus => 255;

    public int RecommendedVcpus => Environment.ProcessorCount;

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => new TcgVirtualMachine(options, MaxVcpus, _jit);

    public void Dispose()
    {
    }
}
