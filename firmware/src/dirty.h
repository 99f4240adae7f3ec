#ifndef EMU_FW_DIRTY_H
#define EMU_FW_DIRTY_H

#include "types.h"

/*
 * A memory workload for migration tests: `rounds` passes over `mib` MiB of
 * RAM from DIRTY_BASE. Each pass reads every 64th byte's qword, checks that it
 * holds what the previous pass wrote (a RAM page that a migration failed to
 * carry over shows up here), and writes the next pass's value. Returns false
 * after printing the first mismatch.
 */
bool dirty_run(u32 mib, u32 rounds);

#endif
