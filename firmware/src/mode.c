#include "mode.h"
#include "fwcfg.h"
#include "libc.h"

#define FW_CFG_MODE_FILE   "opt/emu/mode"
#define CONFIG_MAGIC_SIZE  8

/* config.S: "EMUCFG01" then the NUL-terminated mode string, 64 bytes. */
extern const volatile char emu_config_block[64];

static void mode_from_rom(struct mode_string *out)
{
    /* Volatile reads: the block is patched after the build. */
    for (unsigned i = 0; i < MODE_STRING_MAX; i++)
        out->text[i] = emu_config_block[CONFIG_MAGIC_SIZE + i];
    out->text[MODE_STRING_MAX] = '\0';
    out->source = MODE_FROM_ROM;
}

static bool is_trailing_space(char c)
{
    return c == '\n' || c == '\r' || c == ' ' || c == '\t';
}

static bool mode_from_fw_cfg(struct mode_string *out)
{
    u16 key;
    u32 size;
    if (!fw_cfg_present() || !fw_cfg_find_file(FW_CFG_MODE_FILE, &key, &size))
        return false;
    out->too_long = size > MODE_STRING_MAX;
    if (out->too_long)
        size = MODE_STRING_MAX;
    fw_cfg_read(key, out->text, size);
    out->text[size] = '\0';
    /* A mode written to a file by hand often ends in a newline. */
    for (usize n = strlen(out->text); n && is_trailing_space(out->text[n - 1]); n--)
        out->text[n - 1] = '\0';
    out->source = MODE_FROM_FW_CFG;
    return true;
}

void mode_load(struct mode_string *out)
{
    memset(out, 0, sizeof *out);
    if (!mode_from_fw_cfg(out))
        mode_from_rom(out);
}

/* Decimal, 1..10 digits, at most 4294967295; nothing else. */
static bool parse_u32(const char *s, u32 *out)
{
    u64 v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (u64)(*s - '0');
        if (v > 0xFFFFFFFFull)
            return false;
    }
    *out = (u32)v;
    return true;
}

/* "QD:N": two decimal numbers separated by a colon. */
static bool parse_pair(const char *s, u32 *a, u32 *b)
{
    char first[11];
    usize n = 0;
    while (s[n] && s[n] != ':' && n < sizeof first - 1) {
        first[n] = s[n];
        n++;
    }
    if (s[n] != ':')
        return false;
    first[n] = '\0';
    return parse_u32(first, a) && parse_u32(s + n + 1, b);
}

struct mode mode_parse(const char *s)
{
    struct mode m = { MODE_BAD, 0, 0 };
    if (strcmp(s, "selftest") == 0)
        m.kind = MODE_SELFTEST;
    else if (strcmp(s, "none") == 0)
        m.kind = MODE_NONE;
    else if (strcmp(s, "fault") == 0)
        m.kind = MODE_FAULT;
    else if (strncmp(s, "pio:", 4) == 0 && parse_u32(s + 4, &m.count))
        m.kind = MODE_PIO;
    else if (strncmp(s, "mmio:", 5) == 0 && parse_u32(s + 5, &m.count))
        m.kind = MODE_MMIO;
    else if (strncmp(s, "loop:", 5) == 0 && parse_u32(s + 5, &m.count))
        m.kind = MODE_LOOP;
    else if (strcmp(s, "blk-test") == 0)
        m.kind = MODE_BLK_TEST;
    else if (strncmp(s, "blk-iops:", 9) == 0 && parse_pair(s + 9, &m.depth, &m.count))
        m.kind = MODE_BLK_IOPS;
    else if (strncmp(s, "blk-churn:", 10) == 0 && parse_pair(s + 10, &m.depth, &m.count))
        m.kind = MODE_BLK_CHURN;
    else if (strncmp(s, "dirty:", 6) == 0 && parse_pair(s + 6, &m.depth, &m.count) && m.depth >= 1 && m.depth <= 2048)
        m.kind = MODE_DIRTY;
    return m;
}
