namespace Emu.Core.Pci;

/// <summary>Offsets and bits of the type 0 configuration header (PCI Local Bus 3.0, section 6.1).</summary>
public static class PciRegisters
{
    public const int VendorId = 0x00;
    public const int DeviceId = 0x02;
    public const int Command = 0x04;
    public const int Status = 0x06;
    public const int RevisionId = 0x08;
    public const int ClassProg = 0x09;
    public const int ClassDevice = 0x0A;
    public const int CacheLineSize = 0x0C;
    public const int LatencyTimer = 0x0D;
    public const int HeaderType = 0x0E;
    public const int Bar0 = 0x10;
    public const int SubsystemVendorId = 0x2C;
    public const int SubsystemId = 0x2E;
    public const int RomAddress = 0x30;
    public const int CapabilitiesPointer = 0x34;
    public const int InterruptLine = 0x3C;
    public const int InterruptPin = 0x3D;

    public const ushort CommandIo = 1 << 0;
    public const ushort CommandMemory = 1 << 1;
    public const ushort CommandBusMaster = 1 << 2;
    public const ushort CommandSerr = 1 << 8;
    public const ushort CommandInterruptDisable = 1 << 10;

    public const ushort StatusInterrupt = 1 << 3;
    public const ushort StatusCapabilities = 1 << 4;

    public const byte HeaderTypeMultifunction = 0x80;

    /// <summary>Where capabilities start: right after the 64-byte header.</summary>
    public const int FirstCapability = 0x40;

    /// <summary>Where PCI Express extended capabilities start.</summary>
    public const int FirstExtendedCapability = 0x100;
}
