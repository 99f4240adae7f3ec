/*
 * virtio-blk runs of the firmware.
 *
 * blk-test writes a known pattern to sectors 8-23 (8 KiB), flushes, reads it
 * back and compares; reads sector 0 and prints its first 16 bytes (so a
 * runner can check what the host put there); asks for the disk id; and
 * checks that a read past the end and a write to a read-only disk fail with
 * VIRTIO_BLK_S_IOERR. Pattern of sector s, byte i: the 16 bytes
 * "EMU-BLK-SECTOR" + s (2 decimal digits), then (s * 31 + i) & 0xFF.
 *
 * blk-iops reads 4 KiB blocks at random 4 KiB-aligned offsets, keeping QD
 * requests in flight, and prints the rate measured with the TSC.
 *
 * blk-churn does the same against a device that the host hot-plugs and
 * unplugs under it: it looks for a virtio-blk function, drives it until
 * its status reads as gone (all ones) or reset, or nothing completes for
 * 200 ms, prints one line for that session and looks again.
 */
#include "blk_modes.h"
#include "clock.h"
#include "libc.h"
#include "print.h"
#include "virtio_blk.h"

#define WRITE_BUF   ((u8 *)(usize)0x500000)
#define READ_BUF    ((u8 *)(usize)0x510000)
#define TEST_SECTOR 8
#define TEST_SECTORS 16

static void fill_pattern(u8 *buf)
{
    for (unsigned s = 0; s < TEST_SECTORS; s++) {
        u8 *p = buf + s * BLK_SECTOR;
        unsigned sector = TEST_SECTOR + s;
        for (unsigned i = 0; i < BLK_SECTOR; i++)
            p[i] = (u8)((sector * 31 + i) & 0xFF);
        memcpy(p, "EMU-BLK-SECTOR", 14);
        p[14] = (u8)('0' + sector / 10);
        p[15] = (u8)('0' + sector % 10);
    }
}

static bool check(const char *name, bool ok, const char *detail)
{
    put_str("test ");
    put_str(name);
    put_str(ok ? ": ok\n" : ": FAIL (");
    if (!ok) {
        put_str(detail);
        put_str(")\n");
    }
    return ok;
}

bool blk_selftest(void)
{
    struct virtio_blk b;
    bool init = blk_init(&b);
    if (!check("virtio-blk-init", init, "no usable virtio-blk device"))
        return false;
    put_str("virtio-blk: 00:");
    put_hex(b.pci.dev, 2);
    put_char('.');
    put_dec(b.pci.fn);
    put_str(" device 0x");
    put_hex(b.pci.device_id, 4);
    put_str(" capacity ");
    put_dec(b.capacity);
    put_str(" sectors, queue ");
    put_dec(b.qsize);
    put_str((b.features & BLK_F_RO) ? ", read-only\n" : "\n");
    bool pass = true;

    u8 *id = READ_BUF;
    memset(id, 0, 32);
    u8 st = blk_request(&b, BLK_T_GET_ID, 0, id, 20);
    id[20] = 0;
    pass &= check("virtio-blk-get-id", st == BLK_S_OK, "status not OK");
    put_str("virtio-blk: id '");
    put_escaped((const char *)id);
    put_str("'\n");

    memset(READ_BUF, 0, 16);
    st = blk_request(&b, BLK_T_IN, 0, READ_BUF, 4096);
    pass &= check("virtio-blk-read", st == BLK_S_OK, "status not OK");
    char first[17];
    for (int i = 0; i < 16; i++)
        first[i] = (READ_BUF[i] >= 0x20 && READ_BUF[i] < 0x7F) ? (char)READ_BUF[i] : '.';
    first[16] = 0;
    put_str("virtio-blk: sector 0 starts '");
    put_str(first);
    put_str("'\n");

    fill_pattern(WRITE_BUF);
    st = blk_request(&b, BLK_T_OUT, TEST_SECTOR, WRITE_BUF, TEST_SECTORS * BLK_SECTOR);
    if (b.features & BLK_F_RO) {
        pass &= check("virtio-blk-readonly", st == BLK_S_IOERR, "write to a read-only disk did not fail");
    } else {
        pass &= check("virtio-blk-write", st == BLK_S_OK, "status not OK");
        st = blk_request(&b, BLK_T_FLUSH, 0, NULL, 0);
        pass &= check("virtio-blk-flush", st == BLK_S_OK, "status not OK");
        memset(READ_BUF, 0, TEST_SECTORS * BLK_SECTOR);
        st = blk_request(&b, BLK_T_IN, TEST_SECTOR, READ_BUF, TEST_SECTORS * BLK_SECTOR);
        pass &= check("virtio-blk-readback", st == BLK_S_OK && memcmp(READ_BUF, WRITE_BUF, TEST_SECTORS * BLK_SECTOR) == 0,
                      "data read back differs");
    }
    st = blk_request(&b, BLK_T_IN, b.capacity, READ_BUF, 4096);
    pass &= check("virtio-blk-out-of-range", st == BLK_S_IOERR, "read past the end did not fail");
    return pass;
}

static u64 rng_state = 0x9E3779B97F4A7C15ull;

static u64 next_random(void)
{
    /* xorshift64 */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

bool blk_iops(u32 depth, u32 count)
{
    struct virtio_blk b;
    if (!blk_init(&b))
        return false;
    u64 blocks = b.capacity / 8;
    if (depth == 0 || depth > BLK_MAX_SLOTS || 3 * depth > b.qsize || blocks == 0 || count == 0) {
        put_str("virtio-blk: bad depth or empty disk\n");
        return false;
    }
    u64 hz = clock_calibrate_tsc();
    if (!hz) {
        put_str("virtio-blk: the PM timer does not run\n");
        return false;
    }
    u64 t0 = rdtsc();
    u32 submitted = 0, completed = 0, errors = 0;
    for (; submitted < depth && submitted < count; submitted++)
        blk_submit(&b, submitted, BLK_T_IN, (next_random() % blocks) * 8, NULL, 4096);
    while (completed < count) {
        u8 status;
        u32 written;
        unsigned slot = blk_complete(&b, &status, &written);
        completed++;
        if (status != BLK_S_OK)
            errors++;
        if (submitted < count) {
            blk_submit(&b, slot, BLK_T_IN, (next_random() % blocks) * 8, NULL, 4096);
            submitted++;
        }
    }
    u64 cycles = rdtsc() - t0;
    u64 us = cycles * 1000000 / hz;
    put_str("blk-iops qd=");
    put_dec(depth);
    put_str(" n=");
    put_dec(count);
    put_str(" us=");
    put_dec(us);
    put_str(" iops=");
    put_dec(cycles ? (u64)count * hz / cycles : 0);
    put_str(" notifications=");
    put_dec(b.notifications);
    put_str(" errors=");
    put_dec(errors);
    put_char('\n');
    return errors == 0;
}

#define CHURN_TIMEOUT_MS 200

bool blk_churn(u32 depth, u32 count)
{
    u64 hz = clock_calibrate_tsc();
    if (!hz) {
        put_str("virtio-blk: the PM timer does not run\n");
        return false;
    }
    put_str("blk-churn: looking for a virtio-blk device\n");
    blk_set_quiet(true);
    u64 timeout = hz / 1000 * CHURN_TIMEOUT_MS;
    u32 done = 0, sessions = 0, errors = 0, lost = 0;
    struct virtio_blk b;
    while (done < count) {
        if (!blk_init(&b))
            continue;                       /* nothing there (yet): scan again */
        sessions++;
        u64 blocks = b.capacity / 8;
        u32 qd = depth;
        if (qd > BLK_MAX_SLOTS)
            qd = BLK_MAX_SLOTS;
        if (3 * qd > b.qsize)
            qd = b.qsize / 3;
        if (qd == 0 || blocks == 0)
            continue;
        u32 inflight = 0, served = 0;
        for (; inflight < qd && done + inflight < count; inflight++)
            blk_submit(&b, inflight, BLK_T_IN, (next_random() % blocks) * 8, NULL, 4096);
        while (inflight > 0) {
            u8 status;
            u32 written;
            int slot = blk_complete_before(&b, &status, &written, rdtsc() + timeout);
            if (slot < 0)
                break;                      /* the device went away (or was reset) under us */
            inflight--;
            done++;
            served++;
            if (status != BLK_S_OK)
                errors++;
            if (done + inflight < count) {
                blk_submit(&b, (unsigned)slot, BLK_T_IN, (next_random() % blocks) * 8, NULL, 4096);
                inflight++;
            }
        }
        lost += inflight;
        put_str("blk-churn: session ");
        put_dec(sessions);
        put_str(" served ");
        put_dec(served);
        put_str(" lost ");
        put_dec(inflight);
        put_char('\n');
    }
    put_str("blk-churn qd=");
    put_dec(depth);
    put_str(" n=");
    put_dec(count);
    put_str(" sessions=");
    put_dec(sessions);
    put_str(" lost=");
    put_dec(lost);
    put_str(" errors=");
    put_dec(errors);
    put_char('\n');
    return errors == 0;
}
