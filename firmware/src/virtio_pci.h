#ifndef EMU_FW_VIRTIO_PCI_H
#define EMU_FW_VIRTIO_PCI_H

#include "types.h"

/*
 * A modern virtio PCI function (virtio 1.2 section 4.1), found on bus 0 and
 * set up the way firmware does it: BARs given addresses if nobody did
 * (QEMU without SeaBIOS leaves them 0), memory decoding and bus mastering
 * on, the virtio capabilities located.
 */
struct virtio_pci {
    u8  dev, fn;
    u16 device_id;
    volatile u8 *common;                /* struct virtio_pci_common_cfg */
    volatile u8 *isr;
    volatile u8 *device;                /* device-specific configuration */
    volatile u8 *notify_base;
    u32 notify_multiplier;
    u8  msix_cap;                       /* config offset of MSI-X, 0 if none */
};

/* Finds the first function with vendor 0x1AF4 and one of the device IDs
 * (modern 0x1040 + type, or transitional); false if there is none. */
bool virtio_pci_find(u16 modern_id, u16 transitional_id, struct virtio_pci *out);

/* struct virtio_pci_common_cfg offsets (4.1.4.3) */
#define VIRTIO_COMMON_DFSELECT      0x00
#define VIRTIO_COMMON_DF            0x04
#define VIRTIO_COMMON_GFSELECT      0x08
#define VIRTIO_COMMON_GF            0x0C
#define VIRTIO_COMMON_MSIX          0x10
#define VIRTIO_COMMON_NUMQ          0x12
#define VIRTIO_COMMON_STATUS        0x14
#define VIRTIO_COMMON_CFGGENERATION 0x15
#define VIRTIO_COMMON_Q_SELECT      0x16
#define VIRTIO_COMMON_Q_SIZE        0x18
#define VIRTIO_COMMON_Q_MSIX        0x1A
#define VIRTIO_COMMON_Q_ENABLE      0x1C
#define VIRTIO_COMMON_Q_NOFF        0x1E
#define VIRTIO_COMMON_Q_DESCLO      0x20
#define VIRTIO_COMMON_Q_DESCHI      0x24
#define VIRTIO_COMMON_Q_AVAILLO     0x28
#define VIRTIO_COMMON_Q_AVAILHI     0x2C
#define VIRTIO_COMMON_Q_USEDLO      0x30
#define VIRTIO_COMMON_Q_USEDHI      0x34

#define VIRTIO_STATUS_ACKNOWLEDGE   1
#define VIRTIO_STATUS_DRIVER        2
#define VIRTIO_STATUS_DRIVER_OK     4
#define VIRTIO_STATUS_FEATURES_OK   8
#define VIRTIO_STATUS_NEEDS_RESET   64
#define VIRTIO_STATUS_FAILED        128

#define VIRTIO_NO_VECTOR            0xFFFF

static inline u8  mmio_read8(volatile u8 *p, u32 off)          { return *(volatile u8 *)(p + off); }
static inline u16 mmio_read16(volatile u8 *p, u32 off)         { return *(volatile u16 *)(p + off); }
static inline u32 mmio_read32(volatile u8 *p, u32 off)         { return *(volatile u32 *)(p + off); }
static inline void mmio_write8(volatile u8 *p, u32 off, u8 v)   { *(volatile u8 *)(p + off) = v; }
static inline void mmio_write16(volatile u8 *p, u32 off, u16 v) { *(volatile u16 *)(p + off) = v; }
static inline void mmio_write32(volatile u8 *p, u32 off, u32 v) { *(volatile u32 *)(p + off) = v; }

#endif
