using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>Cases for a list of instruction encodings: random operands from <see cref="InstructionFactory"/>, then whatever the instruction class adds.</summary>
internal sealed class CaseGenerator
{
    public CaseGenerator(string name)
    {
        Values = new OperandValues(Campaign.SeedFor(name));
        Factory = new InstructionFactory(Values);
    }

    public OperandValues Values { get; }

    public InstructionFactory Factory { get; }

    public List<TestCase> Cases { get; } = [];

    /// <summary>
    /// <paramref name="perCode"/> cases (scaled by the campaign) of each code:
    /// operands filled, the SDM's fixed undefined flags of the mnemonic masked,
    /// then <paramref name="finish"/> sets implicit operands and masks what depends on them.
    /// </summary>
    public void ForCodes(IEnumerable<Code> codes, int perCode, FillOptions options, Action<CaseState, GeneratedInstruction>? finish = null)
    {
        foreach (Code code in codes)
        {
            for (int n = Campaign.Count(perCode); n > 0; n--)
            {
                var state = new CaseState(Values);
                GeneratedInstruction? made = Factory.Create(code, state, options);
                if (made == null)
                    break;
                Add(state, made, finish);
            }
        }
    }

    public void Add(CaseState state, GeneratedInstruction made, Action<CaseState, GeneratedInstruction>? finish = null)
    {
        if (UndefinedFlags.Fixed.TryGetValue(made.Instruction.Mnemonic, out UndefinedFlags.Rule rule))
            state.Mask(rule);
        finish?.Invoke(state, made);
        Cases.Add(state.Build(made.Bytes));
    }
}
