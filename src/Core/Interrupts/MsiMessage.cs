namespace Emu.Core.Interrupts;

/// <summary>A message-signalled interrupt: a 32-bit write of <see cref="Data"/> to <see cref="Address"/>.</summary>
public readonly record struct MsiMessage(ulong Address, uint Data)
{
    /// <summary>On x86, MSI addresses are in the 0xFEExxxxx window of the local APICs.</summary>
    public bool IsX86Valid => (Address & 0xFFF0_0000) == 0xFEE0_0000 && Address >> 32 == 0;
}
