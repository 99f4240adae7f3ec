#ifndef EMU_FW_FWCFG_H
#define EMU_FW_FWCFG_H

#include "types.h"

/* QEMU's firmware configuration interface (fw_cfg), I/O-port flavour. */

#define FW_CFG_SIGNATURE     0x0000     /* reads "QEMU" */
#define FW_CFG_FILE_DIR      0x0019     /* the file directory */

bool fw_cfg_present(void);
void fw_cfg_read(u16 key, void *buf, usize len);   /* from the start of an item */
u32  fw_cfg_file_count(void);

/*
 * Looks a file up by name in the directory. Returns true and its selector
 * key and size if found.
 */
bool fw_cfg_find_file(const char *name, u16 *key, u32 *size);

#endif
