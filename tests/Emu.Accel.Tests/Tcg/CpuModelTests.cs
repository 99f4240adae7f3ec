using Emu.Accel.Tcg;
using Emu.Accel.Tests.Tcg.Simd;

namespace Emu.Accel.Tests.Tcg;

/// <summary>
/// The software CPU's speculation controls and immunities as a guest kernel reads
/// them: CPUID leaf 7 enumerates IA32_TSC_ADJUST (EBX[1]), IA32_SPEC_CTRL/IA32_PRED_CMD (EDX[26]),
/// IA32_ARCH_CAPABILITIES (EDX[29]) and, in subleaf 2, BHI_DIS_S (EDX[4]); the MSRs
/// accept the enumerated bits and raise #GP (the WRMSR fails) for any other.
/// </summary>
public sealed class CpuModelTests
{
    private const uint MsrSpecCtrl = 0x48, MsrPredCmd = 0x49, MsrArchCapabilities = 0x10A;

    [Fact]
    public void Leaf7AnnouncesTheSpeculationMsrsAndNoInstructionExtensions()
    {
        var model = new CpuidModel("test", 2, x87AndSse: true);
        model.Query(0, 0, 0, out uint maxLeaf, out _, out _, out _);
        Assert.True(maxLeaf >= 7);

        model.Query(7, 0, 0, out uint eax, out uint ebx, out uint ecx, out uint edx);
        Assert.Equal(2u, eax); // highest subleaf
        Assert.Equal(1u << 1, ebx); // IA32_TSC_ADJUST only; no BMI1/2, AVX2, FSGSBASE, ...: none is implemented
        Assert.Equal(0u, ecx);
        Assert.NotEqual(0u, edx & (1u << 26)); // IBRS/IBPB
        Assert.NotEqual(0u, edx & (1u << 29)); // IA32_ARCH_CAPABILITIES
        Assert.Equal(0u, edx & (1u << 27)); // no STIBP
        Assert.Equal(0u, edx & (1u << 31)); // no SSBD

        model.Query(7, 2, 0, out _, out _, out _, out edx);
        Assert.Equal(1u << 4, edx); // BHI_CTRL
    }

    [Fact]
    public void TscAdjustMovesWithTscWritesAndMovesTheTsc()
    {
        // SDM vol. 3B, 18.17.3: a write to IA32_TSC adds the same difference to
        // IA32_TSC_ADJUST; a write to IA32_TSC_ADJUST moves the TSC by the difference.
        using var guest = new SimdGuest();
        const uint MsrTsc = 0x10, MsrTscAdjust = 0x3B;
        Assert.True(guest.Cpu.TryReadMsr(MsrTscAdjust, out ulong adjust));
        Assert.Equal(0UL, adjust);

        Assert.True(guest.Cpu.TryReadMsr(MsrTsc, out ulong before));
        const ulong Ahead = 1UL << 40;
        Assert.True(guest.Cpu.TryWriteMsr(MsrTsc, before + Ahead));
        Assert.True(guest.Cpu.TryReadMsr(MsrTscAdjust, out adjust));
        // The TSC ran on between the read and the write: the adjustment is Ahead less that.
        Assert.InRange((long)adjust, (long)Ahead - 60_000_000_000, (long)Ahead);

        Assert.True(guest.Cpu.TryWriteMsr(MsrTscAdjust, 0));
        Assert.True(guest.Cpu.TryReadMsr(MsrTsc, out ulong after));
        Assert.True(after < before + Ahead / 2, $"TSC {after:X} still carries the adjustment (was {before:X})");
        Assert.True(after >= before);
    }

    [Fact]
    public void ArchCapabilitiesSayTheCpuIsImmuneToMeltdownAndDataSampling()
    {
        using var guest = new SimdGuest();
        Assert.True(guest.Cpu.TryReadMsr(MsrArchCapabilities, out ulong caps));
        Assert.NotEqual(0UL, caps & (1 << 0)); // RDCL_NO: no page-table isolation needed
        Assert.NotEqual(0UL, caps & (1 << 1)); // IBRS_ALL: enhanced IBRS
        Assert.NotEqual(0UL, caps & (1 << 5)); // MDS_NO: no VERW on every return to user mode
        Assert.Equal(0UL, caps & (1 << 2)); // not RSBA: RET never predicted from the BTB
        Assert.Equal(0UL, caps & (1 << 7)); // no TSX_CTRL MSR
        Assert.False(guest.Cpu.TryWriteMsr(MsrArchCapabilities, caps)); // read-only
    }

    [Theory]
    [InlineData(MsrSpecCtrl, 0UL, true)]
    [InlineData(MsrSpecCtrl, 1UL, true)] // IBRS
    [InlineData(MsrSpecCtrl, 0x401UL, true)] // IBRS | BHI_DIS_S
    [InlineData(MsrSpecCtrl, 2UL, false)] // STIBP: not enumerated
    [InlineData(MsrSpecCtrl, 4UL, false)] // SSBD: not enumerated
    [InlineData(MsrSpecCtrl, 1UL << 63, false)]
    [InlineData(MsrPredCmd, 1UL, true)] // IBPB
    [InlineData(MsrPredCmd, 2UL, false)]
    public void SpeculationControlWritesAcceptOnlyTheEnumeratedBits(uint msr, ulong value, bool accepted)
    {
        using var guest = new SimdGuest();
        Assert.Equal(accepted, guest.Cpu.TryWriteMsr(msr, value));
        if (msr == MsrSpecCtrl)
        {
            Assert.True(guest.Cpu.TryReadMsr(msr, out ulong now));
            Assert.Equal(accepted ? value : 0, now);
        }
    }
}
