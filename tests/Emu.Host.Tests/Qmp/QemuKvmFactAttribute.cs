using Emu.Lab;
using Xunit.Sdk;

namespace Emu.Host.Tests.Qmp;

/// <summary>Needs KVM (at level 1, or in level 2 like any [KvmFact]) and Debian's qemu-system-x86_64, for tests that run the same thing on QEMU and emu.</summary>
[XunitTestCaseDiscoverer("Emu.Lab.KvmFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class QemuKvmFactAttribute() : KvmFactAttribute(
    File.Exists(VmProcess.QemuPath) ? null : $"{VmProcess.QemuPath} is not installed (apt-get install qemu-system-x86)");
