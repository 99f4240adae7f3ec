using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>
/// The x87 transcendental instructions against the host: special operands
/// must give exactly the host's results and exceptions; finite results are
/// computed in double precision here, so they are compared to 2^-50
/// (relative), and PE and C1 are not compared.
/// </summary>
public sealed class X87TranscendentalTests
{
    private static readonly int CasesPerForm = SimdOracle.Scale(300);

    /// <summary>
    /// <paramref name="bits"/>: the relative accuracy required. The logarithms, 2^x - 1 and atan
    /// are good to a few double ulps; the trigonometric functions round their argument to double
    /// first, so their absolute error grows with |x| (2^-53 |x|): arguments here stay below 2^7.
    /// </summary>
    [Theory]
    [InlineData(Code.F2xm1, -1.0, 1.0, 48)]
    [InlineData(Code.Fyl2x, 0.0, 1e6, 48)]
    [InlineData(Code.Fyl2xp1, -0.29, 0.29, 48)]
    [InlineData(Code.Fpatan, -1e3, 1e3, 48)]
    [InlineData(Code.Fptan, -1.5, 1.5, 46)]
    [InlineData(Code.Fsin, -100.0, 100.0, 40)]
    [InlineData(Code.Fcos, -100.0, 100.0, 40)]
    [InlineData(Code.Fsincos, -100.0, 100.0, 40)]
    public void Matches_the_host_to_double_precision(Code code, double low, double high, int bits)
    {
        var random = new Random(SimdOracle.Seed(40 + (int)code % 100));
        var values = new X87Values(random);
        var cases = new List<SimdCase>();
        for (int k = 0; k < CasesPerForm; k++)
        {
            var state = new SimdState(random).RandomFill();
            for (int i = 0; i < 8; i++)
            {
                (ulong m, ushort se) = random.Next(3) == 0 ? values.Next(allowUnsupported: false) : InRange(random, low, high);
                // Finite operands outside the documented domain give undefined results: keep them inside.
                int e = (se & 0x7FFF) - 16383;
                bool finite = (se & 0x7FFF) != 0x7FFF && m != 0;
                if (finite && code is Code.F2xm1 && e >= 0 && (e > 0 || m != 1UL << 63))
                    (m, se) = InRange(random, low, high);
                if (finite && code is Code.Fyl2xp1 && e >= -2)
                    (m, se) = InRange(random, low, high);
                state.St(i, m, se);
            }
            ushort cw = (ushort)(0x37F | (random.Next(4) << 10));
            state.Fcw(cw).Fsw((ushort)(random.Next(8) << 11)).Ftw(random.Next(8) == 0 ? (byte)random.Next(256) : (byte)0x7F);
            var c = new SimdCase($"{code} #{k}", Snippet.Encode(Instruction.Create(code)), state.Bytes) { ApproximateBits = bits };
            cases.Add(c);
        }
        SimdOracle.AssertSameAsHost(cases);
    }

    private static (ulong, ushort) InRange(Random random, double low, double high)
    {
        double v = low + (high - low) * random.NextDouble();
        if (random.Next(4) == 0)
            v = Math.ScaleB(v, -random.Next(70));
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(v);
        if (v == 0)
            return (0, (ushort)(bits >> 48 & 0x8000));
        int e = (int)(bits >> 52 & 0x7FF) - 1023;
        ulong m = (1UL << 63) | ((bits & 0xF_FFFF_FFFF_FFFF) << 11) | (uint)random.Next(2048);
        return (m, (ushort)((int)(bits >> 48 & 0x8000) | (e + 16383)));
    }
}
