using System.Reflection;
using System.Text.Json;
using Emu.Lab;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab.Tests;

// The parts that carry a [KvmFact] test to level 2 and its result back: what level 1
// reports for each outcome level 2 can give (or fail to give), and what the level-2
// recorder writes. The real round trip is every [KvmFact] test of the suite on a machine
// without KVM.
public sealed class Level2DelegationTests
{
    // Stand-ins for tests that ran in level 2: only their names matter.
    public static class Probe
    {
        public static void Passes() { }
        public static void Fails() { }
        public static void HasNoResult() { }
        public static void HasNoBatch() { }
        public static void BatchFails() { }
        public static void Recorded() { }
        public static void NotAsked() { }
    }

    sealed class CollectingBus : IMessageBus
    {
        public List<IMessageSinkMessage> Messages { get; } = [];
        public bool QueueMessage(IMessageSinkMessage message)
        {
            lock (Messages)
                Messages.Add(message);
            return true;
        }
        public void Dispose() { }
    }

    sealed class NullSink : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message) => true;
    }

    static Level2TestCase CaseFor(string method)
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(Probe).Assembly));
        var collection = new TestCollection(assembly, null, "probe");
        var testClass = new TestClass(collection, Reflector.Wrap(typeof(Probe)));
        MethodInfo info = typeof(Probe).GetMethod(method)!;
        var testMethod = new TestMethod(testClass, Reflector.Wrap(info));
        return new Level2TestCase(new NullSink(), TestMethodDisplay.ClassAndMethod, TestMethodDisplayOptions.None, testMethod);
    }

    static async Task<(RunSummary Summary, CollectingBus Bus)> RunAsync(Level2TestCase testCase)
    {
        var bus = new CollectingBus();
        RunSummary summary = await testCase.RunAsync(new NullSink(), bus, [], new ExceptionAggregator(), new CancellationTokenSource());
        return (summary, bus);
    }

    static void Batch(Level2TestCase testCase, Func<Level2TestBatch, IReadOnlyDictionary<string, Level2TestOutcome>> results) =>
        Level2TestBatch.StartWith("/nowhere/Probe.dll", [testCase.Key], batch =>
        {
            batch.Note("booted once more after a crash");
            return Task.FromResult(results(batch));
        });

    [Fact]
    public async Task A_test_that_passed_in_level_2_passes_here_with_its_output_and_the_batch_log()
    {
        Level2TestCase testCase = CaseFor(nameof(Probe.Passes));
        Batch(testCase, _ => new Dictionary<string, Level2TestOutcome>
        {
            [testCase.Key] = new() { Key = testCase.Key, DisplayName = testCase.DisplayName, Result = Level2TestOutcome.Passed, Seconds = 1.5m, Output = "guest said hello\n" },
        });
        (RunSummary summary, CollectingBus bus) = await RunAsync(testCase);
        Assert.Equal(0, summary.Failed);
        ITestPassed passed = Assert.Single(bus.Messages.OfType<ITestPassed>());
        Assert.Equal(1.5m, passed.ExecutionTime);
        Assert.Contains("guest said hello", passed.Output);
        Assert.Contains("[level 2] booted once more after a crash", passed.Output);
        Assert.Single(bus.Messages.OfType<ITestCaseFinished>());
    }

    [Fact]
    public async Task A_test_that_failed_in_level_2_fails_here_with_its_exception_and_says_where()
    {
        Level2TestCase testCase = CaseFor(nameof(Probe.Fails));
        Batch(testCase, _ => new Dictionary<string, Level2TestOutcome>
        {
            [testCase.Key] = new()
            {
                Key = testCase.Key, DisplayName = testCase.DisplayName, Result = Level2TestOutcome.Failed,
                ExceptionTypes = ["Xunit.Sdk.EqualException"], Messages = ["Assert.Equal() Failure: expected 0, actual 1"],
                StackTraces = ["at Probe.Fails()"], ExceptionParentIndices = [-1],
            },
        });
        (RunSummary summary, CollectingBus bus) = await RunAsync(testCase);
        Assert.Equal(1, summary.Failed);
        ITestFailed failed = Assert.Single(bus.Messages.OfType<ITestFailed>());
        Assert.Equal(["Xunit.Sdk.EqualException"], failed.ExceptionTypes);
        Assert.Equal("[ran in level 2 of the nested lab] Assert.Equal() Failure: expected 0, actual 1", failed.Messages[0]);
        Assert.Equal(["at Probe.Fails()"], failed.StackTraces);
        Assert.Empty(bus.Messages.OfType<ITestPassed>());
    }

    [Fact]
    public async Task A_test_level_2_reported_nothing_for_fails()
    {
        Level2TestCase testCase = CaseFor(nameof(Probe.HasNoResult));
        Batch(testCase, _ => new Dictionary<string, Level2TestOutcome>());
        (RunSummary summary, CollectingBus bus) = await RunAsync(testCase);
        Assert.Equal(1, summary.Failed);
        Assert.Contains("level 2 reported no result for this test", Assert.Single(bus.Messages.OfType<ITestFailed>()).Messages[0]);
    }

    [Fact]
    public async Task A_test_of_an_assembly_without_the_lab_framework_fails_and_says_what_to_add()
    {
        (RunSummary summary, CollectingBus bus) = await RunAsync(CaseFor(nameof(Probe.HasNoBatch)));
        Assert.Equal(1, summary.Failed);
        Assert.Contains("Emu.Lab.LabTestFramework", Assert.Single(bus.Messages.OfType<ITestFailed>()).Messages[0]);
    }

    [Fact]
    public async Task A_level_2_run_that_failed_fails_every_test_of_its_batch_with_the_reason()
    {
        Level2TestCase testCase = CaseFor(nameof(Probe.BatchFails));
        Level2TestBatch.StartWith("/nowhere/Probe.dll", [testCase.Key], _ => throw new LabException("level 2 timed out after 2400 s"));
        (RunSummary summary, CollectingBus bus) = await RunAsync(testCase);
        Assert.Equal(1, summary.Failed);
        Assert.Contains("the level-2 run failed: level 2 timed out after 2400 s", Assert.Single(bus.Messages.OfType<ITestFailed>()).Messages[0]);
    }

    [Fact]
    public void The_level_2_recorder_runs_only_the_tests_asked_for_and_writes_each_result_as_level_1_reads_it()
    {
        Level2TestCase asked = CaseFor(nameof(Probe.Recorded));
        Level2TestCase other = CaseFor(nameof(Probe.NotAsked));
        string results = Path.Combine(Path.GetTempPath(), $"emu-recorder-{Guid.NewGuid():N}.jsonl");
        try
        {
            var inner = new CollectingBus();
            var recorder = new Level2TestRecorder(new BusSink(inner), [asked.Key], results);
            Assert.True(recorder.Wants(asked));
            Assert.False(recorder.Wants(other));
            var test = new XunitTest(asked, asked.DisplayName);
            recorder.OnMessage(new TestStarting(test));
            recorder.OnMessage(new TestFailed(test, 2.25m, "out\n", ["System.TimeoutException"], ["emu did not finish"], ["at X"], [-1]));
            Assert.Equal(2, inner.Messages.Count); // passed on unchanged
            Level2TestOutcome outcome = JsonSerializer.Deserialize<Level2TestOutcome>(Assert.Single(File.ReadAllLines(results)))!;
            Assert.Equal(asked.Key, outcome.Key);
            Assert.Equal(Level2TestOutcome.Failed, outcome.Result);
            Assert.Equal(2.25m, outcome.Seconds);
            Assert.Equal("out\n", outcome.Output);
            Assert.Equal(["System.TimeoutException"], outcome.ExceptionTypes);
            Assert.Equal(["emu did not finish"], outcome.Messages);
        }
        finally
        {
            File.Delete(results);
        }
    }

    sealed class BusSink(IMessageBus bus) : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message) => bus.QueueMessage(message);
    }
}
