using Emu.Core.Cpu;

namespace Emu.Core.Objects;

/// <summary>
/// The accelerator as an object of the model ("-accel kvm,device=..."), so
/// that machine compat properties and -global reach its settings like any
/// device's. Opening it yields the <see cref="IAccelerator"/> that runs the guest.
/// </summary>
public abstract class AccelObject : EmuObject
{
    public static readonly ObjectType TypeInfo = new("accel", null, null, "Base type of accelerators");

    protected AccelObject(ObjectType type) : base(type)
    {
    }

    /// <summary>The name on the command line (-accel kvm).</summary>
    public abstract string AccelName { get; }

    /// <summary>
    /// Defaults this accelerator sets for other types. They come first in the
    /// global list, so machine compat properties, -global and an object's own
    /// options all override them.
    /// </summary>
    public virtual IReadOnlyList<GlobalProperty> GlobalDefaults => Array.Empty<GlobalProperty>();

    /// <summary>Opens the accelerator with the current property values; throws with a one-line reason when it cannot.</summary>
    public abstract IAccelerator Open();
}
