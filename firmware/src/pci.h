#ifndef EMU_FW_PCI_H
#define EMU_FW_PCI_H

#include "types.h"

/* PCI configuration space through configuration mechanism #1 (0xCF8/0xCFC). */
u32  pci_config_read32(u8 bus, u8 dev, u8 fn, u8 reg);
void pci_config_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v);
void pci_config_write8(u8 bus, u8 dev, u8 fn, u8 reg, u8 v);

/* Writes CONFIG_ADDRESS, reads it back (returns what it read), then clears it. */
u32  pci_config_address_roundtrip(u32 v);

#define PCI_VENDOR_DEVICE 0x00          /* vendor ID [15:0], device ID [31:16] */

#endif
