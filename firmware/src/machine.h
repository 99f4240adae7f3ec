#ifndef EMU_FW_MACHINE_H
#define EMU_FW_MACHINE_H

#include "types.h"

/* How a run ends. None of these return. */

/* Failure codes written to the debug-exit port (QEMU exits with (code << 1) | 1). */
enum fail_code {
    FAIL_SELFTEST  = 1,
    FAIL_BAD_MODE  = 2,
    FAIL_EXCEPTION = 3,
};

NORETURN void machine_power_off(void);           /* success: ACPI S5 */
NORETURN void machine_fail(enum fail_code code); /* failure: debug-exit port */
NORETURN void machine_halt(void);                /* stop this CPU for good (vectors.S) */

#endif
