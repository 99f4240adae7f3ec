namespace Emu.Devices.Irq;

/// <summary>The ICR's destination shorthand (bits 19:18; Intel SDM vol. 3A, 11.6.1).</summary>
public enum ApicShorthand : byte
{
    /// <summary>The destination field selects the targets.</summary>
    None = 0,
    Self = 1,
    AllIncludingSelf = 2,
    AllExcludingSelf = 3,
}
