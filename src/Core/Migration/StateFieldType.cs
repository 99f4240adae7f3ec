namespace Emu.Core.Migration;

/// <summary>
/// The type tag of a field in a section's payload. The reader checks the tag
/// against what it asks for, so a field whose meaning changed type cannot be
/// read as the old one by mistake.
/// </summary>
public enum StateFieldType : byte
{
    U8 = 1,
    U16 = 2,
    U32 = 3,
    U64 = 4,
    Bool = 5,

    /// <summary>A byte string with a 32-bit length.</summary>
    Bytes = 6,
}
