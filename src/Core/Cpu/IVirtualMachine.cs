using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Migration;

namespace Emu.Core.Cpu;

/// <summary>
/// An accelerated virtual machine: takes guest memory through its
/// <see cref="MemoryListener"/> (memory slots) and makes vCPUs.
/// </summary>
public interface IVirtualMachine : IDisposable
{
    /// <summary>Receives the flat view of system memory; maps RAM and ROM into the guest.</summary>
    IMemoryListener MemoryListener { get; }

    /// <summary>The most vCPUs this VM can have.</summary>
    int MaxVcpus { get; }

    IVcpu CreateVcpu(int index);

    /// <summary>The accelerator's interrupt controllers, or null when it has none (HLT then exits to the VMM).</summary>
    IInterruptController? Interrupts { get; }

    /// <summary>ioeventfd support, or null when unavailable.</summary>
    IIoEventRegistry? IoEvents { get; }

    /// <summary>Where VFIO files are registered with the accelerator, or null when it needs no such thing.</summary>
    IVfioFileRegistry? VfioFiles => null;

    /// <summary>
    /// The machine's address spaces, once they exist: an accelerator that runs
    /// guest code itself (the software CPU) reaches RAM and devices through them
    /// directly; one that exits to the VMM for I/O needs nothing.
    /// </summary>
    void AttachAddressSpaces(AddressSpace memory, AddressSpace io)
    {
    }

    /// <summary>
    /// State the accelerator keeps for the whole VM (KVM's in-kernel interrupt
    /// controllers, PIT and clock), as sections of the migration stream.
    /// </summary>
    IReadOnlyList<MigrationSection> MigrationSections => Array.Empty<MigrationSection>();

    /// <summary>How the accelerator reports the guest RAM its vCPUs write, or null when it cannot (no live migration then).</summary>
    IDirtyMemoryTracking? DirtyTracking => null;

    /// <summary>
    /// The guest has stopped (stop, a migration's last phase): every vCPU is out of
    /// guest mode. Called on the machine's thread; state that should stand still
    /// while the guest does (KVM's clock) is taken here.
    /// </summary>
    void GuestStopped()
    {
    }

    /// <summary>The guest is about to run again after a stop or a load: what <see cref="GuestStopped"/> took goes back.</summary>
    void GuestResuming()
    {
    }
}
