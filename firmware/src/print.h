#ifndef EMU_FW_PRINT_H
#define EMU_FW_PRINT_H

#include "types.h"

/*
 * Console output on COM1. Lines end in CR LF, as on a PC serial console.
 * put_str turns every '\n' into "\r\n".
 */
void put_char(char c);
void put_str(const char *s);
void put_dec(u64 v);
void put_hex(u64 v, unsigned digits);   /* zero-padded to `digits`, no prefix */
void put_escaped(const char *s);        /* non-printable bytes as \xNN */

#endif
