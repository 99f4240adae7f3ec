/*
 * Polling virtio-blk driver; see virtio_blk.h. Split-queue layout (2.7):
 *   descriptor table  16 bytes x qsize
 *   available ring    flags, idx, ring[qsize], used_event
 *   used ring         flags, idx, ring[qsize] of {id, len}, avail_event
 * All in low RAM, identity-mapped, so guest-physical = virtual.
 */
#include "virtio_blk.h"
#include "clock.h"
#include "libc.h"
#include "pci.h"
#include "print.h"

#define QUEUE_BASE      0x300000u       /* descriptor table */
#define AVAIL_BASE      0x301000u
#define USED_BASE       0x302000u
#define HEADERS_BASE    0x303000u       /* 32 bytes per slot: header, then status */
#define BUFFERS_BASE    0x400000u       /* 4 KiB per slot */
#define MAX_QSIZE       256

#define DESC_F_NEXT     1
#define DESC_F_WRITE    2

struct vq_desc { u64 addr; u32 len; u16 flags; u16 next; };
struct blk_header { u32 type; u32 reserved; u64 sector; };

#define desc            ((volatile struct vq_desc *)(usize)QUEUE_BASE)
#define avail_flags     (*(volatile u16 *)(usize)AVAIL_BASE)
#define avail_idx_p     (*(volatile u16 *)(usize)(AVAIL_BASE + 2))
#define avail_ring      ((volatile u16 *)(usize)(AVAIL_BASE + 4))
#define used_idx_p      (*(volatile u16 *)(usize)(USED_BASE + 2))
#define used_ring       ((volatile u32 *)(usize)(USED_BASE + 4))

static volatile u16 *used_event_p(struct virtio_blk *b)  { return &avail_ring[b->qsize]; }
static volatile u16 *avail_event_p(struct virtio_blk *b) { return (volatile u16 *)&used_ring[2 * b->qsize]; }

static inline void barrier(void)    { __asm__ volatile("" ::: "memory"); }
static inline void full_fence(void) { __asm__ volatile("mfence" ::: "memory"); }

void *blk_slot_buffer(unsigned slot) { return (void *)(usize)(BUFFERS_BASE + 4096u * slot); }

static volatile struct blk_header *slot_header(unsigned slot) { return (volatile struct blk_header *)(usize)(HEADERS_BASE + 32u * slot); }
static volatile u8 *slot_status(unsigned slot)                { return (volatile u8 *)(usize)(HEADERS_BASE + 32u * slot + 16); }

static void set_status(struct virtio_blk *b, u8 bits)
{
    u8 s = mmio_read8(b->pci.common, VIRTIO_COMMON_STATUS);
    mmio_write8(b->pci.common, VIRTIO_COMMON_STATUS, (u8)(s | bits));
}

static bool quiet;

void blk_set_quiet(bool on) { quiet = on; }

static bool fail(const char *why)
{
    if (quiet)
        return false;
    put_str("virtio-blk: ");
    put_str(why);
    put_char('\n');
    return false;
}

bool blk_init(struct virtio_blk *b)
{
    memset(b, 0, sizeof *b);
    if (!virtio_pci_find(0x1042, 0x1001, &b->pci))
        return fail("no device");
    volatile u8 *c = b->pci.common;

    /* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK. */
    mmio_write8(c, VIRTIO_COMMON_STATUS, 0);
    for (int i = 0; i < 1000 && mmio_read8(c, VIRTIO_COMMON_STATUS); i++)
        ;
    set_status(b, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(b, VIRTIO_STATUS_DRIVER);
    mmio_write32(c, VIRTIO_COMMON_DFSELECT, 0);
    u64 offered = mmio_read32(c, VIRTIO_COMMON_DF);
    mmio_write32(c, VIRTIO_COMMON_DFSELECT, 1);
    offered |= (u64)mmio_read32(c, VIRTIO_COMMON_DF) << 32;
    if (!(offered & VIRTIO_F_VERSION_1))
        return fail("VIRTIO_F_VERSION_1 not offered");
    b->features = offered & (VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | BLK_F_RO);
    mmio_write32(c, VIRTIO_COMMON_GFSELECT, 0);
    mmio_write32(c, VIRTIO_COMMON_GF, (u32)b->features);
    mmio_write32(c, VIRTIO_COMMON_GFSELECT, 1);
    mmio_write32(c, VIRTIO_COMMON_GF, (u32)(b->features >> 32));
    set_status(b, VIRTIO_STATUS_FEATURES_OK);
    if (!(mmio_read8(c, VIRTIO_COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        return fail("features refused");

    mmio_write16(c, VIRTIO_COMMON_Q_SELECT, 0);
    u16 max = mmio_read16(c, VIRTIO_COMMON_Q_SIZE);
    if (max == 0)
        return fail("queue 0 missing");
    b->qsize = max < MAX_QSIZE ? max : MAX_QSIZE;
    memset((void *)(usize)QUEUE_BASE, 0, 0x4000);
    mmio_write16(c, VIRTIO_COMMON_Q_SIZE, b->qsize);
    mmio_write32(c, VIRTIO_COMMON_Q_DESCLO, QUEUE_BASE);
    mmio_write32(c, VIRTIO_COMMON_Q_DESCHI, 0);
    mmio_write32(c, VIRTIO_COMMON_Q_AVAILLO, AVAIL_BASE);
    mmio_write32(c, VIRTIO_COMMON_Q_AVAILHI, 0);
    mmio_write32(c, VIRTIO_COMMON_Q_USEDLO, USED_BASE);
    mmio_write32(c, VIRTIO_COMMON_Q_USEDHI, 0);
    /* No interrupts: no vectors, and MSI-X on so INTx stays quiet too. */
    mmio_write16(c, VIRTIO_COMMON_Q_MSIX, VIRTIO_NO_VECTOR);
    mmio_write16(c, VIRTIO_COMMON_MSIX, VIRTIO_NO_VECTOR);
    if (b->pci.msix_cap) {
        u32 ctl = pci_config_read32(0, b->pci.dev, b->pci.fn, b->pci.msix_cap);
        pci_config_write32(0, b->pci.dev, b->pci.fn, b->pci.msix_cap, ctl | (1u << 31));
    }
    u16 noff = mmio_read16(c, VIRTIO_COMMON_Q_NOFF);
    b->notify = (volatile u16 *)(b->pci.notify_base + (u32)noff * b->pci.notify_multiplier);
    mmio_write16(c, VIRTIO_COMMON_Q_ENABLE, 1);

    /* Three descriptors per slot, chained once and for all. */
    for (unsigned s = 0; s < BLK_MAX_SLOTS && 3 * s + 2 < b->qsize; s++) {
        desc[3 * s].addr = HEADERS_BASE + 32u * s;
        desc[3 * s].len = 16;
        desc[3 * s].flags = DESC_F_NEXT;
        desc[3 * s].next = (u16)(3 * s + 1);
        desc[3 * s + 1].next = (u16)(3 * s + 2);
        desc[3 * s + 2].addr = HEADERS_BASE + 32u * s + 16;
        desc[3 * s + 2].len = 1;
        desc[3 * s + 2].flags = DESC_F_WRITE;
    }
    avail_flags = (b->features & VIRTIO_F_EVENT_IDX) ? 0 : 1;   /* VIRTQ_AVAIL_F_NO_INTERRUPT */
    *used_event_p(b) = 0xFFFF;
    set_status(b, VIRTIO_STATUS_DRIVER_OK);
    if (mmio_read8(c, VIRTIO_COMMON_STATUS) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
        return fail("device failed to start");

    b->capacity = (u64)mmio_read32(b->pci.device, 0) | (u64)mmio_read32(b->pci.device, 4) << 32;
    return true;
}

void blk_submit(struct virtio_blk *b, unsigned slot, u32 type, u64 sector, void *buf, u32 len)
{
    volatile struct blk_header *h = slot_header(slot);
    h->type = type;
    h->reserved = 0;
    h->sector = sector;
    *slot_status(slot) = 0xFF;
    unsigned d = 3 * slot;
    if (len) {
        desc[d].flags = DESC_F_NEXT;
        desc[d].next = (u16)(d + 1);
        desc[d + 1].addr = (u64)(usize)(buf ? buf : blk_slot_buffer(slot));
        desc[d + 1].len = len;
        desc[d + 1].flags = (u16)(DESC_F_NEXT | (type == BLK_T_OUT ? 0 : DESC_F_WRITE));
    } else {
        desc[d].flags = DESC_F_NEXT;
        desc[d].next = (u16)(d + 2);          /* flush: header and status only */
    }
    u16 old = b->avail_idx;
    avail_ring[old & (b->qsize - 1)] = (u16)d;
    barrier();                                  /* x86 keeps stores in order */
    avail_idx_p = (u16)(old + 1);
    b->avail_idx = (u16)(old + 1);
    bool kick;
    if (b->features & VIRTIO_F_EVENT_IDX) {
        full_fence();                           /* avail idx visible before avail_event is read */
        u16 event = *avail_event_p(b);
        kick = (u16)(b->avail_idx - event - 1) < (u16)(b->avail_idx - old);
    } else {
        full_fence();
        kick = !(*(volatile u16 *)(usize)USED_BASE & 1);  /* VIRTQ_USED_F_NO_NOTIFY */
    }
    if (kick) {
        *b->notify = 0;                         /* queue index, 16 bits (4.1.5.2) */
        b->notifications++;
    }
}

unsigned blk_complete(struct virtio_blk *b, u8 *status, u32 *written)
{
    while (used_idx_p == b->used_idx)
        __asm__ volatile("pause");
    barrier();
    u16 i = b->used_idx & (b->qsize - 1);
    u32 id = used_ring[2 * i];
    *written = used_ring[2 * i + 1];
    b->used_idx++;
    /* Keep used_event behind: the device never needs to interrupt us. */
    *used_event_p(b) = (u16)(b->used_idx - 1);
    unsigned slot = id / 3;
    *status = *slot_status(slot);
    return slot;
}

int blk_complete_before(struct virtio_blk *b, u8 *status, u32 *written, u64 deadline)
{
    for (u32 spins = 0; used_idx_p == b->used_idx; spins++) {
        if (rdtsc() > deadline)
            return -1;
        /* Now and then: a device that was unplugged reads all ones, one
         * that was reset reads 0; either way nothing more will complete. */
        if ((spins & 0xFFF) == 0xFFF) {
            u8 s = mmio_read8(b->pci.common, VIRTIO_COMMON_STATUS);
            if (s == 0xFF || !(s & VIRTIO_STATUS_DRIVER_OK))
                return -1;
        }
        __asm__ volatile("pause");
    }
    return (int)blk_complete(b, status, written);
}

u8 blk_request(struct virtio_blk *b, u32 type, u64 sector, void *buf, u32 len)
{
    u8 status;
    u32 written;
    blk_submit(b, 0, type, sector, buf, len);
    blk_complete(b, &status, &written);
    return status;
}
