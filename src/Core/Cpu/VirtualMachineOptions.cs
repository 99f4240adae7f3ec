namespace Emu.Core.Cpu;

/// <summary>How the accelerator should set up a new VM.</summary>
public sealed record VirtualMachineOptions
{
    /// <summary>
    /// Interrupt controllers and timer emulated by the accelerator (KVM's
    /// in-kernel PIC, IOAPIC, LAPIC and PIT). Without them, HLT exits to the VMM.
    /// </summary>
    public bool InKernelIrqChip { get; init; }

    /// <summary>How many vCPUs the VM will have (the CPU topology the guest sees).</summary>
    public int CpuCount { get; init; } = 1;

    /// <summary>The -cpu model, for an accelerator that defines the CPU itself (null: its default).</summary>
    public string? CpuModel { get; init; }
}
