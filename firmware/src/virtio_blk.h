#ifndef EMU_FW_VIRTIO_BLK_H
#define EMU_FW_VIRTIO_BLK_H

#include "types.h"
#include "virtio_pci.h"

/*
 * A polling virtio-blk driver at CPL3 (virtio 1.2 section 5.2): one split
 * queue, no interrupts (MSI-X enabled with every vector NO_VECTOR, and with
 * VIRTIO_F_EVENT_IDX used_event kept behind the used index), requests in
 * fixed slots of three descriptors (header, data, status). The driver
 * notifies the device only when avail_event says it is waiting.
 */

#define BLK_SECTOR          512
#define BLK_MAX_SLOTS       64
#define BLK_T_IN            0
#define BLK_T_OUT           1
#define BLK_T_FLUSH         4
#define BLK_T_GET_ID        8
#define BLK_S_OK            0
#define BLK_S_IOERR         1
#define BLK_S_UNSUPP        2
#define BLK_F_RO            (1ull << 5)
#define VIRTIO_F_EVENT_IDX  (1ull << 29)
#define VIRTIO_F_VERSION_1  (1ull << 32)

struct virtio_blk {
    struct virtio_pci pci;
    u64 capacity;               /* sectors */
    u64 features;               /* negotiated */
    u16 qsize;
    u16 avail_idx;              /* next avail index the driver writes */
    u16 used_idx;               /* next used index the driver reads */
    volatile u16 *notify;
    u32 notifications;          /* how many times the device was notified */
};

/* Finds and initializes the first virtio-blk function; false (with a
 * reason printed) if there is none or it refuses to start. */
bool blk_init(struct virtio_blk *b);

/* Buffer of request slot i (4 KiB, page aligned). */
void *blk_slot_buffer(unsigned slot);

/* Queues request `slot` (type, sector, len bytes of its buffer, or `buf` if
 * not NULL); notifies the device if it asks for it. */
void blk_submit(struct virtio_blk *b, unsigned slot, u32 type, u64 sector, void *buf, u32 len);

/* Waits for the next completion; returns its slot and stores its status. */
unsigned blk_complete(struct virtio_blk *b, u8 *status, u32 *written);

/* Like blk_complete, but gives up at TSC `deadline`, or as soon as the
 * device reads as gone or reset: the slot, or -1. */
int blk_complete_before(struct virtio_blk *b, u8 *status, u32 *written, u64 deadline);

/* Keeps blk_init from printing why it found no usable device (a mode that
 * looks for one again and again). */
void blk_set_quiet(bool on);

/* One request, synchronously: returns its status byte. */
u8 blk_request(struct virtio_blk *b, u32 type, u64 sector, void *buf, u32 len);

#endif
