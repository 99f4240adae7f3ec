using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

// Discovers [KvmFact] tests: as RequirementFactDiscoverer does, except that a test that
// is to run in level 2 becomes a Level2TestCase.
public sealed class KvmFactDiscoverer(IMessageSink diagnosticMessageSink) : RequirementFactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        if (factAttribute is IReflectionAttributeInfo { Attribute: KvmFactAttribute { RunsInLevel2: true, Skip: null } })
        {
            return
            [
                new Level2TestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                    discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod),
            ];
        }
        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
