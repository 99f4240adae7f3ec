using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

// A [KvmFact] test on a machine without KVM: it runs inside level 2 (Level2TestBatch),
// and this test case reports what it did there as its own result, with its output.
public sealed class Level2TestCase : XunitTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public Level2TestCase()
    {
    }

    public Level2TestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay,
        TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod, string? accelerator = null)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
        Accelerator = accelerator;
    }

    /// <summary>For an [AccelFact] test: the accelerator of this case (kvm).</summary>
    public string? Accelerator { get; private set; }

    // What names the test in level 2 as here: its class and method (and accelerator).
    public string Key => Level2TestKey.Of(this);

    protected override string GetDisplayName(IAttributeInfo factAttribute, string displayName) =>
        Accelerator == null ? base.GetDisplayName(factAttribute, displayName) : $"{base.GetDisplayName(factAttribute, displayName)} [{Accelerator}]";

    protected override string GetUniqueID() => Accelerator == null ? base.GetUniqueID() : $"{base.GetUniqueID()}-{Accelerator}";

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue(nameof(Accelerator), Accelerator);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        Accelerator = data.GetValue<string?>(nameof(Accelerator));
        base.Deserialize(data);
    }

    public override async Task<RunSummary> RunAsync(IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        var test = new XunitTest(this, DisplayName);
        messageBus.QueueMessage(new TestCaseStarting(this));
        messageBus.QueueMessage(new TestStarting(test));
        Level2TestOutcome outcome;
        try
        {
            outcome = await Level2TestBatch.ResultAsync(this).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LabException or InvalidOperationException or IOException)
        {
            outcome = Level2TestOutcome.NotRun(Key, DisplayName, e.Message);
        }
        var summary = new RunSummary { Total = 1, Time = outcome.Seconds };
        string output = outcome.Output;
        switch (outcome.Result)
        {
            case Level2TestOutcome.Passed:
                messageBus.QueueMessage(new TestPassed(test, outcome.Seconds, output));
                break;
            case Level2TestOutcome.Skipped when !LabEnvironment.IsCi:
                summary.Skipped = 1;
                messageBus.QueueMessage(new TestSkipped(test, "in level 2: " + outcome.SkipReason));
                break;
            default:
                summary.Failed = 1;
                (string[] types, string[] messages, string[] stackTraces, int[] parents) = outcome.Failure();
                messageBus.QueueMessage(new TestFailed(test, outcome.Seconds, output, types, messages, stackTraces, parents));
                break;
        }
        messageBus.QueueMessage(new TestFinished(test, outcome.Seconds, output));
        messageBus.QueueMessage(new TestCaseFinished(this, summary.Time, summary.Total, summary.Failed, summary.Skipped));
        return summary;
    }
}
