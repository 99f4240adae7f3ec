namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Encodings whose meaning depends on a CPUID feature bit run as the features
/// the software CPU advertises say they do, whatever the host has: a guest
/// that finds BMI1 absent may rely on F3 0F BC being BSF (SDM TZCNT,
/// "Description": on processors that do not support TZCNT the encoding
/// executes as BSF), and one that finds LZCNT (CPUID.80000001H:ECX[5]) and
/// POPCNT (CPUID.01H:ECX[23]) may use them.
/// </summary>
public sealed class AdvertisedFeatureTests
{
    private const int Rdx = 2, Rbx = 3, R8 = 8, R9 = 9, R10 = 10, R11 = 11;
    private const ulong Cf = 1, Zf = 1 << 6;

    [Fact]
    public void WithoutBmi1TheTzcntEncodingRunsAsBsf()
    {
        byte[] code =
        [
            0xB8, 0x07, 0x00, 0x00, 0x00, // mov eax, 7
            0x31, 0xC9,                   // xor ecx, ecx
            0x0F, 0xA2,                   // cpuid
            0x41, 0x89, 0xD8,             // mov r8d, ebx (leaf 7 EBX)
            0xF3, 0x4D, 0x0F, 0xBC, 0xCA, // F3 0F BC r9, r10 with r10 = 0
        ];
        var s = new CaseState(new OperandValues(21));
        s.Set(R9, 0x1234_5678_9ABC_DEF0);
        s.Set(R10, 0);
        CaseOutcome outcome = Run(s.Build(code));

        Assert.Equal(0UL, outcome.Registers[R8] & (1 << 3)); // BMI1 not advertised
        Assert.Equal(0x1234_5678_9ABC_DEF0UL, outcome.Registers[R9]); // BSF leaves the destination of a zero source
        Assert.Equal(Zf, outcome.Rflags & Zf);

        // A nonzero source: the index of its lowest set bit, ZF clear (TZCNT would give the same count).
        s.Set(R10, 0x8_0000);
        outcome = Run(s.Build(code));
        Assert.Equal(19UL, outcome.Registers[R9]);
        Assert.Equal(0UL, outcome.Rflags & Zf);
    }

    [Fact]
    public void AdvertisedLzcntAndPopcntCountAsTheirDefinitions()
    {
        byte[] code =
        [
            0xB8, 0x01, 0x00, 0x00, 0x80, // mov eax, 0x80000001
            0x0F, 0xA2,                   // cpuid
            0x41, 0x89, 0xC8,             // mov r8d, ecx (ABM/LZCNT in bit 5)
            0xB8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1
            0x0F, 0xA2,                   // cpuid
            0x89, 0xCB,                   // mov ebx, ecx (POPCNT in bit 23)
            0xF3, 0x4D, 0x0F, 0xB8, 0xCA, // popcnt r9, r10
            0x0F, 0x94, 0xC2,             // setz dl (ZF after POPCNT)
            0xF3, 0x45, 0x0F, 0xBD, 0xD3, // lzcnt r10d, r11d with r11d = 0
        ];
        var s = new CaseState(new OperandValues(22));
        s.Set(R10, 0xF000_0000_0000_0003);
        s.Set(R11, 0xFFFF_FFFF_0000_0000);
        CaseOutcome outcome = Run(s.Build(code));
        Assert.NotEqual(0UL, outcome.Registers[R8] & (1 << 5));
        Assert.NotEqual(0UL, outcome.Registers[Rbx] & (1 << 23));
        Assert.Equal(6UL, outcome.Registers[R9]);
        Assert.Equal(0UL, outcome.Registers[Rdx] & 0xFF);
        // LZCNT of a 32-bit zero: 32, CF set (it would be BSR, leaving the destination, without LZCNT).
        Assert.Equal(32UL, outcome.Registers[R10]);
        Assert.Equal(Cf, outcome.Rflags & Cf);
    }

    private static CaseOutcome Run(TestCase c)
    {
        using var machine = new SoftCpuMachine();
        CaseOutcome outcome = machine.Run(c);
        Assert.Equal(3, outcome.Vector); // the INT3 after the case's code: it ran to its end
        return outcome;
    }
}
