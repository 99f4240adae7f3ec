#ifndef EMU_FW_SERIAL_H
#define EMU_FW_SERIAL_H

#include "types.h"

/* COM1, a 16550-compatible UART. */
void serial_init(void);
void serial_putc(char c);

#endif
