/*
 * From the x86 reset vector to 32-bit protected mode.
 *
 * After reset the CPU is in real mode with CS.selector = 0xF000 but a hidden
 * CS.base of 0xFFFF0000 and IP = 0xFFF0, so it fetches its first instruction
 * at physical 0xFFFFFFF0, the last 16 bytes of our ROM. While CS keeps that
 * base, a 16-bit offset reaches any byte of the ROM: offset = address -
 * ROM_BASE. The assembler cannot take a linked address modulo 64 KiB, so the
 * code below writes "symbol - ROM_BASE", which the linker resolves (and checks
 * to fit in 16 bits).
 *
 * Real-mode code is emulated instruction by instruction on a PVM host, so
 * this stage does the minimum: load the boot GDT, set CR0.PE, far-jump.
 */
#include "layout.h"

        .section .reset.text, "ax"
        .code16
        .globl  reset16_start
reset16_start:
        cli                             /* interrupts stay off for good */
        cld
        /*
         * lgdtl: the 0x66 prefix makes the CPU take all 32 bits of the GDT
         * base (a 16-bit lgdt would only use 24). The CS override is needed
         * because DS still has base 0, while the pointer lives in the ROM.
         */
        lgdtl   %cs:(boot_gdt_pointer - ROM_BASE)

        /*
         * Enter protected mode. Writing CR0 whole also clears CD and NW,
         * which are set at reset (caches disabled).
         */
        movl    $(CR0_PE | CR0_ET | CR0_NE), %eax
        movl    %eax, %cr0

        /* A far jump loads CS from the GDT and continues in 32-bit code. */
        ljmpl   $KERNEL_CS32, $start32

/*
 * The reset vector proper: 16 bytes at 0xFFFFFFF0. A near jump (relative to
 * CS.base 0xFFFF0000) to the code above; the rest is padding.
 */
        .section .reset.vector, "ax"
        .code16
        .globl  reset_vector
reset_vector:
        jmp     reset16_start
        .balign 16, 0xf4                /* hlt, should anything ever run here */
