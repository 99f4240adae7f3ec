using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

// xunit's framework, with an executor that sends [KvmFact] tests to level 2 when this
// machine has no KVM. A test assembly with such tests opts in with
//   [assembly: Xunit.TestFramework("Emu.Lab.LabTestFramework", "Emu.Lab")]
public sealed class LabTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new LabTestFrameworkExecutor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);
}
