namespace Emu.Core.Acpi;

/// <summary>The AccessType of a Field (ACPI 6.3, section 20.2.5.2, FieldFlags bits 3:0): how wide each access to the region is.</summary>
public enum AmlFieldAccess : byte
{
    AnyAcc = 0,
    ByteAcc = 1,
    WordAcc = 2,
    DWordAcc = 3,
    QWordAcc = 4,
}
