namespace Emu.Accel.Tcg;

// Filling the software TLB ahead of an access, for tests: a guest that has run a
// while finds most of its pages in the TLB, so its loads and stores take the
// fast paths (the JIT's inline translation above all), which a test that runs
// each piece of code once would otherwise never reach.
internal sealed partial class X86Cpu
{
    /// <summary>
    /// Enters the translation of <paramref name="linear"/> in the TLB of the
    /// current privilege level as an access of that kind would (a write sets the
    /// dirty bit, as the first write does); a page that would fault is left out
    /// and CR2 is unchanged.
    /// </summary>
    internal void WarmTlb(ulong linear, bool write)
    {
        ulong savedCr2 = Cr2;
        try
        {
            Fill(linear, write ? MemoryAccess.Write : MemoryAccess.Read, _tlb, Cpl == 3);
        }
        catch (CpuException)
        {
            // Not mapped for this access: the guest's own access will fault as it should.
        }
        finally
        {
            Cr2 = savedCr2;
        }
    }
}
