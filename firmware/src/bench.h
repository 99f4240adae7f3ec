#ifndef EMU_FW_BENCH_H
#define EMU_FW_BENCH_H

#include "types.h"

/* The measured loops: one VM exit per iteration, nothing else. */
void bench_pio(u32 iterations);
void bench_mmio(u32 iterations);
void bench_loop(u32 iterations);

#endif
