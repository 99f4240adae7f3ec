/*
 * Interrupt descriptor table, exception entry stubs and the final halt.
 *
 * The IDT lives in the ROM: the CPU only reads it. A 64-bit interrupt gate
 * (16 bytes) holds the handler address split in three: offset[15:0],
 * offset[31:16], offset[63:32]. Every handler is in the ROM, i.e. in
 * 0xFFFF0000..0xFFFFFFFF, so the upper parts are the constants 0xFFFF and 0,
 * and the low part is "handler - ROM_BASE", which the linker computes (the
 * linker script asserts the ROM's placement).
 *
 * Vectors 0..31 (CPU exceptions): DPL0 interrupt gates, reported on the
 * serial port by exception_report() (C), which fails the run with code 3.
 * Nothing else is present: interrupts stay disabled.
 *
 * Halting from CPL3: hlt is privileged, so CPL3 code that wants to stop for
 * good executes hlt at one known address (machine_halt), which raises #GP;
 * the #GP entry recognises that address and halts at CPL0 instead of
 * reporting an exception. A DPL3 "int 0x80" gate would be the textbook way,
 * but a PVM host does not deliver software interrupts from guest user mode
 * through the guest IDT (it raises #UD instead); faults it does deliver.
 */
#include "layout.h"

#define GATE_INTR_DPL0  0x8E            /* present, DPL0, 64-bit interrupt gate */

        .section .text.vectors, "ax"
        .code64

/*
 * The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30. The
 * other stubs push a 0 in its place so that every frame looks the same:
 * [vector] [error] [rip] [cs] [rflags] [rsp] [ss].
 */
        .macro  exception_stub vec
exception_stub_\vec:
        .if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
        .else
        pushq   $0
        .endif
        pushq   $\vec
        jmp     exception_common
        .endm

        .irp    v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        exception_stub \v
        .endr

exception_common:
        cld
        cmpq    $13, 0(%rsp)            /* #GP ... */
        jne     1f
        movl    $halt_request, %eax     /* ... on the hlt of machine_halt? */
        cmpq    %rax, 16(%rsp)
        je      halt_forever            /* then it was a request, not a fault */
1:
        movq    0(%rsp), %rdi           /* vector */
        movq    8(%rsp), %rsi           /* error code */
        movq    16(%rsp), %rdx          /* faulting rip */
        movq    24(%rsp), %rcx          /* cs of the interrupted code */
        movq    32(%rsp), %r8           /* rflags of the interrupted code */
        movq    %cr2, %r9               /* fault address, for page faults */
        andq    $-16, %rsp
        movabsq $exception_report, %rax /* never returns */
        call    *%rax
        jmp     halt_forever

/* Stop this CPU at CPL0. With IF=0 only an NMI ends a hlt, hence the loop. */
halt_forever:
        cli
1:      hlt
        jmp     1b

/*
 * void machine_halt(void): stop for good, from CPL0 or CPL3. At CPL0 the
 * hlt halts; at CPL3 it faults (#GP) and the fault entry halts at CPL0.
 */
        .globl  machine_halt
machine_halt:
halt_request:
        hlt
        jmp     halt_request

/* ---- the table ------------------------------------------------------- */
        .macro  idt_gate handler, type
        .word   \handler - ROM_BASE     /* offset[15:0] */
        .word   KERNEL_CS64
        .byte   0                       /* no IST */
        .byte   \type
        .word   ROM_BASE >> 16          /* offset[31:16] */
        .long   0                       /* offset[63:32] */
        .long   0
        .endm

        .section .rodata.idt, "a"
        .balign 16
idt:
        .irp    v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        idt_gate exception_stub_\v, GATE_INTR_DPL0
        .endr
idt_end:

        .balign 8
        .globl  idt_pointer
idt_pointer:
        .word   idt_end - idt - 1
        .quad   idt
