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

    public static readonly BoolProperty JitProperty = new("jit", true,
        "compile hot guest code to host code (x86-64 Linux hosts; off: interpret everything)");

    public static readonly IntegerProperty JitThresholdProperty = new("jit-threshold", Jit.JitOptions.DefaultThreshold, 0, int.MaxValue,
        "times a block is interpreted before it is compiled (0: compiled before its first run)");

    public static new readonly ObjectType TypeInfo = new("tcg-accel", AccelObject.TypeInfo, t => new TcgAccelObject(t),
        "The software CPU: guest code is interpreted by the VMM (no KVM needed)",
        new PropertyInfo[] { ThreadProperty, JitProperty, JitThresholdProperty });

    public TcgAccelObject(ObjectType type) : base(type)
    {
    }

    public override string AccelName => "tcg";

    public override IAccelerator Open()
    {
        if (Get(ThreadProperty) is string mode && mode != "multi")
            throw new PropertyValueException($"tcg: thread={mode} is not supported (emu runs one host thread per vCPU: thread=multi)");
        IsRealized = true;
        bool jit = Get(JitProperty);
        int threshold = (int)Get(JitThresholdProperty);
        return new TcgAccelerator(Jit.JitOptions.Default with { Enabled = jit && Jit.JitOptions.HostSupported, Threshold = threshold });
    }
}
