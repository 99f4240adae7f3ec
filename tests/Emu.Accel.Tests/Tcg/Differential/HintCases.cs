using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Instructions that do nothing architectural but may name memory: the
/// multi-byte NOP (0F 1F, never accesses its operand), PREFETCHh and
/// PREFETCHW (never fault: SDM PREFETCHh, "does not ... generate an
/// exception"), CLFLUSH (a read of its byte for the purposes of faults: SDM
/// CLFLUSH, "#PF(fault-code) For a page fault"), PAUSE and the fences. The
/// memory operand is sometimes outside the data region.
/// </summary>
internal static class HintCases
{
    public static List<TestCase> Generate()
    {
        var g = new CaseGenerator("hints");
        var outside = new FillOptions { FaultChance = 0.3, MemoryChance = 0.7 };
        g.ForCodes(InstructionFactory.CodesOf(Mnemonic.Nop, Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1,
            Mnemonic.Prefetcht2, Mnemonic.Prefetchw, Mnemonic.Clflush, Mnemonic.Pause, Mnemonic.Lfence, Mnemonic.Mfence, Mnemonic.Sfence),
            40, outside);
        return g.Cases;
    }
}
