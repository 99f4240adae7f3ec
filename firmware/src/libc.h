#ifndef EMU_FW_LIBC_H
#define EMU_FW_LIBC_H

#include "types.h"

/* The few C library functions the firmware (and gcc itself) needs. */
void *memset(void *dst, int c, usize n);
void *memcpy(void *dst, const void *src, usize n);
int   memcmp(const void *a, const void *b, usize n);
int   strcmp(const char *a, const char *b);
int   strncmp(const char *a, const char *b, usize n);
usize strlen(const char *s);

#endif
