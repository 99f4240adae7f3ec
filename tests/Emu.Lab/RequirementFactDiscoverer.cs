using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

// Discovers RequirementFactAttribute tests: a normal (or skipped) fact, or on CI with the
// requirement missing, a test case that fails with the reason.
public class RequirementFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
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
