using Xunit;
using Xunit.Sdk;

namespace Emu.Lab;

// A test whose guest runs on each accelerator: on the software CPU (tcg) here,
// and on KVM where KVM is: here when /dev/kvm works, otherwise in level 2 of the
// nested lab like a [KvmFact]. Two test cases, "[tcg]" and "[kvm]"; the helpers
// that start emu pass -accel from TestAccelerator.Current.
[XunitTestCaseDiscoverer("Emu.Lab.AccelFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class AccelFactAttribute : FactAttribute;
