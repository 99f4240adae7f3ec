using Emu.Core.Cpu;
using Emu.Core.Objects;

namespace Emu.Accel.Kvm;

/// <summary>
/// "-accel kvm,device=PATH" as an object ("kvm-accel", as QEMU names it):
/// its properties take machine compat values and -global kvm-accel.PROP=VALUE
/// like any device's, and opening it yields the KVM accelerator.
/// </summary>
public sealed class KvmAccelObject : AccelObject
{
    public static readonly StringProperty DeviceProperty = new("device", KvmAccelerator.DefaultDevice, "Path of the KVM device to open");

    public static new readonly ObjectType TypeInfo = new("kvm-accel", AccelObject.TypeInfo, t => new KvmAccelObject(t),
        "KVM: guest code runs on the host CPU through the kernel's virtualization API",
        new PropertyInfo[] { DeviceProperty });

    public KvmAccelObject(ObjectType type) : base(type)
    {
    }

    public override string AccelName => "kvm";

    public override IAccelerator Open()
    {
        KvmAccelerator accelerator = KvmAccelerator.Open(Get(DeviceProperty) ?? KvmAccelerator.DefaultDevice);
        IsRealized = true;
        return accelerator;
    }
}
