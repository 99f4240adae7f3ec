namespace Emu.Core.Cpu;

/// <summary>A model-specific register and its value.</summary>
public struct X86Msr
{
    public uint Index;
    public ulong Value;

    public X86Msr(uint index, ulong value)
    {
        Index = index;
        Value = value;
    }

    /// <summary>IA32_MTRR_DEF_TYPE: bit 11 enables the MTRRs, bits 7:0 the default memory type (6 = write-back).</summary>
    public const uint MtrrDefType = 0x2FF;

    /// <summary>IA32_MISC_ENABLE: bit 0 enables fast string operations.</summary>
    public const uint MiscEnable = 0x1A0;
}
