namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// The compiler's picture of the host registers at one point of a block:
/// which guest register each of the eight homes (R8..R15) caches, which
/// cached values are newer than the CPU's copy (dirty), and where the guest
/// flags are. A value type, so the picture at a side exit can be kept and
/// the exit's code emitted later.
/// </summary>
internal unsafe struct RegisterState
{
    public const int Homes = 8;

    /// <summary>Guest register cached in home h, or -1.</summary>
    public fixed sbyte GuestOfHome[Homes];

    /// <summary>Home caching guest register g, or -1.</summary>
    public fixed sbyte HomeOfGuest[16];

    /// <summary>When each home was last used (for choosing one to evict).</summary>
    public fixed int LastUse[Homes];

    /// <summary>Guest registers whose home holds a value the CPU's copy does not have yet.</summary>
    public ushort Dirty;

    public FlagsLocation Flags;

    /// <summary>Nothing cached, flags in the slot: the state at every block entry.</summary>
    public static RegisterState Entry
    {
        get
        {
            RegisterState s = default;
            for (int h = 0; h < Homes; h++)
                s.GuestOfHome[h] = -1;
            for (int g = 0; g < 16; g++)
                s.HomeOfGuest[g] = -1;
            s.Flags = FlagsLocation.Slot;
            return s;
        }
    }
}
