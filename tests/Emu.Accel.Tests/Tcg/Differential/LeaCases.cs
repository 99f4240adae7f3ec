using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// LEA into 16-, 32- and 64-bit registers with every addressing form
/// (base, index, scale 1..8, no, 8-bit and 32-bit displacements, RIP-relative,
/// absolute, RSP/RBP/R12/R13 bases that need a SIB byte or a displacement,
/// 32-bit addresses with 67h) and register values anywhere: the address
/// arithmetic wraps at the address size and is truncated to the operand size.
/// </summary>
internal static class LeaCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("lea");
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Lea), 1000, new FillOptions { AddressOnly = true });
        return g.Cases;
    }
}
