/*
 * Ending a run the way a PC does, so the same ROM exits cleanly under QEMU
 * and Emu.
 *
 * Success powers the machine off through ACPI S5 on the q35 (ICH9) chipset:
 * the power-management I/O block of the LPC bridge (00:1f.0) must first be
 * placed (PMBASE, config offset 0x40, bit 0 reads as 1 / marks I/O space)
 * and enabled (ACPI_CNTL, offset 0x44, bit 7 ACPI_EN), as firmware does at
 * boot. Then PM1a_CNT (PMBASE + 4) gets SLP_EN (bit 13) with SLP_TYP 0, which
 * q35 decodes as soft-off (S5).
 *
 * Failure writes the code to an isa-debug-exit device at port 0xF4.
 *
 * The VMM may act on either write asynchronously, so the CPU must not do
 * anything else afterwards: it halts (machine_halt, vectors.S, also works
 * from CPL3).
 */
#include "machine.h"
#include "io.h"
#include "pci.h"

#define LPC_BUS             0
#define LPC_DEV             0x1F
#define LPC_FN              0
#define ICH9_LPC_PMBASE     0x40
#define ICH9_LPC_ACPI_CNTL  0x44
#define ICH9_ACPI_EN        0x80

#define PM_BASE             0x600
#define PM_BASE_IO_SPACE    0x1
#define PM1A_CNT            (PM_BASE + 4)
#define PM1_CNT_SLP_EN      (1 << 13)
#define PM1_CNT_SLP_TYP_S5  (0 << 10)   /* q35: sleep type 0 = soft off */

#define DEBUG_EXIT_PORT     0xF4

void machine_power_off(void)
{
    pci_config_write32(LPC_BUS, LPC_DEV, LPC_FN, ICH9_LPC_PMBASE, PM_BASE | PM_BASE_IO_SPACE);
    pci_config_write8(LPC_BUS, LPC_DEV, LPC_FN, ICH9_LPC_ACPI_CNTL, ICH9_ACPI_EN);
    outw(PM1A_CNT, PM1_CNT_SLP_EN | PM1_CNT_SLP_TYP_S5);
    machine_halt();
}

void machine_fail(enum fail_code code)
{
    outl(DEBUG_EXIT_PORT, code);
    machine_halt();
}
