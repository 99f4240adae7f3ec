#ifndef EMU_FW_MODE_H
#define EMU_FW_MODE_H

#include "types.h"

/* What this run does; see README.md for the mode strings. */

#define MODE_STRING_MAX 55              /* characters, without the NUL */

enum mode_kind {
    MODE_SELFTEST,
    MODE_NONE,
    MODE_PIO,
    MODE_MMIO,
    MODE_LOOP,                          /* N register-only loop iterations (inc, dec, jnz): the instruction rate */
    MODE_FAULT,                         /* raise #UD at CPL3: tests the exception path */
    MODE_BLK_TEST,                      /* virtio-blk self-test (blk_modes.c) */
    MODE_BLK_IOPS,                      /* virtio-blk random-read rate at a queue depth */
    MODE_BLK_CHURN,                     /* virtio-blk reads against a device that comes and goes */
    MODE_DIRTY,                         /* N passes writing MiB of RAM, each checking the last (dirty.c) */
    MODE_BAD,
};

struct mode {
    enum mode_kind kind;
    u32 count;                          /* iterations for pio/mmio/loop, requests for blk-iops */
    u32 depth;                          /* queue depth for blk-iops, MiB for dirty */
};

enum mode_source {
    MODE_FROM_FW_CFG,                   /* fw_cfg file opt/emu/mode */
    MODE_FROM_ROM,                      /* the config block in the ROM */
};

struct mode_string {
    char text[MODE_STRING_MAX + 1];
    bool too_long;                      /* the fw_cfg file had more than 55 bytes */
    enum mode_source source;
};

/* Fetches the mode string: fw_cfg file first, the ROM config block otherwise. */
void mode_load(struct mode_string *out);

/* Parses "selftest", "none", "pio:N", "mmio:N", "loop:N" (N decimal, 0..2^32-1), "fault",
 * "blk-test", "blk-iops:QD:N", "blk-churn:QD:N", "dirty:MIB:N". */
struct mode mode_parse(const char *s);

#endif
