#ifndef EMU_FW_CLOCK_H
#define EMU_FW_CLOCK_H

#include "types.h"

/*
 * Time measured the same way under every VMM: the TSC, calibrated against
 * the ACPI PM timer (3.579545 MHz) of the q35 power-management block, which
 * QEMU and Emu both provide.
 */

static inline u64 rdtsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64)hi << 32 | lo;
}

/* Enables the PM block and measures TSC ticks per second over ~100 ms; 0 if the timer does not run. */
u64 clock_calibrate_tsc(void);

#endif
