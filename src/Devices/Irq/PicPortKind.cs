namespace Emu.Devices.Irq;

/// <summary>Which port pair of the 8259 pair a handler serves.</summary>
internal enum PicPortKind
{
    /// <summary>0x20-0x21.</summary>
    Master,

    /// <summary>0xA0-0xA1.</summary>
    Slave,

    /// <summary>0x4D0-0x4D1.</summary>
    Elcr,
}
