using Emu.Core.Interrupts;

namespace Emu.Accel.Tcg;

// RDMSR/WRMSR: the model-specific registers a PC OS uses. An MSR not listed
// here raises #GP, as on hardware (Linux probes some with rdmsr_safe).
internal sealed partial class X86Cpu
{
    public const uint MsrTsc = 0x10, MsrPlatformId = 0x17, MsrApicBase = 0x1B, MsrFeatureControl = 0x3A, MsrTscAdjust = 0x3B,
        MsrSpecCtrl = 0x48, MsrPredCmd = 0x49, MsrMicrocodeRevision = 0x8B, MsrMtrrCap = 0xFE, MsrArchCapabilities = 0x10A,
        MsrSysenterCs = 0x174, MsrSysenterEsp = 0x175, MsrSysenterEip = 0x176, MsrMcgCap = 0x179, MsrMcgStatus = 0x17A,
        MsrMiscEnable = 0x1A0, MsrMtrrPhysBase0 = 0x200, MsrMtrrFix64K = 0x250, MsrMtrrFix16K0 = 0x258, MsrMtrrFix16K1 = 0x259,
        MsrMtrrFix4K0 = 0x268, MsrPat = 0x277, MsrMtrrDefType = 0x2FF, MsrTscDeadline = 0x6E0,
        MsrEfer = 0xC000_0080, MsrStar = 0xC000_0081, MsrLstar = 0xC000_0082, MsrCstar = 0xC000_0083, MsrSfmask = 0xC000_0084,
        MsrFsBase = 0xC000_0100, MsrGsBase = 0xC000_0101, MsrKernelGsBase = 0xC000_0102, MsrTscAux = 0xC000_0103;

    /// <summary>The guest's time stamp counter: host monotonic time at <see cref="TcgPlatform.TscHz"/>, plus this CPU's offset.</summary>
    public ulong ReadTsc() => (ulong)(MonotonicTime.NowNanoseconds - Platform.TscOriginNanoseconds + TscOffset);

    public bool TryReadMsr(uint index, out ulong value)
    {
        value = 0;
        switch (index)
        {
            case MsrTsc: value = ReadTsc(); return true;
            case MsrPlatformId: return true;
            case MsrApicBase: value = Apic?.BaseMsr ?? 0; return Apic != null;
            case MsrFeatureControl: value = 1; return true; // locked, VMX off
            case MsrTscAdjust: value = (ulong)TscOffset; return true;
            case MsrSpecCtrl: value = SpecCtrl; return Cpuid.HasSpecCtrl;
            case MsrMicrocodeRevision: return true;
            case MsrArchCapabilities: value = Cpuid.ArchCapabilities; return Cpuid.HasArchCapabilities;
            case MsrMtrrCap: value = 0x508; return true; // 8 variable ranges, fixed ranges, write-combining
            case MsrSysenterCs: value = SysenterCs; return true;
            case MsrSysenterEsp: value = SysenterEsp; return true;
            case MsrSysenterEip: value = SysenterEip; return true;
            case MsrMcgCap: case MsrMcgStatus: return true;
            case MsrMiscEnable: value = MiscEnable; return true;
            case MsrPat: value = Pat; return true;
            case MsrMtrrDefType: value = MtrrDefType; return true;
            case MsrMtrrFix64K: value = MtrrFixed[0]; return true;
            case MsrMtrrFix16K0: case MsrMtrrFix16K1: value = MtrrFixed[1 + index - MsrMtrrFix16K0]; return true;
            case >= MsrMtrrFix4K0 and <= MsrMtrrFix4K0 + 7: value = MtrrFixed[3 + index - MsrMtrrFix4K0]; return true;
            case >= MsrMtrrPhysBase0 and < MsrMtrrPhysBase0 + 16: value = MtrrVariable[index - MsrMtrrPhysBase0]; return true;
            // Reads 0 once the deadline has passed (the timer fired or will at once).
            case MsrTscDeadline: value = TscDeadline != 0 && ReadTsc() < TscDeadline ? TscDeadline : 0; return Apic != null;
            case MsrEfer: value = Efer; return true;
            case MsrStar: value = Star; return true;
            case MsrLstar: value = Lstar; return true;
            case MsrCstar: value = Cstar; return true;
            case MsrSfmask: value = Sfmask; return true;
            case MsrFsBase: value = Segments[(int)SegmentIndex.Fs].Base; return true;
            case MsrGsBase: value = Segments[(int)SegmentIndex.Gs].Base; return true;
            case MsrKernelGsBase: value = KernelGsBase; return true;
            case MsrTscAux: value = TscAux; return Cpuid.HasRdtscp;
            case >= 0x800 and <= 0x8FF:
                return Apic != null && Apic.TryReadMsr(index, out value);
            default:
                return false;
        }
    }

    public bool TryWriteMsr(uint index, ulong value)
    {
        switch (index)
        {
            case MsrTsc:
                TscOffset += (long)(value - ReadTsc());
                return true;
            case MsrApicBase:
                if (Apic == null || !Apic.TrySetBaseMsr(value))
                    return false;
                FlushTlb(includingGlobal: true); // the APIC page moved, appeared or went
                return true;
            case MsrTscAdjust:
                TscOffset = (long)value;
                return true;
            // Only the enumerated bits may be set (SDM vol. 4, IA32_SPEC_CTRL, IA32_PRED_CMD):
            // IBRS and BHI_DIS_S, which change nothing here; a write of IBPB (bit 0 of PRED_CMD) has nothing to flush here.
            case MsrSpecCtrl:
                if (!Cpuid.HasSpecCtrl || (value & ~CpuidModel.SpecCtrlWritable) != 0)
                    return false;
                SpecCtrl = value;
                return true;
            case MsrPredCmd:
                return Cpuid.HasSpecCtrl && (value & ~1UL) == 0;
            case MsrMicrocodeRevision:
                return true;
            case MsrSysenterCs: SysenterCs = value & 0xFFFF; return true;
            case MsrSysenterEsp: SysenterEsp = value; return IsCanonical(value);
            case MsrSysenterEip: SysenterEip = value; return IsCanonical(value);
            case MsrMcgStatus: return true;
            case MsrMiscEnable:
                MiscEnable = value;
                return true;
            case MsrPat:
                // Each of the eight entries must be a valid memory type (0, 1, 4, 5, 6, 7).
                for (int i = 0; i < 8; i++)
                {
                    ulong type = (value >> (i * 8)) & 0xFF;
                    if (type is 2 or 3 or > 7)
                        return false;
                }
                Pat = value;
                return true;
            case MsrMtrrDefType: MtrrDefType = value & 0xCFF; return true;
            case MsrMtrrFix64K: MtrrFixed[0] = value; return true;
            case MsrMtrrFix16K0: case MsrMtrrFix16K1: MtrrFixed[1 + index - MsrMtrrFix16K0] = value; return true;
            case >= MsrMtrrFix4K0 and <= MsrMtrrFix4K0 + 7: MtrrFixed[3 + index - MsrMtrrFix4K0] = value; return true;
            case >= MsrMtrrPhysBase0 and < MsrMtrrPhysBase0 + 16: MtrrVariable[index - MsrMtrrPhysBase0] = value; return true;
            case MsrTscDeadline:
                if (Apic == null)
                    return false;
                TscDeadline = value;
                Apic.SetTscDeadline(value == 0 ? 0 : Platform.TscOriginNanoseconds - TscOffset + (long)value);
                return true;
            case MsrEfer:
                return WriteEfer(value);
            case MsrStar: Star = value; return true;
            case MsrLstar: Lstar = value; return IsCanonical(value);
            case MsrCstar: Cstar = value; return IsCanonical(value);
            case MsrSfmask: Sfmask = value & 0xFFFF_FFFF; return true;
            case MsrFsBase: Segments[(int)SegmentIndex.Fs].Base = value; return IsCanonical(value);
            case MsrGsBase: Segments[(int)SegmentIndex.Gs].Base = value; return IsCanonical(value);
            case MsrKernelGsBase: KernelGsBase = value; return IsCanonical(value);
            case MsrTscAux: TscAux = value & 0xFFFF_FFFF; return Cpuid.HasRdtscp;
            case >= 0x800 and <= 0x8FF:
                if (Apic == null || !Apic.TryWriteMsr(index, value))
                    return false;
                RequestAttention(); // TPR, EOI or an IPI may change what is deliverable
                return true;
            default:
                return false;
        }
    }

    // EFER: SCE, LME, NXE are writable (LMA follows CR0.PG); LME may not change while paging is on.
    private bool WriteEfer(ulong value)
    {
        const ulong writable = EferSce | EferLme | EferNxe;
        if ((value & ~(writable | EferLma)) != 0)
            return false;
        if (Paging && ((value ^ Efer) & EferLme) != 0)
            return false;
        ulong next = (value & writable) | (Efer & EferLma);
        bool nxChanged = ((next ^ Efer) & EferNxe) != 0;
        Efer = next;
        if (nxChanged)
            FlushTlb(includingGlobal: true);
        return true;
    }
}
