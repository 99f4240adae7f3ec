/*
 * PCI configuration mechanism #1: write the address of a configuration
 * dword to CONFIG_ADDRESS (0xCF8) as
 *   bit 31 enable | bus << 16 | device << 11 | function << 8 | register & 0xFC
 * then access that dword through CONFIG_DATA (0xCFC..0xCFF); a byte at
 * register offset r sits at port 0xCFC + (r & 3).
 */
#include "pci.h"
#include "io.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA    0xCFC
#define PCI_CONFIG_ENABLE  0x80000000u

static void pci_select(u8 bus, u8 dev, u8 fn, u8 reg)
{
    outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (u32)bus << 16 |
         (u32)(dev & 0x1F) << 11 | (u32)(fn & 7) << 8 | (reg & 0xFC));
}

u32 pci_config_read32(u8 bus, u8 dev, u8 fn, u8 reg)
{
    pci_select(bus, dev, fn, reg);
    return inl(PCI_CONFIG_DATA);
}

void pci_config_write32(u8 bus, u8 dev, u8 fn, u8 reg, u32 v)
{
    pci_select(bus, dev, fn, reg);
    outl(PCI_CONFIG_DATA, v);
}

void pci_config_write8(u8 bus, u8 dev, u8 fn, u8 reg, u8 v)
{
    pci_select(bus, dev, fn, reg);
    outb(PCI_CONFIG_DATA + (reg & 3), v);
}

u32 pci_config_address_roundtrip(u32 v)
{
    outl(PCI_CONFIG_ADDRESS, v);
    u32 echo = inl(PCI_CONFIG_ADDRESS);
    outl(PCI_CONFIG_ADDRESS, 0);
    return echo;
}
