using System.Globalization;

namespace Emu.Core.Pci;

/// <summary>A PCI function's address: domain, bus, device (slot) and function.</summary>
public readonly record struct PciAddress(int Domain, int Bus, int Device, int Function)
{
    /// <summary>Device and function packed as in config cycles: device &lt;&lt; 3 | function.</summary>
    public int DevFn => (Device << 3) | Function;

    public static PciAddress FromDevFn(int bus, int devfn) => new(0, bus, devfn >> 3, devfn & 7);

    /// <summary>Parses "DDDD:BB:DD.F", "BB:DD.F" or "DD.F" / "DD" (hex), as QEMU's host= and addr= do.</summary>
    public static bool TryParse(string text, out PciAddress address)
    {
        address = default;
        string[] parts = text.Split(':');
        string slotFn = parts[^1];
        int domain = 0, bus = 0;
        if (parts.Length > 3)
            return false;
        if (parts.Length == 3 && !TryHex(parts[0], 0xFFFF, out domain))
            return false;
        if (parts.Length >= 2 && !TryHex(parts[^2], 0xFF, out bus))
            return false;
        string[] df = slotFn.Split('.');
        if (df.Length > 2 || !TryHex(df[0], 0x1F, out int device))
            return false;
        int function = 0;
        if (df.Length == 2 && !TryHex(df[1], 7, out function))
            return false;
        if (df.Length == 1 && parts.Length > 1)
            return false; // a host address needs the function
        address = new PciAddress(domain, bus, device, function);
        return true;
    }

    private static bool TryHex(string s, int max, out int value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 4 || !int.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value))
            return false;
        return value <= max;
    }

    public override string ToString() => $"{Domain:x4}:{Bus:x2}:{Device:x2}.{Function:x}";
}
