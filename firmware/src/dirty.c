/*
 * dirty:MIB:N - a guest that keeps writing memory, for live-migration and
 * snapshot tests. Pass r (1..N) visits every 64-byte line of MIB MiB from
 * DIRTY_BASE: the qword there must hold value(r - 1, line) (0 before the
 * first pass: RAM starts zeroed), and gets value(r, line). Every 16 passes
 * it prints "pass r sum=S", S being the XOR of everything the pass wrote;
 * between passes it runs a fixed register loop, so a pass takes a few
 * milliseconds and the dirty rate stays within what a migration can follow.
 *
 * The output is a function of MIB and N alone, so a run that was migrated or
 * saved and restored halfway must print exactly what a run that never moved
 * prints; and a page the migration lost or carried stale fails the check
 * of the next pass ("dirty: mismatch ...").
 */
#include "dirty.h"
#include "layout.h"
#include "print.h"

#define LINE 64
#define PAUSE_ITERATIONS 1000000

static u64 value(u32 pass, u64 line)
{
    if (pass == 0)
        return 0;
    /* splitmix64's finalizer: the multiplications make the pass sums differ. */
    u64 x = line * 0x9E3779B97F4A7C15ull + (u64)pass * 0xC2B2AE3D27D4EB4Full;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x | 1;                       /* never 0, so a zeroed page cannot pass for a written one */
}

static void pause_between_passes(void)
{
    u64 n = PAUSE_ITERATIONS;
    __asm__ volatile("1: dec %0; jnz 1b" : "+r"(n));
}

bool dirty_run(u32 mib, u32 rounds)
{
    volatile u64 *base = (volatile u64 *)(usize)DIRTY_BASE;
    u64 lines = (u64)mib * (1024 * 1024 / LINE);
    for (u32 pass = 1; pass <= rounds; pass++) {
        u64 sum = 0;
        for (u64 line = 0; line < lines; line++) {
            volatile u64 *slot = base + line * (LINE / 8);
            u64 seen = *slot;
            u64 expected = value(pass - 1, line);
            if (seen != expected) {
                put_str("dirty: mismatch in pass ");
                put_dec(pass);
                put_str(" at 0x");
                put_hex((u64)(usize)slot, 8);
                put_str(": 0x");
                put_hex(seen, 16);
                put_str(" instead of 0x");
                put_hex(expected, 16);
                put_char('\n');
                return false;
            }
            u64 next = value(pass, line);
            *slot = next;
            sum ^= next;
        }
        if (pass % 16 == 0 || pass == rounds) {
            put_str("pass ");
            put_dec(pass);
            put_str(" sum=");
            put_hex(sum, 16);
            put_char('\n');
        }
        pause_between_passes();
    }
    return true;
}
