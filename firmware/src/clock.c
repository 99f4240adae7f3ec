/*
 * TSC calibration against the ACPI PM timer: PMBASE + 8, a 24-bit counter
 * at 3579545 Hz that wraps every 4.7 s. The PM block is enabled as for the
 * power-off (machine.c): PMBASE at 0x600, ACPI_EN in ACPI_CNTL of 00:1f.0.
 * Each timer read is one port exit; the calibration takes ~100 ms of them.
 */
#include "clock.h"
#include "io.h"
#include "pci.h"

#define PM_BASE         0x600
#define PM_TIMER        (PM_BASE + 8)
#define PM_TIMER_HZ     3579545u
#define PM_TIMER_MASK   0xFFFFFFu
#define CALIBRATE_TICKS (PM_TIMER_HZ / 10)

u64 clock_calibrate_tsc(void)
{
    pci_config_write32(0, 0x1F, 0, 0x40, PM_BASE | 1);
    pci_config_write8(0, 0x1F, 0, 0x44, 0x80);
    u32 start = inl(PM_TIMER) & PM_TIMER_MASK;
    u64 tsc0 = rdtsc();
    u32 elapsed = 0;
    for (u32 guard = 0; elapsed < CALIBRATE_TICKS; guard++) {
        if (guard > 10000000u)
            return 0;
        elapsed = ((inl(PM_TIMER) & PM_TIMER_MASK) - start) & PM_TIMER_MASK;
    }
    u64 tsc1 = rdtsc();
    return (tsc1 - tsc0) * PM_TIMER_HZ / elapsed;
}
