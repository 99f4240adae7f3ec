using Emu.Core.Objects;

namespace Emu.Core.Machines;

/// <summary>
/// A vCPU's node in the object tree (/machine/unattached/device[N], where
/// QEMU puts its CPUs and where query-cpus-fast's "qom-path" points). Its
/// type names the CPU model as QEMU does: MODEL-x86_64-cpu.
/// </summary>
public sealed class VcpuObject : EmuObject
{
    public static readonly IntegerProperty ApicIdProperty = IntegerProperty.UInt32("apic-id", 0, "Local APIC ID of the vCPU");

    public static readonly ObjectType TypeInfo = new("host-x86_64-cpu", null, t => new VcpuObject(t),
        "A virtual CPU running the host CPU model (-cpu host)", new PropertyInfo[] { ApicIdProperty });

    public static readonly ObjectType MaxTypeInfo = new("max-x86_64-cpu", null, t => new VcpuObject(t),
        "A virtual CPU with every feature the accelerator implements (-cpu max)", new PropertyInfo[] { ApicIdProperty });

    public static readonly ObjectType Qemu64TypeInfo = new("qemu64-x86_64-cpu", null, t => new VcpuObject(t),
        "A virtual CPU of QEMU's baseline 64-bit model (-cpu qemu64)", new PropertyInfo[] { ApicIdProperty });

    public VcpuObject(ObjectType type) : base(type)
    {
    }

    public static IReadOnlyList<ObjectType> Types => [TypeInfo, MaxTypeInfo, Qemu64TypeInfo];

    public static VcpuObject Create(int index, string model)
    {
        ObjectType type = model switch
        {
            "max" => MaxTypeInfo,
            "qemu64" => Qemu64TypeInfo,
            _ => TypeInfo,
        };
        var cpu = new VcpuObject(type);
        cpu.Set(ApicIdProperty, index);
        cpu.IsRealized = true;
        return cpu;
    }
}
