/*
 * Finding and enabling a modern virtio PCI function (virtio 1.2 4.1.4).
 *
 * The structures are located by vendor-specific capabilities (ID 0x09):
 *   +2 cap_len, +3 cfg_type, +4 bar, +8 offset, +12 length,
 *   +16 notify_off_multiplier (notify capability only).
 * On Emu the VMM has placed every BAR; on QEMU started with this ROM as its
 * BIOS nothing has, so a BAR that reads 0 gets an address here, from a bump
 * allocator in the 32-bit PCI hole. A 64-bit BAR's upper half is set to 0:
 * the page tables map only the first 4 GiB.
 */
#include "virtio_pci.h"
#include "pci.h"

#define VIRTIO_VENDOR       0x1AF4
#define PCI_COMMAND         0x04
#define PCI_CMD_MEMORY      (1 << 1)
#define PCI_CMD_BUS_MASTER  (1 << 2)
#define PCI_STATUS_CAPS     (1 << 20)       /* in the dword at 0x04 */
#define PCI_HEADER_TYPE     0x0C            /* byte 2 of the dword */
#define PCI_BAR0            0x10
#define PCI_CAP_PTR         0x34
#define CAP_VENDOR          0x09
#define CAP_MSIX            0x11

#define VIRTIO_CAP_COMMON   1
#define VIRTIO_CAP_NOTIFY   2
#define VIRTIO_CAP_ISR      3
#define VIRTIO_CAP_DEVICE   4

/* Where BARs nobody placed go: inside the 32-bit hole of both machines. */
#define BAR_ALLOC_BASE      0xE0000000u
static u32 bar_next = BAR_ALLOC_BASE;

static u8 cfg_read8(u8 dev, u8 fn, u8 reg)
{
    return (u8)(pci_config_read32(0, dev, fn, reg & 0xFC) >> (8 * (reg & 3)));
}

/* Returns the memory address of a BAR, placing it first if it reads 0. */
static u64 bar_address(u8 dev, u8 fn, u8 bar)
{
    u8 reg = (u8)(PCI_BAR0 + 4 * bar);
    u32 lo = pci_config_read32(0, dev, fn, reg);
    if (lo & 1)
        return 0;                                   /* I/O BAR: not used here */
    bool is64 = ((lo >> 1) & 3) == 2;
    u64 addr = lo & ~0xFu;
    if (is64)
        addr |= (u64)pci_config_read32(0, dev, fn, (u8)(reg + 4)) << 32;
    if (addr)
        return addr;
    /* Size it: write all ones, read back the mask, then place it aligned. */
    pci_config_write32(0, dev, fn, reg, 0xFFFFFFFFu);
    u32 mask = pci_config_read32(0, dev, fn, reg) & ~0xFu;
    u32 size = ~mask + 1;
    if (!size)
        return 0;
    u32 base = (bar_next + size - 1) & ~(size - 1);
    bar_next = base + size;
    pci_config_write32(0, dev, fn, reg, base);
    if (is64)
        pci_config_write32(0, dev, fn, (u8)(reg + 4), 0);
    return base;
}

static bool probe(u8 dev, u8 fn, struct virtio_pci *out)
{
    u32 cmd = pci_config_read32(0, dev, fn, PCI_COMMAND);
    if (!(cmd & PCI_STATUS_CAPS))
        return false;
    out->dev = dev;
    out->fn = fn;
    out->common = out->isr = out->device = out->notify_base = NULL;
    out->msix_cap = 0;
    u8 ptr = cfg_read8(dev, fn, PCI_CAP_PTR) & 0xFC;
    for (int guard = 0; ptr && guard < 48; guard++) {
        u8 id = cfg_read8(dev, fn, ptr);
        if (id == CAP_MSIX)
            out->msix_cap = ptr;
        if (id == CAP_VENDOR) {
            u8 type = cfg_read8(dev, fn, (u8)(ptr + 3));
            u8 bar = cfg_read8(dev, fn, (u8)(ptr + 4));
            u32 offset = pci_config_read32(0, dev, fn, (u8)(ptr + 8));
            if (bar < 6 && type >= VIRTIO_CAP_COMMON && type <= VIRTIO_CAP_DEVICE) {
                volatile u8 *p = (volatile u8 *)(usize)(bar_address(dev, fn, bar) + offset);
                switch (type) {
                case VIRTIO_CAP_COMMON: out->common = p; break;
                case VIRTIO_CAP_ISR:    out->isr = p; break;
                case VIRTIO_CAP_DEVICE: out->device = p; break;
                case VIRTIO_CAP_NOTIFY:
                    out->notify_base = p;
                    out->notify_multiplier = pci_config_read32(0, dev, fn, (u8)(ptr + 16));
                    break;
                }
            }
        }
        ptr = cfg_read8(dev, fn, (u8)(ptr + 1)) & 0xFC;
    }
    if (!out->common || !out->notify_base || !out->device)
        return false;
    pci_config_write32(0, dev, fn, PCI_COMMAND, (cmd & 0xFFFF) | PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER);
    return true;
}

bool virtio_pci_find(u16 modern_id, u16 transitional_id, struct virtio_pci *out)
{
    for (u8 dev = 0; dev < 32; dev++) {
        u8 fns = (cfg_read8(dev, 0, PCI_HEADER_TYPE + 2) & 0x80) ? 8 : 1;
        for (u8 fn = 0; fn < fns; fn++) {
            u32 id = pci_config_read32(0, dev, fn, PCI_VENDOR_DEVICE);
            if ((id & 0xFFFF) != VIRTIO_VENDOR)
                continue;
            u16 device = (u16)(id >> 16);
            if (device != modern_id && device != transitional_id)
                continue;
            out->device_id = device;
            if (probe(dev, fn, out))
                return true;
        }
    }
    return false;
}
