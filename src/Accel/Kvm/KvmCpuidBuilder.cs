using System.Numerics;
using Emu.Accel.Kvm.Interop;

namespace Emu.Accel.Kvm;

/// <summary>
/// The CPUID a vCPU shows: what KVM supports on this host, with a topology
/// consistent with the number of vCPUs (one socket, one thread per core, APIC
/// ID = vCPU index) written into the leaves that describe it (Intel SDM vol. 2A
/// CPUID leaves 01h, 04h, 0Bh, 1Fh; AMD APM vol. 3 leaf 8000_0008h).
/// KVM_GET_SUPPORTED_CPUID leaves out the TSC-deadline timer even where
/// the in-kernel local APIC emulates it (KVM_CAP_TSC_DEADLINE_TIMER): the
/// VMM sets the bit, so that Linux arms its timer with one MSR write
/// instead of calibrating and programming the APIC timer.
/// </summary>
internal static class KvmCpuidBuilder
{
    private const uint HypervisorBit = 1u << 31;   // leaf 1 ECX
    private const uint HyperThreadingBit = 1u << 28; // leaf 1 EDX
    private const uint TscDeadlineBit = 1u << 24;    // leaf 1 ECX

    public static KvmCpuidEntry2[] Build(KvmCpuidEntry2[] supported, int vcpuIndex, int vcpuCount, bool tscDeadlineTimer = false)
    {
        var entries = (KvmCpuidEntry2[])supported.Clone();
        uint apicId = (uint)vcpuIndex;
        uint count = (uint)Math.Max(vcpuCount, 1);
        int coreBits = count <= 1 ? 0 : BitOperations.Log2(BitOperations.RoundUpToPowerOf2(count));
        for (int i = 0; i < entries.Length; i++)
        {
            ref KvmCpuidEntry2 e = ref entries[i];
            switch (e.Function)
            {
                case 0x1:
                    // EBX[31:24] initial APIC ID, [23:16] addressable logical processors.
                    e.Ebx = (e.Ebx & 0x0000_FFFF) | (apicId << 24) | (Math.Min(1u << coreBits, 255u) << 16);
                    e.Ecx |= HypervisorBit;
                    if (tscDeadlineTimer)
                        e.Ecx |= TscDeadlineBit;
                    e.Edx = count > 1 ? e.Edx | HyperThreadingBit : e.Edx & ~HyperThreadingBit;
                    break;
                case 0x4:
                    // EAX[31:26]: cores per package - 1; [25:14]: logical processors sharing this cache - 1.
                    if ((e.Eax & 0x1F) != 0)
                    {
                        uint level = (e.Eax >> 5) & 0x7;
                        uint sharing = level >= 3 ? (1u << coreBits) - 1 : 0;
                        e.Eax = (e.Eax & 0x3FFF) | (sharing << 14) | (((1u << coreBits) - 1) << 26);
                    }
                    break;
                case 0xB:
                case 0x1F:
                    SetExtendedTopology(ref e, apicId, count, coreBits);
                    break;
                case 0x8000_0008:
                    // ECX[7:0] NC: cores - 1; [15:12] ApicIdSize.
                    e.Ecx = (e.Ecx & ~0xF0FFu) | (count - 1) | ((uint)coreBits << 12);
                    break;
            }
        }
        return entries;
    }

    private static void SetExtendedTopology(ref KvmCpuidEntry2 e, uint apicId, uint count, int coreBits)
    {
        e.Edx = apicId;
        switch (e.Index)
        {
            case 0: // SMT level: one thread per core
                e.Eax = 0;
                e.Ebx = 1;
                e.Ecx = (1u << 8) | 0;
                break;
            case 1: // core level: all vCPUs in one package
                e.Eax = (uint)coreBits;
                e.Ebx = count;
                e.Ecx = (2u << 8) | 1;
                break;
            default: // no more levels
                e.Eax = 0;
                e.Ebx = 0;
                e.Ecx = e.Index;
                break;
        }
    }
}
