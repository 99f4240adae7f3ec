#include "print.h"
#include "serial.h"

void put_char(char c)
{
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
}

void put_str(const char *s)
{
    while (*s)
        put_char(*s++);
}

void put_dec(u64 v)
{
    char buf[20];               /* 2^64 - 1 has 20 digits */
    unsigned n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(buf[--n]);
}

static char hex_digit(unsigned d)
{
    return (char)(d < 10 ? '0' + d : 'a' + d - 10);
}

void put_hex(u64 v, unsigned digits)
{
    if (digits > 16)
        digits = 16;
    for (unsigned i = digits; i-- > 0;)
        put_char(hex_digit((unsigned)(v >> (i * 4)) & 0xF));
}

void put_escaped(const char *s)
{
    for (; *s; s++) {
        u8 c = (u8)*s;
        if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
            put_char((char)c);
        } else {
            put_str("\\x");
            put_hex(c, 2);
        }
    }
}
