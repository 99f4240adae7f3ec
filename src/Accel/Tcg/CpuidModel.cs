using System.Text;

namespace Emu.Accel.Tcg;

/// <summary>
/// What CPUID reports: exactly the features this software CPU implements,
/// the topology of the machine, and the TSC frequency (leaves 0x15/0x16) so
/// the guest needs no calibration against the PIT. Intel SDM vol. 2A, CPUID.
/// </summary>
internal sealed class CpuidModel
{
    // CPUID.1:EDX and ECX feature bits implemented here.
    private const uint Fpu = 1 << 0, Vme = 1 << 1, De = 1 << 2, Pse = 1 << 3, Tsc = 1 << 4, Msr = 1 << 5, Pae = 1 << 6, Mce = 1 << 7,
        Cx8 = 1 << 8, Apic = 1 << 9, Sep = 1 << 11, Mtrr = 1 << 12, Pge = 1 << 13, Mca = 1 << 14, Cmov = 1 << 15, Pat = 1 << 16,
        Pse36 = 1 << 17, Clfsh = 1 << 19, Mmx = 1 << 23, Fxsr = 1 << 24, Sse = 1 << 25, Sse2 = 1 << 26, Htt = 1 << 28;
    private const uint Sse3 = 1 << 0, Ssse3 = 1 << 9, Cx16 = 1 << 13, Sse41 = 1 << 19, Sse42 = 1 << 20, X2Apic = 1 << 21,
        Popcnt = 1 << 23, TscDeadline = 1 << 24, Hypervisor = 1u << 31;

    // CPUID.80000001h:EDX / ECX.
    private const uint Syscall = 1 << 11, Nx = 1 << 20, Page1Gb = 1 << 26, Rdtscp = 1 << 27, LongMode = 1 << 29;
    private const uint LahfLm = 1 << 0, Abm = 1 << 5;

    private readonly int _cpuCount;
    private readonly byte[] _brand;

    public CpuidModel(string name, int cpuCount, bool x87AndSse)
    {
        Name = name;
        _cpuCount = cpuCount;
        HasX87AndSse = x87AndSse;
        _brand = Encoding.ASCII.GetBytes($"Emu software CPU ({name})".PadRight(48, '\0')[..48]);
    }

    public string Name { get; }

    /// <summary>Whether x87, MMX, FXSAVE, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 are advertised (they are implemented when this is set).</summary>
    public bool HasX87AndSse { get; }

    public bool HasRdtscp => true;

    /// <summary>
    /// CPUID.(EAX=7,ECX=0):EDX[26]: IA32_SPEC_CTRL (MSR 48H) with its IBRS bit, and
    /// IA32_PRED_CMD (MSR 49H) with IBPB; see SpecCtrlWritable. Together with IBRS_ALL in IA32_ARCH_CAPABILITIES
    /// (enhanced IBRS: predictions are never steered across privilege levels, which holds
    /// trivially for a CPU that predicts nothing) Linux sets IBRS once at boot instead of
    /// sending every indirect call of the kernel through a retpoline thunk.
    /// </summary>
    public bool HasSpecCtrl => true;

    /// <summary>
    /// The IA32_SPEC_CTRL bits this model enumerates: IBRS, and BHI_DIS_S
    /// (CPUID.(EAX=7,ECX=2):EDX[4]), which Linux sets instead of running a loop that clears
    /// the branch history on every kernel entry (it assumes branch history injection on
    /// every CPU with enhanced IBRS, and on every virtual one, whatever BHI_NO says). No
    /// STIBP, no SSBD.
    /// </summary>
    public const ulong SpecCtrlWritable = SpecCtrlIbrs | SpecCtrlBhiDisS;

    private const ulong SpecCtrlIbrs = 1 << 0, SpecCtrlBhiDisS = 1 << 10;

    private const uint SpecCtrlBit = 1u << 26, BhiCtrlBit = 1u << 4;

    // CPUID.(EAX=7,ECX=0):EDX[29]: IA32_ARCH_CAPABILITIES (MSR 10AH) exists.
    private const uint ArchCapabilitiesBit = 1u << 29;

    public bool HasArchCapabilities => true;

    // CPUID.(EAX=7,ECX=0):EBX[1]: IA32_TSC_ADJUST (MSR 3BH). Every CPU's TSC is the same
    // host clock plus its own offset, which this MSR reads and writes (a write to IA32_TSC
    // moves it by the same amount, SDM vol. 3B 18.17.3). With it, constant_tsc and nonstop_tsc,
    // Linux trusts the TSC without the clocksource watchdog (tsc.c,
    // check_system_tsc_reliable). Without it the watchdog compares the TSC with jiffies,
    // which stop while the thread of the CPU that counts them is descheduled, and a busy
    // host makes it mark the TSC unstable ("skew is too large") and fall back to acpi_pm.
    private const uint TscAdjustBit = 1u << 1;

    /// <summary>
    /// IA32_ARCH_CAPABILITIES: the speculative-execution flaws this CPU does not have. A
    /// software CPU runs no guest instruction speculatively, so none of the microarchitectural
    /// leaks apply; IBRS_ALL, see <see cref="HasSpecCtrl"/>. Linux otherwise treats an Intel family-6 model it does not know as
    /// affected: Meltdown (page-table isolation, a CR3 switch on every kernel entry), MDS (a
    /// VERW on every return to user mode), and so on. Bits per Intel's "IA32_ARCH_CAPABILITIES"
    /// enumeration (SDM vol. 4, table 2-2).
    /// </summary>
    public ulong ArchCapabilities =>
        RdclNo | IbrsAll | SsbNo | MdsNo | PschangeMcNo | TaaNo | SbdrSsdpNo | FbsdpNo | PsdpNo | BhiNo | PbrsbNo | GdsNo | RfdsNo | ItsNo;

    private const ulong RdclNo = 1 << 0,  // not susceptible to rogue data cache load (Meltdown)
        IbrsAll = 1 << 1,                    // enhanced IBRS: IBRS set once protects from then on
        SsbNo = 1 << 4,                      // speculative store bypass
        MdsNo = 1 << 5,                      // microarchitectural data sampling
        PschangeMcNo = 1 << 6,               // no machine check on a page-size change (iTLB multihit)
        TaaNo = 1 << 8,                      // TSX asynchronous abort
        SbdrSsdpNo = 1 << 13, FbsdpNo = 1 << 14, PsdpNo = 1 << 15, // MMIO stale data
        BhiNo = 1 << 20,                     // branch history injection
        PbrsbNo = 1 << 24,                   // post-barrier return stack buffer predictions
        GdsNo = 1 << 26,                     // gather data sampling
        RfdsNo = 1 << 27,                    // register file data sampling
        ItsNo = 1UL << 62;                   // indirect target selection

    /// <summary>EDX after reset: the family/model/stepping signature (SDM 9.1.4).</summary>
    public ulong ResetEdx => Signature;

    // Family 6, model 0x0F, stepping 1: an unremarkable core the guest applies no errata to.
    private const uint Signature = (6 << 8) | (0xF << 4) | 1;

    public void Query(uint leaf, uint subleaf, int apicId, out uint eax, out uint ebx, out uint ecx, out uint edx)
    {
        eax = ebx = ecx = edx = 0;
        switch (leaf)
        {
            case 0:
                eax = 0x16;
                Vendor("GenuineIntel", out ebx, out edx, out ecx);
                break;
            case 1:
                eax = Signature;
                // EBX: APIC ID, logical processors per package, CLFLUSH line size in 8-byte units.
                ebx = ((uint)apicId << 24) | ((uint)Math.Min(_cpuCount, 255) << 16) | (8 << 8);
                edx = De | Pse | Tsc | Msr | Pae | Mce | Cx8 | Apic | Sep | Mtrr | Pge | Mca | Cmov | Pat | Pse36 | Clfsh
                    | (_cpuCount > 1 ? Htt : 0) | (HasX87AndSse ? Fpu | Mmx | Fxsr | Sse | Sse2 : 0);
                ecx = X2Apic | Popcnt | TscDeadline | Hypervisor | Cx16 | (HasX87AndSse ? Sse3 | Ssse3 | Sse41 | Sse42 : 0);
                break;
            case 4:
                // Deterministic cache parameters: one unified level, cores per package in EAX[31:26].
                if (subleaf == 0)
                {
                    eax = (uint)((Math.Max(_cpuCount, 1) - 1) << 26) | (3 << 0) | (1 << 5) | (1 << 8);
                    ebx = (63 << 0) | (0 << 12) | (7 << 22);
                    ecx = 4095;
                }
                break;
            case 6:
                eax = 1 << 2; // ARAT: the APIC timer keeps running in deep C-states
                break;
            case 7:
                // Structured extended features: none of the leaf's instructions are implemented;
                // EBX announces IA32_TSC_ADJUST; EDX announces IA32_SPEC_CTRL/IA32_PRED_CMD and IA32_ARCH_CAPABILITIES, and in
                // subleaf 2 the BHI_DIS_S control. EAX (subleaf 0): the highest subleaf, 2.
                if (subleaf == 0)
                {
                    eax = 2;
                    ebx = TscAdjustBit;
                    edx = ArchCapabilitiesBit | (HasSpecCtrl ? SpecCtrlBit : 0);
                }
                else if (subleaf == 2)
                {
                    edx = HasSpecCtrl ? BhiCtrlBit : 0;
                }
                break;
            case 0xB:
            case 0x1F:
                // x2APIC topology: one thread per core, all cores in one package.
                if (subleaf == 0)
                {
                    eax = 0;
                    ebx = 1;
                    ecx = (1 << 8) | subleaf;
                }
                else if (subleaf == 1)
                {
                    eax = (uint)ShiftFor(_cpuCount);
                    ebx = (uint)_cpuCount;
                    ecx = (2 << 8) | subleaf;
                }
                else
                {
                    ecx = subleaf;
                }
                edx = (uint)apicId;
                break;
            case 0x15:
                // TSC / crystal ratio and the crystal frequency: the TSC runs at TscHz.
                eax = 1;
                ebx = 1;
                ecx = (uint)TcgPlatform.TscHz;
                break;
            case 0x16:
                eax = (uint)(TcgPlatform.TscHz / 1_000_000);
                ebx = eax;
                ecx = 1000;
                break;
            case 0x4000_0000:
                // Hypervisor leaves: the maximum, and a signature Linux does not know (so it assumes no paravirtual interfaces).
                eax = 0x4000_0001;
                Vendor("EmuEmuEmuEmu", out ebx, out ecx, out edx);
                break;
            case 0x8000_0000:
                eax = 0x8000_0008;
                Vendor("GenuineIntel", out ebx, out edx, out ecx);
                break;
            case 0x8000_0001:
                edx = Syscall | Nx | Page1Gb | Rdtscp | LongMode;
                ecx = LahfLm | Abm;
                break;
            case 0x8000_0002:
            case 0x8000_0003:
            case 0x8000_0004:
                BrandString(leaf - 0x8000_0002, out eax, out ebx, out ecx, out edx);
                break;
            case 0x8000_0007:
                edx = 1 << 8; // invariant TSC
                break;
            case 0x8000_0008:
                eax = (48 << 8) | X86Cpu.PhysicalAddressBits;
                break;
        }
    }

    private static int ShiftFor(int count)
    {
        int shift = 0;
        while ((1 << shift) < count)
            shift++;
        return shift;
    }

    private static void Vendor(string text, out uint a, out uint b, out uint c)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        a = BitConverter.ToUInt32(bytes, 0);
        b = BitConverter.ToUInt32(bytes, 4);
        c = BitConverter.ToUInt32(bytes, 8);
    }

    private void BrandString(uint part, out uint eax, out uint ebx, out uint ecx, out uint edx)
    {
        byte[] bytes = _brand;
        int o = (int)part * 16;
        eax = BitConverter.ToUInt32(bytes, o);
        ebx = BitConverter.ToUInt32(bytes, o + 4);
        ecx = BitConverter.ToUInt32(bytes, o + 8);
        edx = BitConverter.ToUInt32(bytes, o + 12);
    }
}
