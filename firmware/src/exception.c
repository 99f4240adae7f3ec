/*
 * CPU exception report. Called at CPL0 by the stubs in vectors.S; on a PVM
 * host this runs emulated, which is fine for a one-off error path.
 *
 * Prints
 *   EXCEPTION vec=0x0e err=0x0000000000000002 rip=0x00000000ffff1234 cs=0x2b
 *             rflags=0x00003002 cr2=0x...
 * (cr2 only for page faults) and fails the run with code 3.
 */
#include "machine.h"
#include "print.h"
#include "serial.h"

#define VEC_PAGE_FAULT 14

NORETURN void exception_report(u64 vec, u64 err, u64 rip, u64 cs, u64 rflags, u64 cr2);

void exception_report(u64 vec, u64 err, u64 rip, u64 cs, u64 rflags, u64 cr2)
{
    /* The exception may predate serial_init (or have interrupted it). */
    serial_init();
    put_str("\nEXCEPTION vec=0x");
    put_hex(vec, 2);
    put_str(" err=0x");
    put_hex(err, 16);
    put_str(" rip=0x");
    put_hex(rip, 16);
    put_str(" cs=0x");
    put_hex(cs, 2);
    put_str(" rflags=0x");
    put_hex(rflags, 8);
    if (vec == VEC_PAGE_FAULT) {
        put_str(" cr2=0x");
        put_hex(cr2, 16);
    }
    put_char('\n');
    machine_fail(FAIL_EXCEPTION);
}
