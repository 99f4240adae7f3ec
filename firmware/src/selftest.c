/*
 * Self-tests: checks that the machine (QEMU q35 or Emu q35) gives the
 * firmware what a PC gives it, and that the firmware really runs the way it
 * intends to (long mode, CPL3, port I/O from CPL3). Each prints
 *   test <name>: ok
 *   test <name>: FAIL (<detail>)
 * The "test <name>: " prefix is printed before the test runs, so a test
 * that crashes is still named next to the EXCEPTION line.
 */
#include "selftest.h"
#include "boot_info.h"
#include "fwcfg.h"
#include "layout.h"
#include "pci.h"
#include "print.h"

/* Starts a failure report; the test prints its detail and returns false. */
static bool fail(const char *detail)
{
    put_str("FAIL (");
    put_str(detail);
    return false;
}

/* ---- long mode: EFER.LMA, as recorded at CPL0 (rdmsr is privileged) ----- */
static bool test_long_mode(void)
{
    const volatile struct boot_info *bi = boot_info();
    if (bi->magic != BOOT_INFO_MAGIC)
        return fail("no boot info from CPL0");
    u64 efer = bi->efer, cr0 = bi->cr0, cr4 = bi->cr4;
    if ((efer & (EFER_LME | EFER_LMA)) != (EFER_LME | EFER_LMA) ||
        !(cr0 & CR0_PG) || !(cr4 & CR4_PAE)) {
        fail("efer=0x");
        put_hex(efer, 8);
        put_str(" cr0=0x");
        put_hex(cr0, 8);
        put_str(" cr4=0x");
        put_hex(cr4, 8);
        return false;
    }
    return true;
}

/*
 * ---- running at CPL3, with port I/O allowed -------------------------------
 * The current privilege level is the RPL of CS. Port I/O must work at CPL3:
 * write PCI CONFIG_ADDRESS (0xCF8, a read/write register on q35) and read it
 * back; a refused in/out would raise #GP and end the run with an EXCEPTION
 * line.
 *
 * RFLAGS is only reported, not checked: on a PVM host, guest CPL3 code runs
 * in real user mode, where RFLAGS reads IOPL=0 and IF=1 whatever the guest
 * set (port access then comes from the TSS I/O bitmap, see gdt.S).
 */
#define PCI_CONFIG_ADDRESS_PROBE 0x8000F8FCu    /* 00:1f.0 register 0xFC */

static bool test_cpl3_io(void)
{
    u64 cs, rflags;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    __asm__ volatile("pushfq; popq %0" : "=r"(rflags));
    u32 echo = pci_config_address_roundtrip(PCI_CONFIG_ADDRESS_PROBE);
    if ((cs & 3) != 3 || echo != PCI_CONFIG_ADDRESS_PROBE) {
        fail("cs=0x");
        put_hex(cs, 4);
        put_str(" rflags=0x");
        put_hex(rflags, 8);
        put_str(" 0xcf8 echo=0x");
        put_hex(echo, 8);
        return false;
    }
    return true;
}

/* ---- RAM: 1 MiB at 1 MiB, several patterns, written then read back ------- */
typedef u64 (*ram_pattern)(u64 addr);

static u64 pattern_5555(u64 addr)     { (void)addr; return 0x5555555555555555ull; }
static u64 pattern_aaaa(u64 addr)     { (void)addr; return 0xAAAAAAAAAAAAAAAAull; }
static u64 pattern_addr(u64 addr)     { return addr; }
static u64 pattern_not_addr(u64 addr) { return ~addr; }

static bool test_ram(void)
{
    static const ram_pattern patterns[] = {
        pattern_5555, pattern_aaaa, pattern_addr, pattern_not_addr,
    };
    volatile u64 *const base = (volatile u64 *)RAMTEST_BASE;
    const usize words = RAMTEST_SIZE / sizeof(u64);

    for (usize p = 0; p < ARRAY_SIZE(patterns); p++) {
        for (usize i = 0; i < words; i++)
            base[i] = patterns[p]((u64)(usize)&base[i]);
        for (usize i = 0; i < words; i++) {
            u64 want = patterns[p]((u64)(usize)&base[i]);
            u64 got = base[i];
            if (got != want) {
                fail("at 0x");
                put_hex((u64)(usize)&base[i], 8);
                put_str(" wrote 0x");
                put_hex(want, 16);
                put_str(" read 0x");
                put_hex(got, 16);
                return false;
            }
        }
    }
    return true;
}

/* ---- PCI: host bridge and ICH9 LPC bridge ------------------------------- */
#define PCI_VENDOR_INTEL      0x8086
#define PCI_DEVICE_ICH9_LPC   0x2918

static bool report_pci_id(const char *what, u32 id)
{
    fail(what);
    put_hex(id & 0xFFFF, 4);
    put_char(':');
    put_hex(id >> 16, 4);
    return false;
}

static bool test_pci_host(void)
{
    u32 id = pci_config_read32(0, 0, 0, PCI_VENDOR_DEVICE);
    if ((id & 0xFFFF) != PCI_VENDOR_INTEL || (id >> 16) == 0xFFFF)
        return report_pci_id("00:00.0 is ", id);
    return true;
}

static bool test_lpc_bridge(void)
{
    u32 id = pci_config_read32(0, 0x1F, 0, PCI_VENDOR_DEVICE);
    if (id != ((u32)PCI_DEVICE_ICH9_LPC << 16 | PCI_VENDOR_INTEL))
        return report_pci_id("00:1f.0 is ", id);
    return true;
}

/* ---- CPUID: printable vendor, leaf 1 present, long mode advertised ----- */
#define CPUID_EXT_LM (1u << 29)         /* leaf 0x80000001 EDX: long mode */

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static bool test_cpuid(void)
{
    u32 a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    u32 max_leaf = a;
    const u32 regs[3] = { b, d, c };    /* vendor string order: EBX EDX ECX */
    char vendor[13];
    for (int i = 0; i < 12; i++) {
        vendor[i] = (char)(regs[i / 4] >> (8 * (i % 4)));
        if (vendor[i] < 0x20 || vendor[i] > 0x7E)
            return fail("vendor string not printable");
    }
    vendor[12] = '\0';
    if (max_leaf < 1) {
        fail(vendor);
        put_str(" max leaf 0");
        return false;
    }
    cpuid(0x80000000, &a, &b, &c, &d);
    u32 max_ext = a;
    if (max_ext >= 0x80000001)
        cpuid(0x80000001, &a, &b, &c, &d);
    if (max_ext < 0x80000001 || !(d & CPUID_EXT_LM)) {
        fail(vendor);
        put_str(" does not report long mode");
        return false;
    }
    return true;
}

/*
 * ---- fw_cfg: signature "QEMU" and a plausible file directory ------------
 * Both QEMU q35 and Emu q35 have fw_cfg, so a missing one is a failure of
 * this test (mode selection itself copes without fw_cfg).
 */
static bool test_fw_cfg(void)
{
    if (!fw_cfg_present())
        return fail("absent: no \"QEMU\" signature at port 0x510");
    u32 count = fw_cfg_file_count();
    if (count > 4096) {
        fail("file directory count ");
        put_dec(count);
        return false;
    }
    return true;
}

/*
 * ---- a CPL3 loop: 10 million dec/jnz iterations complete ----------------
 * Natively this takes milliseconds; if CPL3 code were being emulated like
 * CPL0 code on a PVM host it would take many seconds.
 */
#define LOOP_ITERATIONS 10000000ull

static bool test_cpl3_loop(void)
{
    u64 n = LOOP_ITERATIONS, done = 0;
    __asm__ volatile("1: inc %1; dec %0; jnz 1b" : "+r"(n), "+r"(done));
    if (n != 0 || done != LOOP_ITERATIONS) {
        fail("counted ");
        put_dec(done);
        return false;
    }
    return true;
}

struct selftest {
    const char *name;
    bool (*run)(void);
};

static const struct selftest selftests[] = {
    { "long-mode",  test_long_mode },
    { "cpl3-io",    test_cpl3_io },
    { "ram",        test_ram },
    { "pci-host",   test_pci_host },
    { "lpc-bridge", test_lpc_bridge },
    { "cpuid",      test_cpuid },
    { "fw-cfg",     test_fw_cfg },
    { "cpl3-loop",  test_cpl3_loop },
};

bool selftest_run(void)
{
    bool all = true;
    for (usize i = 0; i < ARRAY_SIZE(selftests); i++) {
        put_str("test ");
        put_str(selftests[i].name);
        put_str(": ");
        if (selftests[i].run()) {
            put_str("ok\n");
        } else {
            put_str(")\n");
            all = false;
        }
    }
    return all;
}
