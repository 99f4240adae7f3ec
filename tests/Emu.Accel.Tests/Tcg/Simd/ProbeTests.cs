namespace Emu.Accel.Tests.Tcg.Simd;
public sealed class ProbeTests
{
    [Fact]
    public void Probe()
    {
        Console.WriteLine("MN: " + string.Join(" ", Enum.GetNames<Iced.Intel.Mnemonic>().Where(n => n.StartsWith("F") || n.StartsWith("Wait"))));
    }
}
