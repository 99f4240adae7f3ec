using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// The arithmetic flags the Intel SDM (vol. 2, "Flags Affected" of each
/// instruction; vol. 1, appendix A) leaves undefined, which the comparison
/// masks: hardware leaves whatever its implementation computes there, and
/// Intel and AMD differ. Everything not listed is compared exactly.
/// </summary>
internal static class UndefinedFlags
{
    public const ulong Cf = 1 << 0, Pf = 1 << 2, Af = 1 << 4, Zf = 1 << 6, Sf = 1 << 7, Of = 1 << 11;
    public const ulong All = Cf | Pf | Af | Zf | Sf | Of;

    /// <summary>One row of the table: the undefined flags and the SDM's words for it.</summary>
    public readonly record struct Rule(ulong Flags, string Citation);

    /// <summary>Instructions whose undefined flags do not depend on their operands.</summary>
    public static readonly IReadOnlyDictionary<Mnemonic, Rule> Fixed = new Dictionary<Mnemonic, Rule>
    {
        // AND/OR/XOR/TEST: "The OF and CF flags are cleared; the SF, ZF, and PF flags are set according to the result. The state of the AF flag is undefined."
        [Mnemonic.And] = new(Af, "SDM AND: the state of the AF flag is undefined"),
        [Mnemonic.Or] = new(Af, "SDM OR: the state of the AF flag is undefined"),
        [Mnemonic.Xor] = new(Af, "SDM XOR: the state of the AF flag is undefined"),
        [Mnemonic.Test] = new(Af, "SDM TEST: the state of the AF flag is undefined"),
        // MUL: "The OF and CF flags are set to 0 if the upper half of the result is 0; otherwise, they are set to 1. The SF, ZF, AF, and PF flags are undefined."
        [Mnemonic.Mul] = new(Sf | Zf | Af | Pf, "SDM MUL: the SF, ZF, AF, and PF flags are undefined"),
        // IMUL: "For the one operand form ... CF and OF set when significant bits are carried into the upper half ... The SF, ZF, AF, and PF flags are undefined."
        [Mnemonic.Imul] = new(Sf | Zf | Af | Pf, "SDM IMUL: the SF, ZF, AF, and PF flags are undefined"),
        // DIV/IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined."
        [Mnemonic.Div] = new(All, "SDM DIV: the CF, OF, SF, ZF, AF, and PF flags are undefined"),
        [Mnemonic.Idiv] = new(All, "SDM IDIV: the CF, OF, SF, ZF, AF, and PF flags are undefined"),
        // BT/BTS/BTR/BTC: "The CF flag contains the value of the selected bit ... The ZF flag is unaffected. The OF, SF, AF, and PF flags are undefined."
        [Mnemonic.Bt] = new(Of | Sf | Af | Pf, "SDM BT: the OF, SF, AF, and PF flags are undefined"),
        [Mnemonic.Bts] = new(Of | Sf | Af | Pf, "SDM BTS: the OF, SF, AF, and PF flags are undefined"),
        [Mnemonic.Btr] = new(Of | Sf | Af | Pf, "SDM BTR: the OF, SF, AF, and PF flags are undefined"),
        [Mnemonic.Btc] = new(Of | Sf | Af | Pf, "SDM BTC: the OF, SF, AF, and PF flags are undefined"),
        // BSF/BSR: "The ZF flag is set to 1 if the source operand is 0; otherwise, the ZF flag is cleared. The CF, OF, SF, AF, and PF flags are undefined."
        [Mnemonic.Bsf] = new(Cf | Of | Sf | Af | Pf, "SDM BSF: the CF, OF, SF, AF, and PF flags are undefined"),
        [Mnemonic.Bsr] = new(Cf | Of | Sf | Af | Pf, "SDM BSR: the CF, OF, SF, AF, and PF flags are undefined"),
        // LZCNT: "ZF is set to 1 in case of zero output ... The CF flag is set to 1 if the source was zero. OF, SF, PF and AF flags are undefined."
        [Mnemonic.Lzcnt] = new(Of | Sf | Pf | Af, "SDM LZCNT: OF, SF, PF and AF flags are undefined"),
    };

    /// <summary>
    /// SHL/SAL, SHR, SAR (SDM SAL/SAR/SHL/SHR, "Flags Affected"): with a masked
    /// count of 0 no flag changes; otherwise AF is undefined, OF is defined
    /// only for 1-bit shifts, and CF is undefined for SHL and SHR when the
    /// count is at least the operand width (not for SAR).
    /// </summary>
    public static Rule Shift(Mnemonic mnemonic, int maskedCount, int bits)
    {
        if (maskedCount == 0)
            return new(0, "SDM SAL/SAR/SHL/SHR: count 0, flags not affected");
        ulong flags = Af;
        if (maskedCount != 1)
            flags |= Of;
        if (maskedCount >= bits && mnemonic is Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr)
            flags |= Cf;
        return new(flags, "SDM SAL/SAR/SHL/SHR: AF undefined for a nonzero count; OF undefined except for 1-bit shifts; CF undefined for SHL/SHR when the count >= the operand size");
    }

    /// <summary>RCL/RCR/ROL/ROR (SDM, "Flags Affected"): OF is defined only for 1-bit rotates (and nothing changes for a masked count of 0); SF, ZF, AF and PF are unaffected.</summary>
    public static Rule Rotate(int maskedCount) => maskedCount == 1 || maskedCount == 0
        ? new(0, "SDM RCL/RCR/ROL/ROR: OF defined for 1-bit rotates")
        : new(Of, "SDM RCL/RCR/ROL/ROR: the OF flag is undefined for multi-bit rotates");

    /// <summary>
    /// SHLD/SHRD (SDM, "Flags Affected" and "Operation"): count 0 changes
    /// nothing; a count greater than the operand size leaves the destination
    /// and all flags undefined (possible only for 16-bit operands); otherwise
    /// AF is undefined and OF is defined only for 1-bit shifts.
    /// </summary>
    public static Rule DoubleShift(int maskedCount, int bits)
    {
        if (maskedCount == 0)
            return new(0, "SDM SHLD/SHRD: count 0, flags not affected");
        if (maskedCount > bits)
            return new(All, "SDM SHLD/SHRD: count greater than the operand size: the result and all flags are undefined");
        return new(maskedCount == 1 ? Af : Af | Of, "SDM SHLD/SHRD: AF undefined; OF undefined except for 1-bit shifts");
    }
}
