using System.Diagnostics;

namespace Emu.Host.Tests;

// A static guest program for the SMP test (SoftwareCpuLinuxSmpTests), compiled with the
// host's gcc. Two threads pinned to CPU 0 and CPU 1 each add 1,000,000 times to one
// counter with LOCK XADD and to another with a LOCK CMPXCHG loop: any lost update shows in
// the totals. Then, 50 times: a thread on CPU 1 stores to a fresh page as fast as it can
// (its CPU holds a writable TLB entry for it) while CPU 0 makes the page read-only;
// mprotect returns only after Linux's TLB shootdown (an IPI that makes CPU 1 flush), so
// from then on the writer must fault and the page must not change.
internal static class SmpCheckProgram
{
    const string Source = """
        #define _GNU_SOURCE
        #include <pthread.h>
        #include <sched.h>
        #include <setjmp.h>
        #include <signal.h>
        #include <stdio.h>
        #include <sys/mman.h>

        #define ADDS 1000000L
        #define ROUNDS 50

        static long counter, cas_counter;
        static volatile int go;
        static volatile long *page;
        static sigjmp_buf fault_jump;
        static volatile int faulted;

        static void pin(int cpu)
        {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            sched_setaffinity(0, sizeof set, &set);
        }

        static void *adder(void *arg)
        {
            pin((int)(long)arg);
            while (!go)
                ;
            for (long i = 0; i < ADDS; i++) {
                __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
                long v = __atomic_load_n(&cas_counter, __ATOMIC_RELAXED);
                while (!__atomic_compare_exchange_n(&cas_counter, &v, v + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
                    ;
            }
            return 0;
        }

        static void on_segv(int sig)
        {
            (void)sig;
            faulted = 1;
            siglongjmp(fault_jump, 1);
        }

        static void *writer(void *arg)
        {
            (void)arg;
            pin(1);
            if (sigsetjmp(fault_jump, 1) == 0)
                for (long i = 1;; i++)
                    page[0] = i;
            return 0;
        }

        int main(void)
        {
            pthread_t a, b;
            pthread_create(&a, 0, adder, (void *)0L);
            pthread_create(&b, 0, adder, (void *)1L);
            go = 1;
            pthread_join(a, 0);
            pthread_join(b, 0);
            printf("smp_xadd=%ld smp_cmpxchg=%ld smp_expected=%ld\n", counter, cas_counter, 2 * ADDS);

            struct sigaction sa = {0};
            sa.sa_handler = on_segv;
            sigaction(SIGSEGV, &sa, 0);
            pin(0);
            int ok = 0;
            for (int r = 0; r < ROUNDS; r++) {
                page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                faulted = 0;
                pthread_t w;
                pthread_create(&w, 0, writer, 0);
                while (page[0] < 1000)
                    ;
                mprotect((void *)page, 4096, PROT_READ);
                long before = page[0];
                for (volatile int k = 0; k < 100000; k++)
                    ;
                long after = page[0];
                pthread_join(w, 0);
                if (before == after && faulted)
                    ok++;
                else
                    printf("smp_shootdown_failed round=%d before=%ld after=%ld faulted=%d\n", r, before, after, faulted);
                munmap((void *)page, 4096);
            }
            printf("smp_shootdown_ok=%d smp_shootdown_rounds=%d\n", ok, ROUNDS);
            return 0;
        }
        """;

    // Compiles the program (static, so the busybox initramfs needs no libraries) into dir.
    public static string Build(string dir)
    {
        Directory.CreateDirectory(dir);
        string source = Path.Combine(dir, "smp-check.c"), binary = Path.Combine(dir, "smp-check");
        File.WriteAllText(source, Source);
        var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-Wall", "-Werror", "-static", "-pthread", "-o", binary, source])
        {
            RedirectStandardError = true,
        })!;
        string errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        Assert.True(gcc.ExitCode == 0, $"gcc failed: {errors}");
        return binary;
    }
}
