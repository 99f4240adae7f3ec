namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Opcodes that 64-bit mode does not have (SDM vol. 2, appendix A, the "i64"
/// entries: PUSH/POP of ES, CS, SS, DS, DAA, DAS, AAA, AAS, PUSHA, POPA,
/// BOUND's 62h is EVEX and left out, ARPL's 63h is MOVSXD, INTO, AAM, AAD,
/// SALC, far CALL and JMP with a pointer operand, the 82h alias of group 1)
/// and UD0/UD1/UD2: each must raise #UD, whatever follows it. (Their
/// behaviour outside 64-bit mode is not tested here.)
/// </summary>
internal static class InvalidOpcodeCases
{
    private static readonly byte[][] s_opcodes =
    [
        [0x06], [0x07], [0x0E], [0x16], [0x17], [0x1E], [0x1F], [0x27], [0x2F], [0x37], [0x3F], [0x60], [0x61], [0x82], [0x9A],
        [0xCE], [0xD4], [0xD5], [0xD6], [0xEA], [0x0F, 0x0B], [0x0F, 0xB9], [0x0F, 0xFF],
    ];

    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("invalid");
        OperandValues v = g.Values;
        foreach (byte[] opcode in s_opcodes)
        {
            for (int n = Campaign.Count(20); n > 0; n--)
            {
                byte[] code = new byte[opcode.Length + 7];
                v.Random.NextBytes(code);
                opcode.CopyTo(code, 0);
                // A ModRM byte naming a register keeps UD0/UD1 from touching memory (they may decode one).
                code[opcode.Length] = (byte)(0xC0 | code[opcode.Length]);
                g.Cases.Add(new CaseState(v).Build(code, $"{Convert.ToHexString(opcode)} (invalid in 64-bit mode)"));
            }
        }
        return g.Cases;
    }
}
