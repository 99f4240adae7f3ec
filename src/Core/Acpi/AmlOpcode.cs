namespace Emu.Core.Acpi;

/// <summary>AML opcodes and prefixes used by the builder (ACPI 6.3, section 20.3, table 20-440).</summary>
internal static class AmlOpcode
{
    public const byte Zero = 0x00;
    public const byte One = 0x01;
    public const byte Name = 0x08;
    public const byte BytePrefix = 0x0A;
    public const byte WordPrefix = 0x0B;
    public const byte DWordPrefix = 0x0C;
    public const byte StringPrefix = 0x0D;
    public const byte QWordPrefix = 0x0E;
    public const byte Scope = 0x10;
    public const byte Buffer = 0x11;
    public const byte Package = 0x12;
    public const byte VarPackage = 0x13;
    public const byte Method = 0x14;
    public const byte DualNamePrefix = 0x2E;
    public const byte MultiNamePrefix = 0x2F;
    public const byte ExtPrefix = 0x5B;
    public const byte RootChar = 0x5C;
    public const byte ParentPrefixChar = 0x5E;
    public const byte Local0 = 0x60;
    public const byte Arg0 = 0x68;
    public const byte Store = 0x70;
    public const byte Add = 0x72;
    public const byte Subtract = 0x74;
    public const byte ShiftLeft = 0x79;
    public const byte ShiftRight = 0x7A;
    public const byte And = 0x7B;
    public const byte Or = 0x7D;
    public const byte Notify = 0x86;
    public const byte CreateDWordField = 0x8A;
    public const byte LAnd = 0x90;
    public const byte LOr = 0x91;
    public const byte LNot = 0x92;
    public const byte LEqual = 0x93;
    public const byte LGreater = 0x94;
    public const byte LLess = 0x95;
    public const byte If = 0xA0;
    public const byte Else = 0xA1;
    public const byte Return = 0xA4;
    public const byte Ones = 0xFF;

    /// <summary>Second byte after <see cref="ExtPrefix"/>: DeviceOp is 5B 82.</summary>
    public const byte ExtDevice = 0x82;

    /// <summary>OpRegionOp is 5B 80.</summary>
    public const byte ExtOperationRegion = 0x80;

    /// <summary>FieldOp is 5B 81.</summary>
    public const byte ExtField = 0x81;
}
