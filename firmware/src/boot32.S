/*
 * 32-bit protected mode: build the identity page tables and enter long mode.
 *
 * Paging: one PML4 entry -> one PDPT with four entries -> four page
 * directories of 512 entries, each mapping a 2 MiB page, so the first 4 GiB
 * are identity-mapped (virtual = physical). Every entry is present, writable
 * and user-accessible (U/S=1), so the CPL3 code can reach RAM, the ROM and
 * MMIO alike. The accessed and dirty bits are preset so the CPU never has to
 * write them back. 1 GiB pages would need far fewer entries, but QEMU's
 * default CPU model does not offer them.
 *
 * This code is emulated on a PVM host (~1 us per instruction), and the
 * 2048-entry fill is the largest piece of work done at CPL0 in the whole
 * firmware, so it is a short unrolled loop.
 */
#include "layout.h"

        .section .text.boot32, "ax"
        .code32
        .globl  start32
start32:
        movl    $KERNEL_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %eax, %fs
        movl    %eax, %gs

        /*
         * Clear the PML4 and the PDPT (RAM content is undefined at reset).
         * The page directories need no clearing: every entry gets written.
         */
        xorl    %eax, %eax
        movl    $PML4_ADDR, %edi
        movl    $((PD_ADDR - PML4_ADDR) / 4), %ecx
        rep stosl

        movl    $(PDPT_ADDR | PTE_TABLE), PML4_ADDR
        movl    $(PD_ADDR + 0x0000 | PTE_TABLE), PDPT_ADDR + 0
        movl    $(PD_ADDR + 0x1000 | PTE_TABLE), PDPT_ADDR + 8
        movl    $(PD_ADDR + 0x2000 | PTE_TABLE), PDPT_ADDR + 16
        movl    $(PD_ADDR + 0x3000 | PTE_TABLE), PDPT_ADDR + 24

        /*
         * PD entry i = (i * 2 MiB) | flags, for i = 0..2047. The four page
         * directories are contiguous, so this is one array of 2048 quadwords.
         * Physical addresses stay below 4 GiB: the upper half of each entry
         * is zero. Four entries per iteration.
         */
        movl    $PD_ADDR, %edi
        movl    $PTE_2M_PAGE, %eax
        xorl    %edx, %edx
        movl    $(PD_COUNT * 512 / 4), %ecx
1:      movl    %eax, 0(%edi)
        movl    %edx, 4(%edi)
        leal    PAGE_2M(%eax), %ebx
        movl    %ebx, 8(%edi)
        movl    %edx, 12(%edi)
        leal    2*PAGE_2M(%eax), %ebx
        movl    %ebx, 16(%edi)
        movl    %edx, 20(%edi)
        leal    3*PAGE_2M(%eax), %ebx
        movl    %ebx, 24(%edi)
        movl    %edx, 28(%edi)
        addl    $4*PAGE_2M, %eax
        addl    $32, %edi
        loop    1b

        /* Long mode: CR4.PAE, CR3, EFER.LME, then CR0.PG activates it. */
        movl    $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $PML4_ADDR, %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        movl    $EFER_LME, %eax
        xorl    %edx, %edx
        wrmsr
        movl    $(CR0_PG | CR0_PE | CR0_ET | CR0_NE), %eax
        movl    %eax, %cr0

        /* Now in compatibility mode; a far jump to a 64-bit code segment. */
        ljmpl   $KERNEL_CS64, $start64
