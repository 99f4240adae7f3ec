using Xunit.Sdk;

namespace Emu.Lab;

// Needs the nested lab of shared/LAB.md (QEMU, the Debian kernel, busybox-static, kmod).
[XunitTestCaseDiscoverer("Emu.Lab.RequirementFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LabFactAttribute() : RequirementFactAttribute(LabRequirements.Level2MissingReason);
