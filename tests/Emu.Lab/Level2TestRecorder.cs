using System.Text.Json;
using Xunit.Abstractions;

namespace Emu.Lab;

// The level-2 half of a Level2TestBatch: inside level 2 the batch runs the test assembly
// with EMU_LAB_TESTS naming a file of test keys and EMU_LAB_TEST_RESULTS a file for the
// results. LabTestFrameworkExecutor then runs only those tests and passes their messages
// through this sink, which appends one JSON line (Level2TestOutcome) per finished test.
public sealed class Level2TestRecorder : IMessageSink
{
    public const string TestsVariable = "EMU_LAB_TESTS";
    public const string ResultsVariable = "EMU_LAB_TEST_RESULTS";

    readonly IMessageSink _inner;
    readonly HashSet<string> _wanted;
    readonly string _resultsPath;
    readonly object _lock = new();

    internal Level2TestRecorder(IMessageSink inner, HashSet<string> wanted, string resultsPath)
    {
        _inner = inner;
        _wanted = wanted;
        _resultsPath = resultsPath;
    }

    // True in a test process that a Level2TestBatch started inside level 2.
    public static bool IsInsideLevel2 => Environment.GetEnvironmentVariable(TestsVariable) is { Length: > 0 };

    // The recorder of this process wrapping `inner`, or null outside a level-2 batch.
    public static Level2TestRecorder? FromEnvironment(IMessageSink inner)
    {
        if (Environment.GetEnvironmentVariable(TestsVariable) is not { Length: > 0 } tests)
            return null;
        string results = Environment.GetEnvironmentVariable(ResultsVariable) is { Length: > 0 } r
            ? r
            : throw new InvalidOperationException($"{TestsVariable} is set but {ResultsVariable} is not");
        var wanted = new HashSet<string>(File.ReadAllLines(tests).Where(l => l.Length > 0), StringComparer.Ordinal);
        return new Level2TestRecorder(inner, wanted, results);
    }

    // Whether the batch asked for this test.
    public bool Wants(ITestCase testCase) => _wanted.Contains(Level2TestKey.Of(testCase));

    public bool OnMessage(IMessageSinkMessage message)
    {
        Level2TestOutcome? outcome = message switch
        {
            ITestPassed passed => Outcome(passed, Level2TestOutcome.Passed),
            ITestSkipped skipped => Outcome(skipped, Level2TestOutcome.Skipped) with { SkipReason = skipped.Reason },
            ITestFailed failed => Outcome(failed, Level2TestOutcome.Failed) with
            {
                ExceptionTypes = failed.ExceptionTypes,
                Messages = failed.Messages,
                StackTraces = failed.StackTraces,
                ExceptionParentIndices = failed.ExceptionParentIndices,
            },
            _ => null,
        };
        if (outcome is not null)
        {
            string line = JsonSerializer.Serialize(outcome) + "\n";
            lock (_lock)
                File.AppendAllText(_resultsPath, line);
        }
        return _inner.OnMessage(message);
    }

    static Level2TestOutcome Outcome(ITestResultMessage result, string kind) => new()
    {
        Key = Level2TestKey.Of(result.TestCase),
        DisplayName = result.Test.DisplayName,
        Result = kind,
        Seconds = result.ExecutionTime,
        Output = result.Output ?? "",
    };
}
