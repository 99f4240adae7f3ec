namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>One test: a snippet body, its input state block, and what came out (guest and host).</summary>
internal sealed class SimdCase
{
    public SimdCase(string name, byte[] body, byte[] state)
    {
        Name = name;
        Body = body;
        Input = state;
    }

    public string Name { get; }

    public byte[] Body { get; }

    public byte[] Input { get; }

    /// <summary>Bytes of the block not to compare (undefined results, or known host/Intel differences).</summary>
    public List<(int Offset, int Length)> Ignore { get; } = new();

    /// <summary>Flag bits (RFLAGS) to compare; the six arithmetic flags by default.</summary>
    public ulong FlagMask { get; set; } = 0x8D5;

    /// <summary>Changes to the guest CPU after its reset (CR0, CR4 bits) for guest-only cases.</summary>
    public Action<Emu.Accel.Tcg.X86Cpu>? Setup { get; set; }

    /// <summary>
    /// When nonzero, x87 registers are compared approximately (a relative
    /// difference below 2^-ApproximateBits: the double-precision
    /// transcendentals), and PE and C1 are not compared.
    /// </summary>
    public int ApproximateBits { get; set; }

    /// <summary>x87 status word bits to compare (all by default).</summary>
    public ushort FswMask { get; set; } = 0xFFFF;

    public int GuestVector { get; set; } = -2;
    public byte[]? GuestState { get; set; }
    public int HostVector { get; set; } = -2;
    public byte[]? HostState { get; set; }
}
