using Xunit.Sdk;

namespace Emu.Lab;

// Needs the lab's guest parts (the Debian kernel, busybox-static, kmod) and a network
// namespace with a tap device in it: root, iproute2's `ip` and /dev/net/tun.
[XunitTestCaseDiscoverer("Emu.Lab.RequirementFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NetnsLabFactAttribute() : RequirementFactAttribute(LabRequirements.Level2MissingReason ?? LabRequirements.NetnsMissingReason);
