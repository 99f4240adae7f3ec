/*
 * The CPL3 program: everything after the CPL0 start-up runs here, natively
 * on a PVM host. Entered from cpl3_entry (boot64.S) with interrupts off,
 * IOPL 3 and the first 4 GiB identity-mapped.
 */
#include "bench.h"
#include "blk_modes.h"
#include "dirty.h"
#include "libc.h"
#include "machine.h"
#include "mode.h"
#include "print.h"
#include "selftest.h"
#include "serial.h"

#ifndef EMU_FW_VERSION
#error "EMU_FW_VERSION must be defined by the build"
#endif

/* Linker script: .data is stored in the ROM and copied to RAM; .bss is zeroed. */
extern char __data_start[], __data_end[], __data_load[];
extern char __bss_start[], __bss_end[];

NORETURN void firmware_main(void);

static void init_ram_sections(void)
{
    memcpy(__data_start, __data_load, (usize)(__data_end - __data_start));
    memset(__bss_start, 0, (usize)(__bss_end - __bss_start));
}

static NORETURN void run_selftest(void)
{
    put_str("Emu firmware " EMU_FW_VERSION "\n");
    bool pass = selftest_run();
    put_str(pass ? "RESULT: PASS\n" : "RESULT: FAIL\n");
    if (pass)
        machine_power_off();
    machine_fail(FAIL_SELFTEST);
}

static NORETURN void done(const char *what, u32 count, bool has_count)
{
    put_str("done ");
    put_str(what);
    if (has_count) {
        put_char(' ');
        put_dec(count);
    }
    put_char('\n');
    machine_power_off();
}

void firmware_main(void)
{
    init_ram_sections();
    serial_init();

    struct mode_string ms;
    mode_load(&ms);
    struct mode m = ms.too_long ? (struct mode){ MODE_BAD, 0, 0 } : mode_parse(ms.text);

    switch (m.kind) {
    case MODE_SELFTEST:
        run_selftest();
    case MODE_NONE:
        done("none", 0, false);
    case MODE_PIO:
        bench_pio(m.count);
        done("pio", m.count, true);
    case MODE_MMIO:
        bench_mmio(m.count);
        done("mmio", m.count, true);
    case MODE_LOOP:
        bench_loop(m.count);
        done("loop", m.count, true);
    case MODE_FAULT:
        put_str("raising #UD\n");
        __asm__ volatile("ud2");
        put_str("ud2 did not fault\n");
        machine_fail(FAIL_SELFTEST);
    case MODE_BLK_TEST:
        put_str("Emu firmware " EMU_FW_VERSION " virtio-blk test\n");
        if (blk_selftest()) {
            put_str("RESULT: PASS\n");
            machine_power_off();
        }
        put_str("RESULT: FAIL\n");
        machine_fail(FAIL_SELFTEST);
    case MODE_BLK_IOPS:
        if (blk_iops(m.depth, m.count))
            done("blk-iops", m.count, true);
        machine_fail(FAIL_SELFTEST);
    case MODE_BLK_CHURN:
        if (blk_churn(m.depth, m.count))
            done("blk-churn", m.count, true);
        machine_fail(FAIL_SELFTEST);
    case MODE_DIRTY:
        if (dirty_run(m.depth, m.count))
            done("dirty", m.count, true);
        machine_fail(FAIL_SELFTEST);
    case MODE_BAD:
        break;
    }
    put_str("bad mode '");
    put_escaped(ms.text);
    put_str(ms.too_long ? "...'\n" : "'\n");
    machine_fail(FAIL_BAD_MODE);
}
