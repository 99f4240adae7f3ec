/* Fixed-width types for a freestanding build (gcc's <stdint.h> would do too,
 * but spelling them out keeps the firmware free of any header search). */
#ifndef EMU_FW_TYPES_H
#define EMU_FW_TYPES_H

typedef unsigned char      u8;
typedef unsigned short     u16;
typedef unsigned int       u32;
typedef unsigned long long u64;
typedef unsigned long      usize;
typedef int                bool;

#define true  1
#define false 0
#define NULL  ((void *)0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NORETURN __attribute__((noreturn))

#endif
