namespace Emu.Accel.Tcg;

/// <summary>
/// One entry of the software TLB: a linear page and how each kind of access to
/// it is served. A tag equals the page address exactly when that access may
/// take the fast path (RAM or ROM through <see cref="Addend"/>); the low tag
/// bits mark entries that must take the slow path (I/O pages, invalid).
/// </summary>
internal struct TlbEntry
{
    public const ulong Invalid = 1;

    /// <summary>The page is not RAM: accesses go to the address space (MMIO, ROM writes, the APIC page).</summary>
    public const ulong Io = 2;

    public ulong ReadTag;
    public ulong WriteTag;
    public ulong ExecTag;

    /// <summary>Host address = linear address + Addend, for RAM and ROM pages.</summary>
    public nint Addend;

    /// <summary>The physical address of the page.</summary>
    public ulong PhysicalPage;

    /// <summary>A global page (PTE.G with CR4.PGE): kept when CR3 is written.</summary>
    public bool Global;

    public static readonly TlbEntry Empty = new() { ReadTag = Invalid, WriteTag = Invalid, ExecTag = Invalid };
}
