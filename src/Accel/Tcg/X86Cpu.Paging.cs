using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

// Linear to physical translation (Intel SDM vol. 3A, chapter 4): no paging,
// 32-bit paging (with 4 MiB pages under CR4.PSE), PAE paging and 4-level
// paging of IA-32e mode. Accessed and dirty bits are set in the guest's
// tables with atomic compare-and-swap, as other CPUs may walk them too.
internal sealed unsafe partial class X86Cpu
{
    // Page-table entry bits.
    private const ulong PtePresent = 1, PteWrite = 2, PteUser = 4, PteAccessed = 0x20, PteDirty = 0x40, PteLarge = 0x80, PteGlobal = 0x100;
    private const ulong PteNoExecute = 1UL << 63;

    /// <summary>The physical address bits this CPU implements (CPUID 0x80000008).</summary>
    public const int PhysicalAddressBits = 40;

    private const ulong PhysicalAddressMask = ((1UL << PhysicalAddressBits) - 1) & ~0xFFFUL;

    // #PF error code bits (SDM 4.7).
    private const uint PfPresent = 1, PfWrite = 2, PfUser = 4, PfReserved = 8, PfFetch = 16;

    /// <summary>Where a translation ended up and what the page allows.</summary>
    private struct Translation
    {
        public ulong PhysicalPage;
        public bool Writable;
        public bool UserAccessible;
        public bool Executable;
        public bool Global;
        public bool Dirty;
    }

    /// <summary>
    /// Translates the page of <paramref name="linear"/> for an access, setting
    /// accessed and dirty bits; raises #PF (with CR2) or #GP for a
    /// non-canonical address.
    /// </summary>
    private Translation Translate(ulong linear, MemoryAccess access, bool user)
    {
        if (!Paging)
        {
            // Without paging a linear address is physical; outside long mode it has 32 bits.
            ulong page = (LongModeActive ? linear : linear & 0xFFFF_FFFF) & ~0xFFFUL;
            return new Translation { PhysicalPage = page, Writable = true, UserAccessible = true, Executable = true, Dirty = true };
        }
        if (LongModeActive)
        {
            if (!IsCanonical(linear))
                throw Fault(ExceptionVector.GeneralProtection, 0);
            return Walk4Level(linear, access, user);
        }
        return (Cr4 & Cr4Pae) != 0 ? WalkPae(linear & 0xFFFF_FFFF, access, user) : Walk32(linear & 0xFFFF_FFFF, access, user);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsCanonical(ulong linear) => (ulong)(((long)linear << 16) >> 16) == linear;

    private Translation Walk4Level(ulong linear, MemoryAccess access, bool user)
    {
        ulong table = Cr3 & PhysicalAddressMask;
        bool writable = true, userOk = true, executable = true;
        for (int level = 4; level >= 1; level--)
        {
            int shift = 12 + 9 * (level - 1);
            ulong entryAddress = table + ((linear >> shift) & 0x1FF) * 8;
            ulong* entry = PageTableEntry(entryAddress, linear, access, user);
            ulong pte = *entry;
            if ((pte & PtePresent) == 0)
                throw PageFault(linear, access, user, 0);
            if (ReservedBitsSet(pte, level))
                throw PageFault(linear, access, user, PfPresent | PfReserved);
            writable &= (pte & PteWrite) != 0;
            userOk &= (pte & PteUser) != 0;
            executable &= (pte & PteNoExecute) == 0 || (Efer & EferNxe) == 0;
            bool leaf = level == 1 || (level <= 3 && (pte & PteLarge) != 0);
            if (!leaf)
            {
                SetAccessed64(entry, pte);
                table = pte & PhysicalAddressMask;
                continue;
            }
            ulong pageMask = (1UL << shift) - 1;
            ulong frame = (pte & PhysicalAddressMask & ~pageMask) | (linear & pageMask & ~0xFFFUL);
            return Finish64(entry, pte, frame, linear, access, user, writable, userOk, executable);
        }
        throw new InvalidOperationException("unreachable");
    }

    private Translation WalkPae(ulong linear, MemoryAccess access, bool user)
    {
        // The four PDPTEs (SDM 4.4.1); the CPU loads them at MOV CR3, this reads them each walk.
        ulong pdpteAddress = (Cr3 & 0xFFFF_FFE0) + ((linear >> 30) & 3) * 8;
        ulong* pdpte = PageTableEntry(pdpteAddress, linear, access, user);
        ulong pdp = *pdpte;
        if ((pdp & PtePresent) == 0)
            throw PageFault(linear, access, user, 0);
        if ((pdp & 0x1E6) != 0 || (pdp & ~PhysicalAddressMask & ~0xFFFUL & ~PteNoExecute) != 0)
            throw PageFault(linear, access, user, PfPresent | PfReserved);
        ulong table = pdp & PhysicalAddressMask;
        bool writable = true, userOk = true, executable = true;
        for (int level = 2; level >= 1; level--)
        {
            int shift = 12 + 9 * (level - 1);
            ulong* entry = PageTableEntry(table + ((linear >> shift) & 0x1FF) * 8, linear, access, user);
            ulong pte = *entry;
            if ((pte & PtePresent) == 0)
                throw PageFault(linear, access, user, 0);
            if (ReservedBitsSet(pte, level))
                throw PageFault(linear, access, user, PfPresent | PfReserved);
            writable &= (pte & PteWrite) != 0;
            userOk &= (pte & PteUser) != 0;
            executable &= (pte & PteNoExecute) == 0 || (Efer & EferNxe) == 0;
            if (level == 2 && (pte & PteLarge) == 0)
            {
                SetAccessed64(entry, pte);
                table = pte & PhysicalAddressMask;
                continue;
            }
            ulong pageMask = (1UL << shift) - 1;
            ulong frame = (pte & PhysicalAddressMask & ~pageMask) | (linear & pageMask & ~0xFFFUL);
            return Finish64(entry, pte, frame, linear, access, user, writable, userOk, executable);
        }
        throw new InvalidOperationException("unreachable");
    }

    private Translation Walk32(ulong linear, MemoryAccess access, bool user)
    {
        uint* pde = (uint*)PageTableEntry((Cr3 & 0xFFFF_F000) + ((linear >> 22) & 0x3FF) * 4, linear, access, user);
        uint dir = *pde;
        if ((dir & PtePresent) == 0)
            throw PageFault(linear, access, user, 0);
        bool writable = (dir & PteWrite) != 0, userOk = (dir & PteUser) != 0;
        if ((dir & PteLarge) != 0 && (Cr4 & Cr4Pse) != 0)
        {
            ulong frame = (dir & 0xFFC0_0000) | (linear & 0x003F_F000);
            return Finish32(pde, dir, frame, linear, access, user, writable, userOk);
        }
        SetAccessed32(pde, dir);
        uint* pte = (uint*)PageTableEntry((dir & 0xFFFF_F000) + ((linear >> 12) & 0x3FF) * 4, linear, access, user);
        uint page = *pte;
        if ((page & PtePresent) == 0)
            throw PageFault(linear, access, user, 0);
        writable &= (page & PteWrite) != 0;
        userOk &= (page & PteUser) != 0;
        return Finish32(pte, page, page & 0xFFFF_F000, linear, access, user, writable, userOk);
    }

    // Reserved bits of a present 64-bit entry at a level: physical address bits
    // beyond what the CPU implements, XD without EFER.NXE, and the PS bit of a PML4E.
    private bool ReservedBitsSet(ulong pte, int level)
    {
        if (((pte >> PhysicalAddressBits) & ((1UL << (52 - PhysicalAddressBits)) - 1)) != 0)
            return true;
        if ((pte & PteNoExecute) != 0 && (Efer & EferNxe) == 0)
            return true;
        if (level == 4 && (pte & PteLarge) != 0)
            return true;
        // A large page's frame must be aligned to its size (bits 12 and above hold PAT, then must be 0).
        if (level is 2 or 3 && (pte & PteLarge) != 0 && ((pte >> 13) & ((1UL << (9 * (level - 1) - 1)) - 1)) != 0)
            return true;
        return false;
    }

    private Translation Finish64(ulong* entry, ulong pte, ulong frame, ulong linear, MemoryAccess access, bool user, bool writable, bool userOk, bool executable)
    {
        CheckPermission(linear, access, user, writable, userOk, executable);
        ulong wanted = PteAccessed | (access == MemoryAccess.Write ? PteDirty : 0);
        while ((pte & wanted) != wanted)
        {
            ulong seen = (ulong)Interlocked.CompareExchange(ref *(long*)entry, (long)(pte | wanted), (long)pte);
            if (seen == pte)
            {
                pte |= wanted;
                break;
            }
            pte = seen;
        }
        return new Translation
        {
            PhysicalPage = frame, Writable = writable, UserAccessible = userOk, Executable = executable,
            Global = (pte & PteGlobal) != 0 && (Cr4 & Cr4Pge) != 0, Dirty = (pte & PteDirty) != 0,
        };
    }

    private Translation Finish32(uint* entry, uint pte, ulong frame, ulong linear, MemoryAccess access, bool user, bool writable, bool userOk)
    {
        CheckPermission(linear, access, user, writable, userOk, executable: true);
        uint wanted = (uint)(PteAccessed | (access == MemoryAccess.Write ? PteDirty : 0));
        while ((pte & wanted) != wanted)
        {
            uint seen = (uint)Interlocked.CompareExchange(ref *(int*)entry, (int)(pte | wanted), (int)pte);
            if (seen == pte)
            {
                pte |= wanted;
                break;
            }
            pte = seen;
        }
        return new Translation
        {
            PhysicalPage = frame, Writable = writable, UserAccessible = userOk, Executable = true,
            Global = (pte & PteGlobal) != 0 && (Cr4 & Cr4Pge) != 0, Dirty = (pte & PteDirty) != 0,
        };
    }

    // User pages need U/S in every level; writes need R/W in every level, except
    // supervisor writes with CR0.WP clear; fetches need XD clear (with NXE).
    private void CheckPermission(ulong linear, MemoryAccess access, bool user, bool writable, bool userOk, bool executable)
    {
        if (user && !userOk)
            throw PageFault(linear, access, user, PfPresent);
        if (access == MemoryAccess.Write && !writable && (user || (Cr0 & Cr0Wp) != 0))
            throw PageFault(linear, access, user, PfPresent);
        if (access == MemoryAccess.Execute && !executable)
            throw PageFault(linear, access, user, PfPresent);
    }

    private static void SetAccessed64(ulong* entry, ulong pte)
    {
        if ((pte & PteAccessed) == 0)
            Interlocked.Or(ref *(long*)entry, (long)PteAccessed);
    }

    private static void SetAccessed32(uint* entry, uint pte)
    {
        if ((pte & PteAccessed) == 0)
            Interlocked.Or(ref *(int*)entry, (int)PteAccessed);
    }

    // A paging-structure entry in guest RAM. Tables outside RAM cannot be walked:
    // the access faults as if the entry were not present (real hardware would read
    // whatever the bus returns; a guest that points CR3 at a device is broken).
    private ulong* PageTableEntry(ulong physical, ulong linear, MemoryAccess access, bool user)
    {
        byte* host = Platform.RamPointer(physical, 8, writable: true);
        if (host == null)
            throw PageFault(linear, access, user, 0);
        // The walk may set accessed and dirty bits in the entry: while a
        // migration logs, the page counts as written (before the write is safe
        // here: a re-arm waits for this CPU to finish its instruction).
        MarkWritten(physical, 8);
        return (ulong*)host;
    }

    private CpuException PageFault(ulong linear, MemoryAccess access, bool user, uint code)
    {
        if (access == MemoryAccess.Write)
            code |= PfWrite;
        if (user)
            code |= PfUser;
        if (access == MemoryAccess.Execute && (Efer & EferNxe) != 0)
            code |= PfFetch;
        Cr2 = linear;
        return Fault(ExceptionVector.PageFault, code);
    }

    /// <summary>Translates without raising anything (diagnostics, KVM_TRANSLATE's equivalent); accessed bits may be set.</summary>
    public bool TryTranslateQuietly(ulong linear, out ulong physical)
    {
        ulong savedCr2 = Cr2;
        try
        {
            Translation t = Translate(linear, MemoryAccess.Read, user: false);
            physical = t.PhysicalPage | (linear & 0xFFF);
            return true;
        }
        catch (CpuException)
        {
            physical = 0;
            return false;
        }
        finally
        {
            Cr2 = savedCr2;
        }
    }
}
