#ifndef EMU_FW_BOOT_INFO_H
#define EMU_FW_BOOT_INFO_H

#include "layout.h"
#include "types.h"

/*
 * What the CPL0 start-up code (boot64.S) recorded for the CPL3 code, at
 * BOOT_INFO_ADDR: registers that only CPL0 can read (rdmsr, mov from CR0/CR4
 * are privileged).
 */
struct boot_info {
    u64 magic;                          /* BOOT_INFO_MAGIC once written */
    u64 efer;
    u64 cr0;
    u64 cr4;
};

_Static_assert(__builtin_offsetof(struct boot_info, magic) == BOOT_INFO_OFF_MAGIC, "boot_info layout");
_Static_assert(__builtin_offsetof(struct boot_info, efer) == BOOT_INFO_OFF_EFER, "boot_info layout");
_Static_assert(__builtin_offsetof(struct boot_info, cr0) == BOOT_INFO_OFF_CR0, "boot_info layout");
_Static_assert(__builtin_offsetof(struct boot_info, cr4) == BOOT_INFO_OFF_CR4, "boot_info layout");

static inline const volatile struct boot_info *boot_info(void)
{
    return (const volatile struct boot_info *)BOOT_INFO_ADDR;
}

#endif
