namespace Emu.Host.Qmp;

/// <summary>Names of PCI class codes (base class and sub-class, as the PCI Code and ID Assignment specification lists them).</summary>
internal static class PciClassNames
{
    private static readonly Dictionary<int, string> s_subclasses = new()
    {
        [0x0100] = "SCSI controller",
        [0x0101] = "IDE controller",
        [0x0105] = "ATA controller",
        [0x0106] = "SATA controller",
        [0x0107] = "SAS controller",
        [0x0108] = "NVMe controller",
        [0x0180] = "Storage controller",
        [0x0200] = "Ethernet controller",
        [0x0280] = "Network controller",
        [0x0300] = "VGA controller",
        [0x0380] = "Display controller",
        [0x0403] = "Audio controller",
        [0x0500] = "RAM controller",
        [0x0600] = "Host bridge",
        [0x0601] = "ISA bridge",
        [0x0604] = "PCI bridge",
        [0x0680] = "Bridge",
        [0x0700] = "Serial controller",
        [0x0780] = "Communication controller",
        [0x0880] = "System peripheral",
        [0x0C03] = "USB controller",
        [0x0C05] = "SMBus",
        [0x00FF] = "Unclassified device",
    };

    private static readonly Dictionary<int, string> s_classes = new()
    {
        [0x01] = "Mass storage controller",
        [0x02] = "Network controller",
        [0x03] = "Display controller",
        [0x04] = "Multimedia controller",
        [0x05] = "Memory controller",
        [0x06] = "Bridge",
        [0x07] = "Communication controller",
        [0x08] = "Generic system peripheral",
        [0x09] = "Input device controller",
        [0x0C] = "Serial bus controller",
        [0x0D] = "Wireless controller",
        [0x12] = "Processing accelerator",
    };

    /// <summary>The name of a 16-bit class (base class &lt;&lt; 8 | sub-class), or null when unknown.</summary>
    public static string? Describe(int classAndSubclass) =>
        s_subclasses.GetValueOrDefault(classAndSubclass) ?? s_classes.GetValueOrDefault(classAndSubclass >> 8);
}
