/*
 * fw_cfg on x86: a 16-bit write of an item's key to the selector port (0x510)
 * rewinds that item; each 8-bit read of the data port (0x511) returns its
 * next byte (0 past the end). Reads use rep insb, one VM exit per buffer.
 *
 * The file directory (key 0x0019) is a big-endian u32 count followed by that
 * many 64-byte entries: u32 size (BE), u16 select key (BE), u16 reserved,
 * char name[56] (NUL-terminated).
 */
#include "fwcfg.h"
#include "io.h"
#include "libc.h"

#define FW_CFG_PORT_SELECTOR 0x510
#define FW_CFG_PORT_DATA     0x511

/* Directories with more entries than this are treated as broken. */
#define FW_CFG_MAX_FILES     4096

struct fw_cfg_file {
    u8   size_be[4];
    u8   select_be[2];
    u8   reserved[2];
    char name[56];
};

_Static_assert(sizeof(struct fw_cfg_file) == 64, "fw_cfg directory entry is 64 bytes");

static u32 be32(const u8 *p)
{
    return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static u16 be16(const u8 *p)
{
    return (u16)(p[0] << 8 | p[1]);
}

void fw_cfg_read(u16 key, void *buf, usize len)
{
    outw(FW_CFG_PORT_SELECTOR, key);
    if (len)
        insb(FW_CFG_PORT_DATA, buf, len);
}

bool fw_cfg_present(void)
{
    char sig[4];
    fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof sig);
    return memcmp(sig, "QEMU", 4) == 0;
}

u32 fw_cfg_file_count(void)
{
    u8 count_be[4];
    fw_cfg_read(FW_CFG_FILE_DIR, count_be, sizeof count_be);
    return be32(count_be);
}

bool fw_cfg_find_file(const char *name, u16 *key, u32 *size)
{
    u32 count = fw_cfg_file_count();   /* leaves the data port at entry 0 */
    if (count > FW_CFG_MAX_FILES)
        return false;
    for (u32 i = 0; i < count; i++) {
        struct fw_cfg_file f;
        insb(FW_CFG_PORT_DATA, &f, sizeof f);
        f.name[sizeof f.name - 1] = '\0';
        if (strcmp(f.name, name) == 0) {
            *key = be16(f.select_be);
            *size = be32(f.size_be);
            return true;
        }
    }
    return false;
}
