using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

// A [Fact] that needs something of the machine. When the requirement is missing:
// off CI the test is skipped with the reason shown; with CI=true it fails with the
// reason instead (a CI machine must have everything). xunit 2 has no dynamic skip, so
// the attribute sets Skip in its constructor and a discoverer turns the CI case into a
// failing test case.
public abstract class RequirementFactAttribute : FactAttribute
{
    protected RequirementFactAttribute(string? missingReason)
    {
        if (missingReason is null)
            return;
        if (LabEnvironment.IsCi)
            FailureReason = $"{missingReason} [CI=true: a missing prerequisite is a failure, not a skip]";
        else
            Skip = missingReason;
    }

    // Set when the test must fail without running (CI and the requirement is missing).
    public string? FailureReason { get; }
}

// Needs the nested lab of shared/LAB.md (QEMU, the Debian kernel, busybox-static, kmod).
[XunitTestCaseDiscoverer("Emu.Lab.RequirementFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LabFactAttribute() : RequirementFactAttribute(LabRequirements.Level2MissingReason);

// Needs a working /dev/kvm on the machine itself (level 1).
[XunitTestCaseDiscoverer("Emu.Lab.RequirementFactDiscoverer", "Emu.Lab")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class KvmFactAttribute() : RequirementFactAttribute(LabRequirements.KvmMissingReason);

// Discovers RequirementFactAttribute tests: a normal (or skipped) fact, or on CI with the
// requirement missing, a test case that fails with the reason.
public sealed class RequirementFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        if (factAttribute is IReflectionAttributeInfo { Attribute: RequirementFactAttribute { FailureReason: { } reason } })
        {
            return
            [
                new ExecutionErrorTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                    discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason),
            ];
        }
        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
