/*
 * Linker script of the Emu firmware (run through the C preprocessor so it
 * shares layout.h with the code).
 *
 * ROM image, 64 KiB at ROM_BASE (4 GiB - 64 KiB), from first to last byte:
 *   config block (64 bytes, patchable mode string), code, read-only data,
 *   the initial contents of .data, free space, the 16-bit start-up code and,
 *   in the last 16 bytes, the reset vector.
 * RAM: .data and .bss at DATA_BASE (see layout.h for the rest of low RAM).
 */
#include "layout.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(reset_vector)

MEMORY
{
    ROM (rx)  : ORIGIN = ROM_BASE,  LENGTH = ROM_SIZE
    RAM (rw)  : ORIGIN = DATA_BASE, LENGTH = DATA_LIMIT - DATA_BASE
}

SECTIONS
{
    .config ROM_BASE : {
        KEEP(*(.rodata.config))
    } > ROM

    .text : {
        *(.text.boot32)
        *(.text.boot64)
        *(.text.vectors)
        *(.text .text.*)
    } > ROM

    .rodata : {
        *(.rodata.idt)
        *(.rodata.gdt)
        *(.rodata.tss)
        *(.rodata .rodata.*)
    } > ROM

    .data : ALIGN(16) {
        __data_start = .;
        *(.data .data.*)
        . = ALIGN(16);
        __data_end = .;
    } > RAM AT > ROM
    __data_load = LOADADDR(.data);

    .bss (NOLOAD) : ALIGN(16) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(16);
        __bss_end = .;
    } > RAM

    /* Real-mode code: anywhere in the ROM works (it is addressed relative to
     * CS.base = ROM_BASE); keeping it at the end leaves it next to the vector. */
    .reset16 RESET_VECTOR - 0x40 : {
        KEEP(*(.reset.text))
    } > ROM

    .reset_vector RESET_VECTOR : {
        KEEP(*(.reset.vector))
    } > ROM

    /DISCARD/ : {
        *(.comment) *(.note*) *(.eh_frame*) *(.gnu.hash) *(.dynsym) *(.dynstr)
    }
}

ASSERT(ROM_BASE == 0xFFFF0000, "vectors.S and reset16.S assume the ROM ends at 4 GiB")
ASSERT(emu_config_block == ROM_BASE, "config block must open the ROM")
ASSERT(emu_config_block % 16 == 0, "config block must be 16-byte aligned")
ASSERT(SIZEOF(.reset16) <= 0x30, "16-bit start-up code does not fit before the reset vector")
ASSERT(SIZEOF(.reset_vector) == 16, "reset vector must be 16 bytes")
ASSERT(__data_load + SIZEOF(.data) <= ADDR(.reset16), "ROM full")
