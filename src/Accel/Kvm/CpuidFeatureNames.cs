using System.Text;
using Emu.Accel.Kvm.Interop;

namespace Emu.Accel.Kvm;

/// <summary>
/// Names of CPUID feature bits, spelled as QEMU's -cpu feature flags, for the
/// leaves a VMM decides on: 1 (ECX, EDX), 7.0 (EBX, ECX, EDX), 0xD.1 (EAX),
/// 0x80000001 (ECX, EDX) and KVM's paravirtual leaf 0x40000001 (EAX).
/// </summary>
internal static class CpuidFeatureNames
{
    private enum Reg
    {
        Eax,
        Ebx,
        Ecx,
        Edx,
    }

    private static readonly (uint Leaf, uint Subleaf, Reg Register, int Bit, string Name)[] s_features =
    {
        (1, 0, Reg.Edx, 0, "fpu"), (1, 0, Reg.Edx, 1, "vme"), (1, 0, Reg.Edx, 2, "de"), (1, 0, Reg.Edx, 3, "pse"),
        (1, 0, Reg.Edx, 4, "tsc"), (1, 0, Reg.Edx, 5, "msr"), (1, 0, Reg.Edx, 6, "pae"), (1, 0, Reg.Edx, 7, "mce"),
        (1, 0, Reg.Edx, 8, "cx8"), (1, 0, Reg.Edx, 9, "apic"), (1, 0, Reg.Edx, 11, "sep"), (1, 0, Reg.Edx, 12, "mtrr"),
        (1, 0, Reg.Edx, 13, "pge"), (1, 0, Reg.Edx, 14, "mca"), (1, 0, Reg.Edx, 15, "cmov"), (1, 0, Reg.Edx, 16, "pat"),
        (1, 0, Reg.Edx, 17, "pse36"), (1, 0, Reg.Edx, 19, "clflush"), (1, 0, Reg.Edx, 23, "mmx"), (1, 0, Reg.Edx, 24, "fxsr"),
        (1, 0, Reg.Edx, 25, "sse"), (1, 0, Reg.Edx, 26, "sse2"), (1, 0, Reg.Edx, 27, "ss"), (1, 0, Reg.Edx, 28, "ht"),
        (1, 0, Reg.Ecx, 0, "pni"), (1, 0, Reg.Ecx, 1, "pclmulqdq"), (1, 0, Reg.Ecx, 3, "monitor"), (1, 0, Reg.Ecx, 5, "vmx"),
        (1, 0, Reg.Ecx, 9, "ssse3"), (1, 0, Reg.Ecx, 12, "fma"), (1, 0, Reg.Ecx, 13, "cx16"), (1, 0, Reg.Ecx, 17, "pcid"),
        (1, 0, Reg.Ecx, 19, "sse4.1"), (1, 0, Reg.Ecx, 20, "sse4.2"), (1, 0, Reg.Ecx, 21, "x2apic"), (1, 0, Reg.Ecx, 22, "movbe"),
        (1, 0, Reg.Ecx, 23, "popcnt"), (1, 0, Reg.Ecx, 24, "tsc-deadline"), (1, 0, Reg.Ecx, 25, "aes"), (1, 0, Reg.Ecx, 26, "xsave"),
        (1, 0, Reg.Ecx, 28, "avx"), (1, 0, Reg.Ecx, 29, "f16c"), (1, 0, Reg.Ecx, 30, "rdrand"), (1, 0, Reg.Ecx, 31, "hypervisor"),
        (7, 0, Reg.Ebx, 0, "fsgsbase"), (7, 0, Reg.Ebx, 3, "bmi1"), (7, 0, Reg.Ebx, 4, "hle"), (7, 0, Reg.Ebx, 5, "avx2"),
        (7, 0, Reg.Ebx, 7, "smep"), (7, 0, Reg.Ebx, 8, "bmi2"), (7, 0, Reg.Ebx, 9, "erms"), (7, 0, Reg.Ebx, 10, "invpcid"),
        (7, 0, Reg.Ebx, 11, "rtm"), (7, 0, Reg.Ebx, 16, "avx512f"), (7, 0, Reg.Ebx, 17, "avx512dq"), (7, 0, Reg.Ebx, 18, "rdseed"),
        (7, 0, Reg.Ebx, 19, "adx"), (7, 0, Reg.Ebx, 20, "smap"), (7, 0, Reg.Ebx, 23, "clflushopt"), (7, 0, Reg.Ebx, 24, "clwb"),
        (7, 0, Reg.Ebx, 28, "avx512cd"), (7, 0, Reg.Ebx, 29, "sha-ni"), (7, 0, Reg.Ebx, 30, "avx512bw"), (7, 0, Reg.Ebx, 31, "avx512vl"),
        (7, 0, Reg.Ecx, 1, "avx512vbmi"), (7, 0, Reg.Ecx, 2, "umip"), (7, 0, Reg.Ecx, 3, "pku"), (7, 0, Reg.Ecx, 8, "gfni"),
        (7, 0, Reg.Ecx, 9, "vaes"), (7, 0, Reg.Ecx, 10, "vpclmulqdq"), (7, 0, Reg.Ecx, 11, "avx512vnni"), (7, 0, Reg.Ecx, 22, "rdpid"),
        (7, 0, Reg.Edx, 10, "md-clear"), (7, 0, Reg.Edx, 14, "serialize"), (7, 0, Reg.Edx, 26, "spec-ctrl"), (7, 0, Reg.Edx, 27, "stibp"),
        (7, 0, Reg.Edx, 29, "arch-capabilities"), (7, 0, Reg.Edx, 31, "ssbd"),
        (0xD, 1, Reg.Eax, 0, "xsaveopt"), (0xD, 1, Reg.Eax, 1, "xsavec"), (0xD, 1, Reg.Eax, 3, "xsaves"),
        (0x8000_0001, 0, Reg.Ecx, 0, "lahf-lm"), (0x8000_0001, 0, Reg.Ecx, 2, "svm"), (0x8000_0001, 0, Reg.Ecx, 5, "abm"),
        (0x8000_0001, 0, Reg.Ecx, 6, "sse4a"), (0x8000_0001, 0, Reg.Ecx, 8, "3dnowprefetch"),
        (0x8000_0001, 0, Reg.Edx, 11, "syscall"), (0x8000_0001, 0, Reg.Edx, 20, "nx"), (0x8000_0001, 0, Reg.Edx, 26, "pdpe1gb"),
        (0x8000_0001, 0, Reg.Edx, 27, "rdtscp"), (0x8000_0001, 0, Reg.Edx, 29, "lm"),
        (0x4000_0001, 0, Reg.Eax, 0, "kvmclock"), (0x4000_0001, 0, Reg.Eax, 1, "kvm-nopiodelay"), (0x4000_0001, 0, Reg.Eax, 3, "kvmclock-stable-bit"),
        (0x4000_0001, 0, Reg.Eax, 4, "kvm-asyncpf"), (0x4000_0001, 0, Reg.Eax, 5, "kvm-steal-time"), (0x4000_0001, 0, Reg.Eax, 6, "kvm-pv-eoi"),
        (0x4000_0001, 0, Reg.Eax, 7, "kvm-pv-unhalt"), (0x4000_0001, 0, Reg.Eax, 9, "kvm-pv-tlb-flush"), (0x4000_0001, 0, Reg.Eax, 11, "kvm-pv-ipi"),
        (0x4000_0001, 0, Reg.Eax, 12, "kvm-poll-control"), (0x4000_0001, 0, Reg.Eax, 13, "kvm-pv-sched-yield"), (0x4000_0001, 0, Reg.Eax, 15, "kvm-msi-ext-dest-id"),
    };

    public static IReadOnlyList<string> Decode(KvmCpuidEntry2[] entries)
    {
        var names = new List<string>();
        foreach ((uint leaf, uint subleaf, Reg register, int bit, string name) in s_features)
        {
            KvmCpuidEntry2? entry = Find(entries, leaf, subleaf);
            if (entry is not { } e)
                continue;
            uint value = register switch { Reg.Eax => e.Eax, Reg.Ebx => e.Ebx, Reg.Ecx => e.Ecx, _ => e.Edx };
            if ((value & (1u << bit)) != 0)
                names.Add(name);
        }
        return names;
    }

    /// <summary>The vendor string of leaf 0 (EBX, EDX, ECX), e.g. "GenuineIntel".</summary>
    public static string Vendor(KvmCpuidEntry2[] entries)
    {
        if (Find(entries, 0, 0) is not { } e)
            return "";
        Span<byte> text = stackalloc byte[12];
        BitConverter.TryWriteBytes(text, e.Ebx);
        BitConverter.TryWriteBytes(text[4..], e.Edx);
        BitConverter.TryWriteBytes(text[8..], e.Ecx);
        return Encoding.ASCII.GetString(text).TrimEnd('\0');
    }

    private static KvmCpuidEntry2? Find(KvmCpuidEntry2[] entries, uint leaf, uint subleaf)
    {
        foreach (KvmCpuidEntry2 e in entries)
        {
            if (e.Function == leaf && ((e.Flags & KvmCpuidEntry2.FlagSignificantIndex) == 0 || e.Index == subleaf))
                return e;
        }
        return null;
    }
}
