using Emu.Accel.Kvm;
using Emu.Core.Cpu;
using Emu.Core.Posix;
using Emu.Lab;

namespace Emu.Accel.Tests;

/// <summary>The KVM-VFIO pseudo device behind <see cref="IVfioFileRegistry"/>.</summary>
public sealed class KvmVfioDeviceTests
{
    [Fact]
    public void Attribute_numbers_match_the_kernel_header()
    {
        var c = CLayoutProbe.Run("#include <linux/kvm.h>", new[] { "CONST(KVM_DEV_VFIO_GROUP)", "CONST(KVM_DEV_VFIO_GROUP_ADD)", "CONST(KVM_DEV_VFIO_GROUP_DEL)" });
        Assert.True(c["const KVM_DEV_VFIO_GROUP"] == KvmVfioDevice.GroupFile, "KVM_DEV_VFIO_GROUP");
        Assert.True(c["const KVM_DEV_VFIO_GROUP_ADD"] == KvmVfioDevice.AttrFileAdd, "KVM_DEV_VFIO_GROUP_ADD");
        Assert.True(c["const KVM_DEV_VFIO_GROUP_DEL"] == KvmVfioDevice.AttrFileDel, "KVM_DEV_VFIO_GROUP_DEL");
    }

    // A file that is not a VFIO group or device is refused (and on this machine, whose kernel
    // has no VFIO, the device type itself is): the refusal is a typed error naming the ioctl,
    // which vfio-pci logs before going on; the VM is unharmed. Real group files are
    // registered in the vfio-pci lab tests (level 2).
    [KvmFact]
    public void Registering_a_file_reports_what_KVM_said_when_it_cannot()
    {
        using KvmAccelerator kvm = KvmAccelerator.Open();
        using IVirtualMachine vm = kvm.CreateVirtualMachine(new VirtualMachineOptions());
        IVfioFileRegistry registry = vm.VfioFiles!;
        using var notVfio = new EventFd();
        var e = Assert.IsType<KvmException>(Record.Exception(() => registry.Add(notVfio.Handle).Dispose()));
        Assert.StartsWith("KVM_", e.Operation);
        using IVcpu vcpu = vm.CreateVcpu(0);
        Assert.Equal(0, vcpu.Index);
    }
}
