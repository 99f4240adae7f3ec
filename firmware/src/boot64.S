/*
 * 64-bit start-up at CPL0: GDT in RAM, TSS, IDT, a note of what only CPL0
 * can read, then down to CPL3 for good.
 *
 * Still emulated on a PVM host, so still short. After the iretq at the end,
 * CPL0 is only re-entered for exceptions and for the final halt.
 */
#include "layout.h"

        .section .text.boot64, "ax"
        .code64
        .globl  start64
start64:
        movl    $KERNEL_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %eax, %fs
        movl    %eax, %gs
        movl    $KSTACK_TOP, %esp

        /*
         * Copy the GDT to RAM and switch to the copy. The ROM copy served
         * until now (its descriptors have the accessed bit preset, so loading
         * them never wrote to the ROM), but ltr must set the busy bit in the
         * TSS descriptor, and that needs writable memory.
         */
        movl    $gdt_template, %esi     /* movl zero-extends: ROM is above 2 GiB */
        movl    $GDT_ADDR, %edi
        movl    $(GDT_SIZE / 8), %ecx
        rep movsq
        lgdt    ram_gdt_pointer(%rip)
        lidt    idt_pointer(%rip)
        movl    $TSS_SEL, %eax
        ltr     %ax

        /* Record what the CPL3 self-tests cannot read themselves. */
        movl    $MSR_EFER, %ecx
        rdmsr
        movl    %eax, BOOT_INFO_ADDR + BOOT_INFO_OFF_EFER
        movl    %edx, BOOT_INFO_ADDR + BOOT_INFO_OFF_EFER + 4
        movq    %cr0, %rax
        movq    %rax, BOOT_INFO_ADDR + BOOT_INFO_OFF_CR0
        movq    %cr4, %rax
        movq    %rax, BOOT_INFO_ADDR + BOOT_INFO_OFF_CR4
        movabsq $BOOT_INFO_MAGIC, %rax
        movq    %rax, BOOT_INFO_ADDR + BOOT_INFO_OFF_MAGIC

        /*
         * Drop to CPL3 with an interrupt-return frame: SS, RSP, RFLAGS, CS,
         * RIP. RFLAGS: IOPL=3 so that in/out work at CPL3, IF=0 (interrupts
         * stay disabled), DF=0. (A PVM host drops IOPL and sets IF for guest
         * user mode; in/out then pass through the TSS I/O bitmap, gdt.S.)
         */
        pushq   $(USER_DS | RPL3)
        pushq   $USTACK_TOP
        pushq   $(RFLAGS_IOPL3 | RFLAGS_RESERVED1)
        pushq   $(USER_CS64 | RPL3)
        movl    $cpl3_entry, %eax
        pushq   %rax
        iretq

/*
 * First CPL3 instructions: the stack is 16-byte aligned here, so a call
 * gives the C code the alignment the ABI promises. firmware_main never
 * returns; if it did, halt.
 */
        .section .text, "ax"
        .globl  cpl3_entry
cpl3_entry:
        movabsq $firmware_main, %rax
        call    *%rax
        movabsq $machine_halt, %rax
        jmp     *%rax

        .section .rodata, "a"
        .balign 8
ram_gdt_pointer:
        .word   GDT_SIZE - 1
        .quad   GDT_ADDR
