/*
 * x86 port I/O. At CPL3 these work because the firmware runs with IOPL=3;
 * every access leaves the guest (a VM exit) and is handled by the VMM.
 */
#ifndef EMU_FW_IO_H
#define EMU_FW_IO_H

#include "types.h"

static inline void outb(u16 port, u8 v)  { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline u8 inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline u32 inl(u16 port)
{
    u32 v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/*
 * rep insb: read n bytes from one port into memory. A VMM sees this as one
 * string-I/O exit carrying a count, instead of n exits (this is how PC
 * firmware reads fw_cfg when DMA is not used).
 */
static inline void insb(u16 port, void *buf, usize n)
{
    __asm__ volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

#endif
