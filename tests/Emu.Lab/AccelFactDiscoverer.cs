using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

// Discovers [AccelFact] tests: a tcg test case that runs here, and a kvm one that
// runs here, or in level 2, or (neither KVM nor the lab) skips off CI and fails on CI.
public sealed class AccelFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        TestMethodDisplay display = discoveryOptions.MethodDisplayOrDefault();
        TestMethodDisplayOptions options = discoveryOptions.MethodDisplayOptionsOrDefault();
        yield return new AcceleratedTestCase(diagnosticMessageSink, display, options, testMethod, "tcg");
        if (LabRequirements.KvmMissingReason is not { } noKvm)
        {
            yield return new AcceleratedTestCase(diagnosticMessageSink, display, options, testMethod, "kvm");
        }
        else if (Level2TestRecorder.IsInsideLevel2)
        {
            yield return new ExecutionErrorTestCase(diagnosticMessageSink, display, options, testMethod, $"{noKvm} (inside level 2, where KVM should work)");
        }
        else if (LabRequirements.Level2MissingReason is not { } noLab)
        {
            yield return new Level2TestCase(diagnosticMessageSink, display, options, testMethod, "kvm");
        }
        else
        {
            string reason = $"{noKvm}, and the nested lab that would run the KVM case instead is unusable: {noLab}";
            yield return LabEnvironment.IsCi
                ? new ExecutionErrorTestCase(diagnosticMessageSink, display, options, testMethod, $"{reason} [CI=true: a missing prerequisite is a failure, not a skip]")
                : new AcceleratedTestCase(diagnosticMessageSink, display, options, testMethod, "kvm", skipReason: reason);
        }
    }
}
