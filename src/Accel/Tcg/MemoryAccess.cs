namespace Emu.Accel.Tcg;

/// <summary>The kind of access a page translation is for (it decides the permission checked and the #PF error code).</summary>
internal enum MemoryAccess
{
    Read,
    Write,
    Execute,
}
