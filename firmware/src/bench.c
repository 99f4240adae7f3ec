/*
 * Exit-cost loops. Each iteration is one access plus dec/jnz, so the time
 * per iteration is the cost of one round trip guest -> VMM -> guest.
 *
 * pio:  out to port 0x80, the POST-code port, which q35 machines (QEMU and
 *       Emu) accept and ignore.
 * loop: no access at all, inc/dec/jnz on registers (3 instructions an
 *       iteration): the rate at which the CPU runs guest code, for
 *       accelerators that interpret or translate it.
 * mmio: a 32-bit store to 0xFEB00000, an address nothing is mapped at on
 *       either machine, so the VMM sees an MMIO exit and drops the write.
 *       The page is identity-mapped (write-back in the guest page tables;
 *       the exit happens regardless, as no guest memory backs it).
 */
#include "bench.h"
#include "layout.h"

#define POST_CODE_PORT 0x80

void bench_pio(u32 n)
{
    if (!n)
        return;
    __asm__ volatile(
        "1:     outb %%al, %[port]\n\t"
        "       dec  %[n]\n\t"
        "       jnz  1b"
        : [n] "+r"(n)
        : "a"(0), [port] "i"(POST_CODE_PORT)
        : "memory");
}

void bench_mmio(u32 n)
{
    if (!n)
        return;
    __asm__ volatile(
        "1:     movl %%eax, (%[addr])\n\t"
        "       dec  %[n]\n\t"
        "       jnz  1b"
        : [n] "+r"(n)
        : "a"(0), [addr] "r"((u64)BENCH_MMIO_ADDR)
        : "memory");
}

void bench_loop(u32 n)
{
    u64 count = n, done = 0;
    if (!n)
        return;
    __asm__ volatile("1: inc %1; dec %0; jnz 1b" : "+r"(count), "+r"(done));
}
