/*
 * The host CPU as the oracle of the software CPU's differential tests.
 *
 * Reads test cases from a file (see the protocol below), and for each one
 * maps its code and data at fixed addresses, loads RAX..R15 and RFLAGS, and
 * jumps to the code at CPL 3. Every case ends in a signal: normally the INT3
 * that follows the code under test (SIGTRAP), otherwise the fault the code
 * raised (SIGSEGV for #PF and #GP, SIGILL for #UD, SIGFPE for #DE, SIGBUS
 * for #SS and #AC). The handler runs on an alternate stack (the case's RSP
 * may point anywhere), copies the registers, the hardware vector (trapno),
 * the error code and the fault address out of the ucontext, and longjmps
 * back. A 100 ms interval timer watches for cases that do not end (no
 * system call per case: on a loaded VM each costs). Its handler never
 * returns into a case: returning from a signal handler to a context with a
 * non-canonical RSP (a case may have any RSP) makes the kernel's IRET fault,
 * which Linux reports as a #GP of the case. A tick that lands in a case
 * restarts it from its initial state instead; the fifth restart ends it as
 * a timeout.
 *
 * Protocol (all little-endian):
 *   input:  u32 magic 'EMUD', u32 case count, then per case:
 *           u32 code length, code bytes, u64 regs[16] (RAX..R15 in encoding
 *           order), u64 rflags, u64 data seed, u32 patch count, then per patch
 *           u32 offset, u32 length, bytes.
 *   output: per case: u32 status (0 signal, 1 timeout), i32 signal,
 *           i32 si_code, u64 si_addr, u64 trapno, u64 error code,
 *           u64 regs[16], u64 rip, u64 rflags, u32 run count, then per run of
 *           changed data bytes u32 offset, u32 length, bytes.
 *
 * The data region's initial contents are splitmix64(seed) words, then the
 * patches; the test computes the same on its side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_BASE 0x10000000UL
#define CODE_SIZE 0x2000UL
#define DATA_BASE 0x20000000UL
#define DATA_SIZE 0x2000UL
#define PAGE 0x1000UL
#define GS_BASE 0x700000000000UL /* DifferentialLayout.GsBase: glibc leaves GS alone, FS is its TLS */

struct gprs { uint64_t r[16]; uint64_t rflags; };

/* Read by the entry stub with RIP-relative addressing, so no register is needed to reach them. */
struct gprs g_in;
uint64_t g_entry = CODE_BASE;
static uint64_t g_stub_stack[64] __attribute__((aligned(16)));
uint64_t *g_stub_stack_top = &g_stub_stack[64];

static sigjmp_buf g_jump;
static volatile sig_atomic_t g_running;
static struct {
    int status, signo, code;
    uint64_t addr, trapno, err, rip, rflags;
    uint64_t r[16];
} g_out;
static uint8_t g_initial[DATA_SIZE];
static uint8_t g_code[CODE_SIZE];

/* Loads RFLAGS (while a stack is still usable), then every general register, and jumps to the code. */
void enter_case(void);
__asm__(
    ".globl enter_case\n"
    "enter_case:\n"
    "  movq g_stub_stack_top(%rip), %rsp\n"
    "  pushq g_in+128(%rip)\n"
    "  popfq\n"
    "  movq g_in+0(%rip), %rax\n"
    "  movq g_in+8(%rip), %rcx\n"
    "  movq g_in+16(%rip), %rdx\n"
    "  movq g_in+24(%rip), %rbx\n"
    "  movq g_in+32(%rip), %rsp\n"
    "  movq g_in+40(%rip), %rbp\n"
    "  movq g_in+48(%rip), %rsi\n"
    "  movq g_in+56(%rip), %rdi\n"
    "  movq g_in+64(%rip), %r8\n"
    "  movq g_in+72(%rip), %r9\n"
    "  movq g_in+80(%rip), %r10\n"
    "  movq g_in+88(%rip), %r11\n"
    "  movq g_in+96(%rip), %r12\n"
    "  movq g_in+104(%rip), %r13\n"
    "  movq g_in+112(%rip), %r14\n"
    "  movq g_in+120(%rip), %r15\n"
    "  jmp *g_entry(%rip)\n");

static void on_signal(int signo, siginfo_t *info, void *context)
{
    if (signo == SIGALRM) {
        if (!g_running)
            return; /* between cases: nothing to watch */
        g_running = 0;
        siglongjmp(g_jump, 2);
    }
    if (!g_running)
        _exit(100 + signo); /* a fault in the runner itself */
    ucontext_t *uc = context;
    greg_t *g = uc->uc_mcontext.gregs;
    g_out.signo = signo;
    g_out.code = info->si_code;
    g_out.addr = (uint64_t)info->si_addr;
    g_out.trapno = (uint64_t)g[REG_TRAPNO];
    g_out.err = (uint64_t)g[REG_ERR];
    g_out.rip = (uint64_t)g[REG_RIP];
    g_out.rflags = (uint64_t)g[REG_EFL];
    static const int order[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                   REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };
    for (int i = 0; i < 16; i++)
        g_out.r[i] = (uint64_t)g[order[i]];
    g_running = 0;
    siglongjmp(g_jump, 1);
}

static void *map_fixed(uint64_t address, size_t size, int prot)
{
    void *p = mmap((void *)address, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || p != (void *)address) {
        fprintf(stderr, "mmap at 0x%lx: %s\n", (unsigned long)address, strerror(errno));
        exit(2);
    }
    return p;
}

static void read_exact(FILE *f, void *buffer, size_t size)
{
    if (size && fread(buffer, 1, size, f) != size) {
        fprintf(stderr, "truncated input\n");
        exit(3);
    }
}

static void write_exact(FILE *f, const void *buffer, size_t size)
{
    if (size && fwrite(buffer, 1, size, f) != size) {
        fprintf(stderr, "write failed\n");
        exit(4);
    }
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: runner INPUT OUTPUT\n");
        return 1;
    }
    FILE *in = fopen(argv[1], "rb");
    FILE *out = fopen(argv[2], "wb");
    if (!in || !out) {
        perror("open");
        return 1;
    }
    /* Code and data with an inaccessible guard page on each side, so that stray accesses fault. */
    map_fixed(CODE_BASE - PAGE, PAGE, PROT_NONE);
    uint8_t *code = map_fixed(CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(CODE_BASE + CODE_SIZE, PAGE, PROT_NONE);
    map_fixed(DATA_BASE - PAGE, PAGE, PROT_NONE);
    uint8_t *data = map_fixed(DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE);
    map_fixed(DATA_BASE + DATA_SIZE, PAGE, PROT_NONE);

    if (syscall(SYS_arch_prctl, ARCH_SET_GS, GS_BASE) != 0) {
        perror("arch_prctl(ARCH_SET_GS)");
        return 1;
    }

    static uint8_t altstack[1 << 16];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) != 0) {
        perror("sigaltstack");
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    /* SA_NODEFER and an empty mask: the handler changes no signal mask, so the longjmp need not restore one. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    int signals[] = { SIGTRAP, SIGILL, SIGSEGV, SIGFPE, SIGBUS, SIGALRM };
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++)
        sigaction(signals[i], &sa, NULL);

    struct itimerval watchdog = { .it_interval = { .tv_usec = 100000 }, .it_value = { .tv_usec = 100000 } };
    setitimer(ITIMER_REAL, &watchdog, NULL);

    uint32_t header[2];
    read_exact(in, header, sizeof header);
    if (header[0] != 0x44554D45) {
        fprintf(stderr, "bad magic\n");
        return 1;
    }
    for (uint32_t n = 0; n < header[1]; n++) {
        uint32_t length;
        read_exact(in, &length, 4);
        if (length > CODE_SIZE) {
            fprintf(stderr, "code too long\n");
            return 1;
        }
        memset(code, 0xCC, CODE_SIZE);
        read_exact(in, code, length);
        read_exact(in, &g_in, sizeof g_in);
        uint64_t seed;
        read_exact(in, &seed, 8);
        for (size_t i = 0; i < DATA_SIZE; i += 8) {
            uint64_t word = splitmix64(&seed);
            memcpy(data + i, &word, 8);
        }
        uint32_t patches;
        read_exact(in, &patches, 4);
        for (uint32_t p = 0; p < patches; p++) {
            uint32_t at[2];
            read_exact(in, at, 8);
            if (at[0] > DATA_SIZE || at[1] > DATA_SIZE - at[0]) {
                fprintf(stderr, "patch out of range\n");
                return 1;
            }
            read_exact(in, data + at[0], at[1]);
        }
        memcpy(g_initial, data, DATA_SIZE);
        memcpy(g_code, code, length);

        memset(&g_out, 0, sizeof g_out);
        for (int restarts = 0;; restarts++) {
            if (restarts > 0) {
                /* A watchdog tick interrupted the case: run it again from the start. */
                memset(code, 0xCC, CODE_SIZE);
                memcpy(code, g_code, length);
                memcpy(data, g_initial, DATA_SIZE);
            }
            int how = sigsetjmp(g_jump, 0);
            if (how == 0) {
                g_running = 1;
                enter_case();
            }
            if (how == 1)
                break;
            if (restarts == 5) {
                g_out.status = 1; /* still running at the fifth tick: a timeout */
                break;
            }
        }
        uint32_t status = (uint32_t)g_out.status;
        int32_t sig[2] = { g_out.signo, g_out.code };
        write_exact(out, &status, 4);
        write_exact(out, sig, 8);
        write_exact(out, &g_out.addr, 8);
        write_exact(out, &g_out.trapno, 8);
        write_exact(out, &g_out.err, 8);
        write_exact(out, g_out.r, sizeof g_out.r);
        write_exact(out, &g_out.rip, 8);
        write_exact(out, &g_out.rflags, 8);
        /* The changed bytes of the data region, as runs. */
        uint32_t runs = 0;
        for (size_t i = 0; i < DATA_SIZE;) {
            if (data[i] == g_initial[i]) { i++; continue; }
            size_t j = i;
            while (j < DATA_SIZE && data[j] != g_initial[j]) j++;
            runs++;
            i = j;
        }
        write_exact(out, &runs, 4);
        for (size_t i = 0; i < DATA_SIZE;) {
            if (data[i] == g_initial[i]) { i++; continue; }
            size_t j = i;
            while (j < DATA_SIZE && data[j] != g_initial[j]) j++;
            uint32_t run[2] = { (uint32_t)i, (uint32_t)(j - i) };
            write_exact(out, run, 8);
            write_exact(out, data + i, j - i);
            i = j;
        }
    }
    fclose(out);
    return 0;
}
