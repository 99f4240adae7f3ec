/*
 * The GDT (as a ROM template) and the TSS (in the ROM for good).
 *
 * The boot code uses the ROM copy of the GDT directly while it climbs from
 * real mode to long mode, then copies it to RAM (GDT_ADDR) and switches to
 * the copy, because ltr marks the TSS descriptor busy.
 *
 * Descriptor format (8 bytes): limit[15:0], base[15:0], base[23:16], access
 * byte, flags<<4 | limit[19:16], base[31:24]. Access bytes used here:
 * 0x9B = present, DPL0, code, readable, accessed; 0x93 = DPL0 data, writable,
 * accessed; 0xFB / 0xF3 = the same at DPL3. The accessed bit is preset so the
 * CPU never writes to a descriptor in the ROM. Flags: 0xC = 4 KiB
 * granularity, 32-bit; 0xA = 4 KiB granularity, 64-bit code (L=1).
 */
#include "layout.h"

        .section .rodata.gdt, "a"
        .balign 16
        .globl  gdt_template
gdt_template:
        .quad   0                       /* 0x00 null */
        .quad   0x00CF9B000000FFFF      /* 0x08 KERNEL_CS32: flat 32-bit code */
        .quad   0x00AF9B000000FFFF      /* 0x10 KERNEL_CS64: 64-bit code */
        .quad   0x00CF93000000FFFF      /* 0x18 KERNEL_DS:   flat data */
        .quad   0                       /* 0x20 unused */
        .quad   0x00CFF3000000FFFF      /* 0x28 USER_DS:     flat data, DPL3 */
        .quad   0x00AFFB000000FFFF      /* 0x30 USER_CS64:   64-bit code, DPL3 */
        /*
         * 0x38 TSS_SEL: a 16-byte system descriptor. Type 0x9 = available
         * 64-bit TSS, present, DPL0, byte granularity. The TSS is in the ROM,
         * so base[31:16] = 0xFFFF and base[15:0] = tss - ROM_BASE (the linker
         * computes that); base[63:32] = 0.
         */
        .word   TSS_LIMIT & 0xFFFF
        .word   tss - ROM_BASE
        .byte   (ROM_BASE >> 16) & 0xFF
        .byte   0x89
        .byte   (TSS_LIMIT >> 16) & 0x0F
        .byte   (ROM_BASE >> 24) & 0xFF
        .long   0
        .long   0
gdt_template_end:
        .if     gdt_template_end - gdt_template != GDT_SIZE
        .error  "GDT template size does not match GDT_SIZE"
        .endif

/* lgdt operand for the real-mode code: limit, then a 32-bit base. */
        .balign 8
        .globl  boot_gdt_pointer
boot_gdt_pointer:
        .word   GDT_SIZE - 1
        .long   gdt_template

/*
 * The 64-bit TSS. In long mode the CPU only reads it, so it can live in the
 * ROM.
 *
 * RSP0 is the stack the CPU switches to when an exception or interrupt takes
 * it from CPL3 to CPL0. No IST stacks.
 *
 * The I/O permission bitmap grants every port to CPL3. On a CPU (or under
 * TCG, or hardware-assisted KVM) IOPL=3 in RFLAGS already does, and the
 * bitmap is never looked at. But a PVM host runs guest CPL3 code in real
 * user mode, where IOPL is always 0: an in/out there traps to the
 * hypervisor, whose instruction emulator sees IOPL 0 and then consults this
 * bitmap, exactly as a CPU would. A zero bit means "allowed"; the byte
 * after the bitmap must be all ones.
 */
        .section .rodata.tss, "a"
        .balign 16
tss:
        .long   0                       /* reserved */
        .quad   KSTACK_TOP              /* RSP0 */
        .quad   0                       /* RSP1 */
        .quad   0                       /* RSP2 */
        .quad   0                       /* reserved */
        .quad   0, 0, 0, 0, 0, 0, 0     /* IST1..IST7 */
        .quad   0                       /* reserved */
        .word   0                       /* reserved */
        .word   io_bitmap - tss         /* I/O map base address */
io_bitmap:
        .fill   IO_BITMAP_SIZE, 1, 0x00 /* ports 0..65535: all allowed */
        .byte   0xFF                    /* required terminator */
tss_end:
        .if     io_bitmap - tss != TSS_SIZE
        .error  "TSS size does not match TSS_SIZE"
        .endif
        .if     tss_end - tss - 1 != TSS_LIMIT
        .error  "TSS limit does not match TSS_LIMIT"
        .endif
