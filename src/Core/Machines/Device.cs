using Emu.Core.Migration;
using Emu.Core.Objects;

namespace Emu.Core.Machines;

/// <summary>
/// A device model. Properties are set first (defaults, compat, -global, its
/// own options); <see cref="Realize"/> then wires it into the machine: memory
/// regions, interrupt lines, backends. <see cref="Reset"/> returns it to its
/// power-on state; <see cref="Unrealize"/> removes it and releases everything it holds.
///
/// Removal has two halves with a grace period between them: first
/// <see cref="OnDisconnect"/> takes the device out of the guest's reach (its
/// regions out of the address spaces, off its bus), then the machine waits
/// until no vCPU can still be inside it through the memory map it saw before
/// (<see cref="Machine.WaitForVcpusToLeaveOldViews"/>), and only then
/// <see cref="OnUnrealize"/> stops its threads, closes its file descriptors
/// and unmaps its memory.
/// </summary>
public abstract partial class Device : EmuObject, IMigratable
{
    public static readonly ObjectType TypeInfo = new("device", null, null, "Base type of all devices");

    protected Device(ObjectType type) : base(type)
    {
    }

    /// <summary>The machine this device is realized into.</summary>
    public Machine? Machine { get; private set; }

    public void Realize(Machine machine)
    {
        if (IsRealized)
            throw new InvalidOperationException($"{this} is already realized");
        OnRealize(machine);
        Machine = machine;
        IsRealized = true;
    }

    private bool _disconnected;

    /// <summary>
    /// The first half of removal: the guest can no longer reach the device
    /// (vCPUs already inside it may still be there until a grace period has
    /// passed). A failure leaves the device in place.
    /// </summary>
    public void Disconnect()
    {
        if (!IsRealized || _disconnected)
            return;
        OnDisconnect();
        _disconnected = true;
    }

    /// <summary>
    /// Removes the device: disconnects it if that has not been done, waits for
    /// the grace period, then releases it. Even when the release fails the
    /// device counts as unrealized (what it still holds is lost, not reused).
    /// </summary>
    public void Unrealize()
    {
        if (!IsRealized)
            return;
        if (!_disconnected)
        {
            Disconnect();
            Machine?.WaitForVcpusToLeaveOldViews();
        }
        try
        {
            OnUnrealize();
        }
        finally
        {
            IsRealized = false;
            Machine = null;
            _disconnected = false;
        }
    }

    /// <summary>
    /// Checks what can be checked before the board is built and the accelerator
    /// opened: required options, the backends that link properties name, host
    /// resources. A command line with a mistake is then refused for that mistake
    /// on any host, whether or not the accelerator could open. Realize checks
    /// again what may have changed in between.
    /// </summary>
    public void CheckConfiguration(Machine machine) => OnCheckConfiguration(machine);

    protected virtual void OnCheckConfiguration(Machine machine)
    {
    }

    protected abstract void OnRealize(Machine machine);

    /// <summary>
    /// Takes the device out of the guest's reach: its memory regions leave the
    /// address spaces, it leaves its bus, its interrupt lines go low. Nothing
    /// is released yet: a vCPU may still be inside one of its handlers.
    /// </summary>
    protected virtual void OnDisconnect()
    {
    }

    /// <summary>Releases what the device holds (threads, file descriptors, memory); no vCPU reaches it any more.</summary>
    protected virtual void OnUnrealize()
    {
    }

    /// <summary>Back to power-on state. Called with all vCPUs stopped.</summary>
    public virtual void Reset()
    {
    }
}
