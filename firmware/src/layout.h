/*
 * Memory map and descriptor selectors of the Emu firmware.
 *
 * Shared by the C code, the assembly start-up code and the linker script
 * (which is run through the C preprocessor), so every address below has
 * exactly one definition.
 *
 * The ROM (64 KiB) sits at the top of the 32-bit physical address space, as
 * on every PC: the reset vector is its last 16 bytes (0xFFFFFFF0). All code
 * and read-only data execute in place from there. Everything that must be
 * writable lives in conventional memory below 0xA0000 (the legacy VGA hole),
 * which every PC-like machine backs with RAM.
 */
#ifndef EMU_FW_LAYOUT_H
#define EMU_FW_LAYOUT_H

/* ---- ROM ---------------------------------------------------------------- */
#define ROM_BASE        0xFFFF0000      /* 4 GiB - 64 KiB */
#define ROM_SIZE        0x10000
#define RESET_VECTOR    0xFFFFFFF0      /* where the CPU starts fetching */

/* ---- low RAM: CPL0 structures (built by the 32/64-bit start-up code) ----- */
#define PML4_ADDR       0x8000          /* page-map level 4: one entry used */
#define PDPT_ADDR       0x9000          /* page-directory-pointer table: 4 entries */
#define PD_ADDR         0xA000          /* 4 page directories, 0xA000..0xDFFF */
#define PAGE_TABLES_END 0xE000
#define PD_COUNT        4               /* 4 x 1 GiB = the first 4 GiB */

#define GDT_ADDR        0xE000          /* RAM copy of the GDT (ltr writes its busy bit) */
#define GDT_SIZE        0x48            /* 9 slots, the TSS descriptor takes two */
/* The TSS itself stays in the ROM (gdt.S): in long mode the CPU only reads it. */
#define TSS_SIZE        0x68            /* 104 bytes: the 64-bit TSS proper */
#define IO_BITMAP_SIZE  0x2000          /* one bit per I/O port, 65536 ports */
#define TSS_LIMIT       (TSS_SIZE + IO_BITMAP_SIZE + 1 - 1)  /* + the 0xFF end byte */

#define BOOT_INFO_ADDR  0xE100          /* what CPL0 saw, for the CPL3 self-tests */
#define BOOT_INFO_MAGIC 0x4f464e49544f4f42  /* "BOOTINFO" little-endian */
#define BOOT_INFO_OFF_MAGIC 0
#define BOOT_INFO_OFF_EFER  8
#define BOOT_INFO_OFF_CR0   16
#define BOOT_INFO_OFF_CR4   24

#define KSTACK_BOTTOM   0xF000          /* CPL0 stack (TSS.RSP0): exceptions, final halt */
#define KSTACK_TOP      0x10000

/* ---- low RAM: CPL3 program data ------------------------------------------ */
#define DATA_BASE       0x10000         /* .data then .bss */
#define DATA_LIMIT      0x70000
#define USTACK_BOTTOM   0x70000         /* CPL3 stack, 64 KiB */
#define USTACK_TOP      0x80000
/* 0x80000..0x9FFFF is left alone (an EBDA lives there on machines with a BIOS). */

/* ---- self-test RAM window ------------------------------------------------ */
#define RAMTEST_BASE    0x100000        /* 1 MiB */
#define RAMTEST_SIZE    0x100000        /* 1 MiB */

/* ---- dirty:MIB:N memory workload (migration tests): MIB MiB from 16 MiB -- */
#define DIRTY_BASE      0x1000000

/* ---- benchmark MMIO target (unassigned on QEMU q35 and Emu q35) ---------- */
#define BENCH_MMIO_ADDR 0xFEB00000

/* ---- GDT selectors ------------------------------------------------------
 * The same numbering as Linux's x86-64 GDT for the CPL3 selectors: a PVM host
 * runs guest CPL3 code with its own user selectors (0x2B/0x33), so CPL3 code
 * reads back the same values here on every kind of host.
 */
#define KERNEL_CS32     0x08            /* flat 32-bit code, used only on the way up */
#define KERNEL_CS64     0x10            /* 64-bit code, DPL0 */
#define KERNEL_DS       0x18            /* flat data, DPL0 */
                                        /* 0x20: unused (32-bit user code on Linux) */
#define USER_DS         0x28            /* flat data, DPL3 */
#define USER_CS64       0x30            /* 64-bit code, DPL3 */
#define TSS_SEL         0x38            /* 64-bit TSS (two slots) */
#define RPL3            3

/* ---- interrupt vectors --------------------------------------------------- */
#define EXCEPTION_VECTORS 32            /* the IDT has only these */

/* ---- control-register and MSR bits -------------------------------------- */
#define CR0_PE          (1 << 0)
#define CR0_ET          (1 << 4)
#define CR0_NE          (1 << 5)
#define CR0_PG          (1 << 31)
#define CR4_PAE         (1 << 5)
#define MSR_EFER        0xC0000080
#define EFER_LME        (1 << 8)
#define EFER_LMA        (1 << 10)
#define RFLAGS_RESERVED1 (1 << 1)       /* always reads 1 */
#define RFLAGS_IF       (1 << 9)
#define RFLAGS_IOPL3    (3 << 12)

/* ---- page-table entry bits ---------------------------------------------- */
#define PTE_P           (1 << 0)        /* present */
#define PTE_RW          (1 << 1)        /* writable */
#define PTE_US          (1 << 2)        /* user (CPL3) accessible */
#define PTE_A           (1 << 5)        /* accessed: preset so the CPU need not write it */
#define PTE_D           (1 << 6)        /* dirty (leaf only), preset likewise */
#define PTE_PS          (1 << 7)        /* 2 MiB page in a page directory */
#define PTE_TABLE       (PTE_P | PTE_RW | PTE_US | PTE_A)
#define PTE_2M_PAGE     (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PS)
#define PAGE_2M         0x200000

#endif
