using Emu.Core.Cpu;
using Emu.Core.Objects;

namespace Emu.Accel.Tcg;

/// <summary>
/// "-accel tcg" as an object ("tcg-accel", as QEMU names it). QEMU's
/// thread=multi (one host thread per vCPU) is how it always runs; thread=single
/// is refused rather than silently ignored.
/// </summary>
public sealed class TcgAccelObject : AccelObject
{
    public static readonly StringProperty ThreadProperty = new("thread", "multi", "vCPU threading: multi (one host thread per vCPU; the only mode)");

    public static new readonly ObjectType TypeInfo = new("tcg-accel", AccelObject.TypeInfo, t => new TcgAccelObject(t),
        "The software CPU: guest code is interpreted by the VMM (no KVM needed)",
        new PropertyInfo[] { ThreadProperty });

    public TcgAccelObject(ObjectType type) : base(type)
    {
    }

    public override string AccelName => "tcg";

    public override IAccelerator Open()
    {
        if (Get(ThreadProperty) is string mode && mode != "multi")
            throw new PropertyValueException($"tcg: thread={mode} is not supported (emu runs one host thread per vCPU: thread=multi)");
        IsRealized = true;
        return new TcgAccelerator();
    }
}
