namespace Emu.Host.Qmp;

/// <summary>JSON types a command argument may have; the names are those QEMU's errors use.</summary>
internal enum QmpArgumentType
{
    String,
    Integer,
    Boolean,
    Number,
    Object,
    Array,
    Any,
}
