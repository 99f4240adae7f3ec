using Emu.Core.Interrupts;

namespace Emu.Devices.Irq;

/// <summary>
/// Decodes an x86 MSI (Intel SDM vol. 3A, 11.11): the address is
/// 0xFEExxxxx with the destination ID in bits 19:12, the redirection hint in
/// bit 3 and the destination mode (1 = logical) in bit 2; the data holds the
/// vector in bits 7:0, the delivery mode in bits 10:8, the level (1 =
/// assert) in bit 14 and the trigger mode (1 = level) in bit 15.
/// </summary>
public static class MsiDecoder
{
    /// <summary>
    /// False for a write the local APICs do not take: an address outside the
    /// 0xFEExxxxx window (or above 4 GiB: no interrupt remapping here), a
    /// reserved delivery mode (3, or 6, Startup, which only an ICR sends).
    /// </summary>
    public static bool TryDecode(MsiMessage msi, out ApicMessage message)
    {
        message = default;
        if (!msi.IsX86Valid)
            return false;
        var mode = (ApicDeliveryMode)((msi.Data >> 8) & 7);
        if (mode is ApicDeliveryMode.Reserved3 or ApicDeliveryMode.Startup)
            return false;
        uint address = (uint)msi.Address;
        message = new ApicMessage(
            mode,
            (byte)msi.Data,
            (address >> 12) & 0xFF,
            LogicalDestination: (address & (1 << 2)) != 0,
            LevelTriggered: (msi.Data & (1 << 15)) != 0,
            RedirectionHint: (address & (1 << 3)) != 0,
            Assert: (msi.Data & (1 << 14)) != 0 || (msi.Data & (1 << 15)) == 0);
        return true;
    }

    /// <summary>Encodes a message the way a device writes it (for tests and for devices that build MSIs).</summary>
    public static MsiMessage Encode(byte destination, byte vector, ApicDeliveryMode mode = ApicDeliveryMode.Fixed, bool logical = false, bool redirectionHint = false, bool levelTriggered = false)
    {
        ulong address = 0xFEE0_0000u | ((uint)destination << 12) | (redirectionHint ? 1u << 3 : 0) | (logical ? 1u << 2 : 0);
        uint data = vector | ((uint)mode << 8) | (levelTriggered ? (1u << 15) | (1u << 14) : 0);
        return new MsiMessage(address, data);
    }
}
