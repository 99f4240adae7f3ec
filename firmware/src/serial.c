/*
 * COM1 output through a 16550-compatible UART at I/O port 0x3F8.
 *
 * Polled, transmit only. The firmware must also run on machines without a
 * UART, and must not spend its time polling one that is not there:
 *   - an unclaimed I/O port reads 0xFF on a PC (and in most VMMs);
 *   - a minimal VMM may leave an IN unanswered, and the guest then reads
 *     whatever was left in the exit buffer: 0, or the last value written
 *     by an OUT.
 * So after initialisation (which empties the transmit FIFO) the UART counts
 * as present only if the line status register reads neither 0xFF nor a value
 * without THRE: a 16550 with an empty transmitter reads 0x60. The last OUT
 * before that read writes 0x03 to MCR, so an echoing VMM reads 0x03: absent.
 * Waiting for THRE is bounded too; after one timeout output is dropped.
 */
#include "serial.h"
#include "io.h"

#define COM1            0x3F8
#define UART_THR        0       /* transmit holding register (DLAB=0) */
#define UART_DLL        0       /* divisor latch low (DLAB=1) */
#define UART_IER        1       /* interrupt enable (DLAB=0) */
#define UART_DLM        1       /* divisor latch high (DLAB=1) */
#define UART_FCR        2       /* FIFO control */
#define UART_LCR        3       /* line control */
#define UART_MCR        4       /* modem control */
#define UART_LSR        5       /* line status */

#define LCR_8N1         0x03    /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB        0x80    /* divisor latch access */
#define FCR_ENABLE_CLEAR 0x07   /* enable FIFOs, clear receive and transmit FIFO */
#define MCR_DTR_RTS     0x03
#define LSR_THRE        0x20    /* transmit holding register empty */
#define LSR_FLOATING    0xFF    /* what an unclaimed port reads */

/* 115200 baud = 1.8432 MHz / 16 / divisor, divisor 1 */
#define BAUD_DIVISOR    1

/*
 * Each LSR read is a VM exit (several microseconds); a real 16550 at 115200
 * baud empties its holding register within ~90 us. This bound is far above
 * either and still ends in well under a second if the port never says ready.
 */
#define THRE_POLL_LIMIT 20000

static bool serial_usable;

void serial_init(void)
{
    outb(COM1 + UART_IER, 0);                   /* no interrupts */
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, BAUD_DIVISOR & 0xFF);
    outb(COM1 + UART_DLM, BAUD_DIVISOR >> 8);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
    outb(COM1 + UART_MCR, MCR_DTR_RTS);
    u8 lsr = inb(COM1 + UART_LSR);
    serial_usable = lsr != LSR_FLOATING && (lsr & LSR_THRE);
}

void serial_putc(char c)
{
    if (!serial_usable)
        return;
    for (u32 i = 0; !(inb(COM1 + UART_LSR) & LSR_THRE); i++) {
        if (i == THRE_POLL_LIMIT) {
            serial_usable = false;
            return;
        }
    }
    outb(COM1 + UART_THR, (u8)c);
}
