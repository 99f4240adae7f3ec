using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// MOVS, STOS, LODS, SCAS and CMPS of bytes, words, doublewords and
/// quadwords, single and with REP (MOVS, STOS, LODS) or REPE/REPNE (SCAS,
/// CMPS), with DF clear and set, 64- and 32-bit (67h) addresses, counts from
/// 0 to thousands (across the data region's middle page boundary), source and
/// destination overlapping in both directions, ignored segment overrides,
/// and now and then a string that runs off the data region: the fault comes
/// in the middle, with RCX, RSI and RDI telling how far it got.
/// </summary>
internal static class StringCases
{
    private enum Kind
    {
        Movs,
        Stos,
        Lods,
        Scas,
        Cmps,
    }

    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("string");
        OperandValues v = g.Values;
        for (int n = Campaign.Count(4000); n > 0; n--)
            g.Cases.Add(Make(v));
        return g.Cases;
    }

    private static TestCase Make(OperandValues v)
    {
        var s = new CaseState(v);
        var kind = (Kind)v.Int(0, 5);
        int size = 1 << v.Int(0, 4);
        int addressSize = v.Chance(0.8) ? 64 : 32;
        bool down = v.Chance(0.4);
        s.SetDirection(down);
        RepPrefixKind rep = kind is Kind.Scas or Kind.Cmps
            ? (RepPrefixKind)v.Int(0, 3)
            : v.Chance(0.75) ? RepPrefixKind.Repe : RepPrefixKind.None;
        // The source segment (MOVS, LODS, CMPS) may be overridden: GS adds its base (with 64-bit addresses, which can
        // wrap around to the data region), the others none in 64-bit mode.
        Register segment = v.Int(0, 20) switch
        {
            0 or 1 => v.Pick([Register.ES, Register.CS, Register.SS, Register.DS]),
            2 when addressSize == 64 && kind is Kind.Movs or Kind.Lods or Kind.Cmps => Register.GS,
            _ => Register.None,
        };

        int count = rep == RepPrefixKind.None ? 1 : v.Int(0, 20) switch
        {
            0 => 0,
            < 12 => v.Int(1, 41),
            < 17 => v.Int(41, 600),
            _ => v.Int(600, DifferentialLayout.DataSize / size + 1),
        };
        int span = Math.Max(count, 1) * size;
        bool overrun = v.Chance(0.1);
        int source = Start(v, span, size, down, overrun);
        int destination = kind == Kind.Movs && v.Chance(0.25)
            ? source + v.Int(-3 * size, 3 * size + 1) // overlapping
            : Start(v, span, size, down, overrun);

        SetPointer(s, v, 6, source, addressSize, segment == Register.GS ? DifferentialLayout.GsBase : 0);
        SetPointer(s, v, 7, destination, addressSize, 0);
        ulong rcx = addressSize == 32 ? (v.Bits64() & ~0xFFFF_FFFFUL) | (uint)count : (ulong)count;
        s.Set(1, rep == RepPrefixKind.None ? v.Bits64() : rcx);
        s.Set(0, v.Register(size));
        if (rep != RepPrefixKind.None && kind is Kind.Scas or Kind.Cmps)
            MakeMatches(s, v, kind, rep, size, source, destination, down, Math.Min(count, 64));
        if (overrun && rep != RepPrefixKind.None && kind is Kind.Movs or Kind.Stos && size > 1)
        {
            // An element that straddles the end of the data region faults on its second part; whether its first part was
            // already stored is the implementation's business (the host's fast-string REP STOS stores it, a single store
            // does not): those bytes are not compared.
            s.UndefinedData = down ? (0, size - 1) : (DifferentialLayout.DataSize - size + 1, size - 1);
            s.MaskReason = "a REP MOVS/STOS element that straddles a faulting page boundary may be partly stored (implementation-specific)";
        }

        Instruction instruction = (kind, size) switch
        {
            (Kind.Movs, 1) => Instruction.CreateMovsb(addressSize, segment, rep),
            (Kind.Movs, 2) => Instruction.CreateMovsw(addressSize, segment, rep),
            (Kind.Movs, 4) => Instruction.CreateMovsd(addressSize, segment, rep),
            (Kind.Movs, _) => Instruction.CreateMovsq(addressSize, segment, rep),
            (Kind.Stos, 1) => Instruction.CreateStosb(addressSize, rep),
            (Kind.Stos, 2) => Instruction.CreateStosw(addressSize, rep),
            (Kind.Stos, 4) => Instruction.CreateStosd(addressSize, rep),
            (Kind.Stos, _) => Instruction.CreateStosq(addressSize, rep),
            (Kind.Lods, 1) => Instruction.CreateLodsb(addressSize, segment, rep),
            (Kind.Lods, 2) => Instruction.CreateLodsw(addressSize, segment, rep),
            (Kind.Lods, 4) => Instruction.CreateLodsd(addressSize, segment, rep),
            (Kind.Lods, _) => Instruction.CreateLodsq(addressSize, segment, rep),
            (Kind.Scas, 1) => Instruction.CreateScasb(addressSize, rep),
            (Kind.Scas, 2) => Instruction.CreateScasw(addressSize, rep),
            (Kind.Scas, 4) => Instruction.CreateScasd(addressSize, rep),
            (Kind.Scas, _) => Instruction.CreateScasq(addressSize, rep),
            (Kind.Cmps, 1) => Instruction.CreateCmpsb(addressSize, segment, rep),
            (Kind.Cmps, 2) => Instruction.CreateCmpsw(addressSize, segment, rep),
            (Kind.Cmps, 4) => Instruction.CreateCmpsd(addressSize, segment, rep),
            _ => Instruction.CreateCmpsq(addressSize, segment, rep),
        };
        return s.Build(InstructionFactory.Assemble(instruction));
    }

    /// <summary>Where a string of <paramref name="span"/> bytes starts so that it stays in the data region (or, overrunning, leaves it).</summary>
    private static int Start(OperandValues v, int span, int size, bool down, bool overrun)
    {
        int end = DifferentialLayout.DataSize;
        if (overrun)
            return down ? v.Int(0, Math.Min(span, end)) : end - v.Int(1, Math.Min(span, end) + 1);
        int lowest = down ? span - size : 0;
        int highest = down ? end - size : end - span;
        int start = highest < lowest ? lowest : v.Int(lowest, highest + 1);
        return v.Chance(0.6) ? start & ~(size - 1) : start;
    }

    private static void SetPointer(CaseState s, OperandValues v, int register, int offset, int addressSize, ulong segmentBase)
    {
        ulong address = DifferentialLayout.DataBase + (ulong)(long)offset - segmentBase;
        s.Set(register, addressSize == 32 ? (v.Bits64() & ~0xFFFF_FFFFUL) | (address & 0xFFFF_FFFF) : address);
    }

    // REPE stops at the first difference, REPNE at the first match: make the first k elements match (or differ) and the next one not.
    private static void MakeMatches(CaseState s, OperandValues v, Kind kind, RepPrefixKind rep, int size, int source, int destination,
        bool down, int limit)
    {
        int k = v.Int(0, limit + 1);
        ulong accumulator = s.Registers[0] & OperandValues.Mask(size);
        for (int i = 0; i <= k && i < limit; i++)
        {
            int step = (down ? -i : i) * size;
            int at = destination + step;
            ulong other = kind == Kind.Scas ? accumulator : s.ReadData(source + step, size);
            bool equal = (i < k) == (rep == RepPrefixKind.Repe);
            ulong value = equal ? other : other ^ (1UL << v.Int(0, size * 8));
            s.Patch(at, value, size);
            if (kind == Kind.Cmps && source + step >= at - size + 1 && source + step <= at + size - 1)
                break; // source and destination overlap: the patch changed both
        }
    }
}
