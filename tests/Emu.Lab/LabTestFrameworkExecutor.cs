using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

// Runs a test assembly's test cases. At level 1 it first hands the tests that are to run
// in level 2 (Level2TestCase) to one Level2TestBatch, which boots level 2 while the other
// tests run here; inside that batch's level 2 it runs only the tests the batch asked for
// and records their results (Level2TestRecorder).
public sealed class LabTestFrameworkExecutor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
    : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
{
    /// <summary>EMU_LAB_LEVEL1_ONLY=1: leave out the tests that would run in level 2 (not run, not reported).</summary>
    public const string Level1OnlyVariable = "EMU_LAB_LEVEL1_ONLY";

    protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
    {
        var cases = testCases.ToList();
        if (Level2TestRecorder.FromEnvironment(executionMessageSink) is { } recorder)
        {
            cases = cases.Where(recorder.Wants).ToList();
            executionMessageSink = recorder;
        }
        else if (Environment.GetEnvironmentVariable(Level1OnlyVariable) == "1")
        {
            // A pass that repeats what runs here (e.g. against the published emu); its level-2 tests ran in the main pass.
            cases = cases.Where(c => c is not Level2TestCase).ToList();
        }
        else if (cases.OfType<Level2TestCase>().ToList() is { Count: > 0 } inLevel2)
        {
            // The runner may name the assembly relative to its directory, the test host's base.
            Level2TestBatch.Start(Path.GetFullPath(AssemblyInfo.AssemblyPath, AppContext.BaseDirectory), inLevel2);
        }
        base.RunTestCases(cases, executionMessageSink, executionOptions);
    }
}
