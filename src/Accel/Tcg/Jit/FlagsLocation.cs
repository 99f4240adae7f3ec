namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// Where the guest's six arithmetic flags are at a point of a compiled block.
/// Guest and host are both x86, so an ALU instruction compiled as itself leaves
/// the guest's flags in the host's RFLAGS; they stay there while the next
/// instructions leave RFLAGS alone and are saved (LAHF, SETO) to the context's
/// compact slot before anything clobbers them or the guest state must be
/// complete (a call into the VMM, a possible fault, an exit).
/// </summary>
internal enum FlagsLocation : byte
{
    /// <summary>Only the slot holds them (host RFLAGS is scratch).</summary>
    Slot,

    /// <summary>Only host RFLAGS holds them (the slot is stale).</summary>
    Host,

    /// <summary>Both hold the same values.</summary>
    Both,
}
