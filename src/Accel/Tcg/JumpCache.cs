using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emu.Accel.Tcg;

/// <summary>
/// The first lookup for the next block: direct-mapped by linear address,
/// checked against the block's address and mode, and emptied whenever a
/// translation may have changed (a TLB flush), so a hit never needs a page walk.
/// </summary>
internal sealed class JumpCache
{
    private const int Bits = 12;
    private readonly Block?[] _slots = new Block?[1 << Bits];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref Block? Slot(ulong pc) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), (int)((pc ^ (pc >> Bits)) & ((1 << Bits) - 1)));

    public void Clear() => Array.Clear(_slots);
}
