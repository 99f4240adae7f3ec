using Emu.Core.Objects;

namespace Emu.Core.Machines;

/// <summary>
/// A vCPU's node in the object tree (/machine/unattached/device[N], where
/// QEMU puts its CPUs and where query-cpus-fast's "qom-path" points).
/// </summary>
public sealed class VcpuObject : EmuObject
{
    public static readonly IntegerProperty ApicIdProperty = IntegerProperty.UInt32("apic-id", 0, "Local APIC ID of the vCPU");

    public static readonly ObjectType TypeInfo = new("host-x86_64-cpu", null, t => new VcpuObject(t),
        "A virtual CPU running the host CPU model (-cpu host)", new PropertyInfo[] { ApicIdProperty });

    public VcpuObject(ObjectType type) : base(type)
    {
    }

    public static VcpuObject Create(int index)
    {
        var cpu = new VcpuObject(TypeInfo);
        cpu.Set(ApicIdProperty, index);
        cpu.IsRealized = true;
        return cpu;
    }
}
