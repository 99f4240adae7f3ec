using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Emu.Lab;

/// <summary>One accelerator's run of an [AccelFact] test: the test runs with <see cref="TestAccelerator.Current"/> set.</summary>
public sealed class AcceleratedTestCase : XunitTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public AcceleratedTestCase()
    {
    }

    public AcceleratedTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay,
        TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod, string accelerator, string? skipReason = null)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
        Accelerator = accelerator;
        _skip = skipReason;
    }

    public string Accelerator { get; private set; } = "";

    private string? _skip;

    protected override string GetDisplayName(IAttributeInfo factAttribute, string displayName) =>
        $"{base.GetDisplayName(factAttribute, displayName)} [{Accelerator}]";

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _skip ?? base.GetSkipReason(factAttribute);

    protected override string GetUniqueID() => $"{base.GetUniqueID()}-{Accelerator}";

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue(nameof(Accelerator), Accelerator);
        data.AddValue("Skip", _skip);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        Accelerator = data.GetValue<string>(nameof(Accelerator));
        _skip = data.GetValue<string?>("Skip");
        base.Deserialize(data);
    }

    public override async Task<RunSummary> RunAsync(IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments,
        ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        TestAccelerator.Current = Accelerator;
        try
        {
            return await base.RunAsync(diagnosticMessageSink, messageBus, constructorArguments, aggregator, cancellationTokenSource).ConfigureAwait(false);
        }
        finally
        {
            TestAccelerator.Current = null;
        }
    }
}
