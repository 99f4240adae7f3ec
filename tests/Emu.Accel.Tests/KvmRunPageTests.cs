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

    /// <summary>How many times a test tries to get a freed address back before it gives up.</summary>
    internal const int ReuseAttempts = 20;

    // Maps a page exactly at <paramref name="address"/> (free again after an unmap), or
    // returns null when it is taken: the tests of other classes run on other threads of
    // this process and may have mapped something there in between (MAP_FIXED_NOREPLACE
    // then fails with EEXIST). The caller tries again with a new page.
    internal static byte* TryMapAt(nint address)
    {
        void* p = LibC.mmap((void*)address, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | MapFixedNoReplace, -1, 0);
        if (p == (void*)address)
            return (byte*)p;
        if (p != (void*)-1)
            LibC.munmap(p, 4096);   // an old kernel without MAP_FIXED_NOREPLACE treats it as a hint
        return null;
    }

    [Fact]
    public void A_kick_after_the_disposal_writes_nothing_into_what_is_mapped_there_now()
    {
        for (int attempt = 0; attempt < ReuseAttempts; attempt++)
        {
            var page = new KvmRunPage(Anonymous("kvm_run (test)"));
            nint address = (nint)page.Run;
            page.Dispose();
            Assert.True(page.IsUnmapped);
            byte* reused = TryMapAt(address);
            if (reused == null)
                continue;
            try
            {
                Assert.False(page.TryRequestImmediateExit());
                Assert.Equal(0, reused[1]);   // kvm_run.immediate_exit's offset
                return;
            }
            finally
            {
                LibC.munmap(reused, 4096);
            }
        }
        Assert.Fail($"another thread took the freed kvm_run address {ReuseAttempts} times in a row");
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
