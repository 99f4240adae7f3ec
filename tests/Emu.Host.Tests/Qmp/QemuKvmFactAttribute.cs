using Emu.Lab;
using Xunit.Sdk;

namespace Emu.Host.Tests.Qmp;

/// <summary>Needs /dev/kvm and Debian's qemu-system-x86_64, for tests that run the same thing on QEMU and emu.</summary>
[XunitTestCaseDiscoverer("Emu.Lab.RequirementFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class QemuKvmFactAttribute() : RequirementFactAttribute(
    LabRequirements.KvmMissingReason ?? (File.Exists(VmProcess.QemuPath) ? null : $"{VmProcess.QemuPath} is not installed (apt-get install qemu-system-x86)"));
