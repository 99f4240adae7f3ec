using Emu.Core.Migration;
using Emu.Core.Objects;

namespace Emu.Core.Machines;

/// <summary>
/// A device model. Properties are set first (defaults, compat, -global, its
/// own options); <see cref="Realize"/> then wires it into the machine: memory
/// regions, interrupt lines, backends. <see cref="Reset"/> returns it to its
/// power-on state; <see cref="Unrealize"/> removes it and releases everything it holds.
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

    public void Unrealize()
    {
        if (!IsRealized)
            return;
        OnUnrealize();
        IsRealized = false;
        Machine = null;
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

    protected virtual void OnUnrealize()
    {
    }

    /// <summary>Back to power-on state. Called with all vCPUs stopped.</summary>
    public virtual void Reset()
    {
    }
}
