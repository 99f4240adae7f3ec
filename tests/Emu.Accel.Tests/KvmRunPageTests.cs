using Emu.Accel.Kvm;
using Emu.Core.Posix;

namespace Emu.Accel.Tests;

// Issue 15, item 7: a kick that comes after the vCPU is gone must not write
// into its kvm_run page: not into the unmapped page (a crash) nor into what
// the kernel has mapped at that address since (corruption).
[Collection(nameof(AddressReuse))]
public sealed unsafe class KvmRunPageTests
{
    private const int MapFixedNoReplace = 0x100000;

    private static MemoryMapping Anonymous(string what) =>
        MemoryMapping.Map(null, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, 0, what);

    // Maps a page exactly at <paramref name="address"/> (free again after an unmap).
    internal static byte* MapAt(nint address)
    {
        void* p = LibC.mmap((void*)address, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | MapFixedNoReplace, -1, 0);
        Assert.True(p == (void*)address, "the address could not be mapped again");
        return (byte*)p;
    }

    [Fact]
    public void A_kick_after_the_disposal_writes_nothing_into_what_is_mapped_there_now()
    {
        var page = new KvmRunPage(Anonymous("kvm_run (test)"));
        nint address = (nint)page.Run;
        page.Dispose();
        Assert.True(page.IsUnmapped);
        byte* reused = MapAt(address);
        try
        {
            Assert.False(page.TryRequestImmediateExit());
            Assert.Equal(0, reused[1]);   // kvm_run.immediate_exit's offset
        }
        finally
        {
            LibC.munmap(reused, 4096);
        }
    }

    [Fact]
    public void Kicks_racing_the_disposal_hold_the_page_until_they_are_done()
    {
        for (int round = 0; round < 200; round++)
        {
            var page = new KvmRunPage(Anonymous("kvm_run (test)"));
            using var go = new ManualResetEventSlim();
            int kicked = 0;
            var kickers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
            {
                go.Wait();
                while (page.TryRequestImmediateExit())
                    Interlocked.Increment(ref kicked);
            })).ToArray();
            foreach (Thread t in kickers)
                t.Start();
            go.Set();
            Thread.SpinWait(1000 * (round % 10));
            page.Dispose();
            foreach (Thread t in kickers)
                t.Join();
            Assert.True(page.IsUnmapped);   // by the last one out; a write after the unmap would have crashed the test host
        }
    }
}
