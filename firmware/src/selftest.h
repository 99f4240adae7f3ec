#ifndef EMU_FW_SELFTEST_H
#define EMU_FW_SELFTEST_H

#include "types.h"

/* Runs every self-test, printing one line each. Returns true if all passed. */
bool selftest_run(void);

#endif
