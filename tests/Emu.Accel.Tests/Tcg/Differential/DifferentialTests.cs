using Xunit.Abstractions;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// The software CPU against the host CPU, instruction class by class: each
/// test generates cases (fixed seed; see <see cref="Campaign"/> for longer
/// runs), runs them natively at CPL 3 and on the software CPU, and expects
/// the same exception, registers, visible flags (less the ones the SDM
/// leaves undefined, <see cref="UndefinedFlags"/>) and memory.
/// </summary>
public sealed class DifferentialTests : IClassFixture<NativeOracle>
{
    private readonly NativeOracle _oracle;
    private readonly ITestOutputHelper _output;

    public DifferentialTests(NativeOracle oracle, ITestOutputHelper output)
    {
        _oracle = oracle;
        _output = output;
    }

    [Fact]
    public void Alu() => Check("ALU", AluCases.Generate);

    [Fact]
    public void ShiftsAndRotates() => Check("shifts and rotates", ShiftCases.Generate);

    [Fact]
    public void MultiplyAndDivide() => Check("multiply and divide", MulDivCases.Generate);

    [Fact]
    public void BitTestsAndScans() => Check("bit tests and scans", BitCases.Generate);

    [Fact]
    public void Extensions() => Check("extensions and moves", ExtendCases.Generate);

    [Fact]
    public void Exchanges() => Check("exchanges", ExchangeCases.Generate);

    [Fact]
    public void Conditions() => Check("conditions", ConditionCases.Generate);

    [Fact]
    public void Lea() => Check("LEA", LeaCases.Generate);

    [Fact]
    public void Stack() => Check("stack", StackCases.Generate);

    [Fact]
    public void Strings() => Check("strings", StringCases.Generate);

    [Fact]
    public void Flags() => Check("flags", FlagCases.Generate);

    [Fact]
    public void FlagSequences() => Check("flag sequences", SequenceCases.Generate);

    [Fact]
    public void CodeLayout() => Check("code layout", CodeLayoutCases.Generate);

    [Fact]
    public void Hints() => Check("hints", HintCases.Generate);

    [Fact]
    public void InvalidOpcodes() => Check("invalid opcodes", InvalidOpcodeCases.Generate);

    private void Check(string name, Func<List<TestCase>> generate)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<TestCase> cases = generate();
        TimeSpan generation = clock.Elapsed;
        DifferentialRun run = DifferentialRun.Execute(_oracle, cases);
        string summary = $"{run.Summary(name)}(generated in {generation.TotalMilliseconds:F0} ms)";
        _output.WriteLine(summary);
        Assert.True(run.Mismatches.Count == 0, summary);
    }
}
