using System.Buffers.Binary;
using System.Text;

namespace Emu.Accel.Tests.Tcg.Simd;

/// <summary>Runs cases on the software CPU and on the host and compares the architectural results.</summary>
internal static class SimdOracle
{
    private static readonly object s_guestLock = new();

    /// <summary>A case count, multiplied by EMU_SIMD_SCALE (for long local runs) and offset by EMU_SIMD_SEED.</summary>
    public static int Scale(int cases) =>
        cases * (int.TryParse(Environment.GetEnvironmentVariable("EMU_SIMD_SCALE"), out int scale) && scale > 0 ? scale : 1);

    /// <summary>A seed for a test's random cases (EMU_SIMD_SEED shifts every seed, for other cases than the usual ones).</summary>
    public static int Seed(int seed) =>
        seed + (int.TryParse(Environment.GetEnvironmentVariable("EMU_SIMD_SEED"), out int offset) ? offset * 1000 : 0);
    private static SimdGuest? s_guest;

    public static void RunGuest(IReadOnlyList<SimdCase> cases)
    {
        lock (s_guestLock)
        {
            s_guest ??= new SimdGuest();
            SimdGuest g = s_guest;
            foreach (SimdCase c in cases)
            {
                g.Reset();
                c.Setup?.Invoke(g.Cpu);
                byte[] code = Snippet.Build(c.Body, host: false);
                g.WriteBytes(SimdGuest.CodeAddress, code);
                g.WriteBytes(SimdGuest.StateAddress, c.Input);
                c.GuestVector = g.Run(SimdGuest.CodeAddress);
                c.GuestState = g.Memory(SimdGuest.StateAddress, Snippet.Size).ToArray();
            }
        }
    }

    /// <summary>
    /// Runs a case's body alone on the guest (no prologue or epilogue: for
    /// CR0/CR4 settings under which FXRSTOR itself would fault), from the
    /// default x87/SSE state; GuestVector is the exception it raised, or -1.
    /// </summary>
    public static void RunGuestBodyOnly(SimdCase c)
    {
        lock (s_guestLock)
        {
            s_guest ??= new SimdGuest();
            SimdGuest g = s_guest;
            g.Reset();
            c.Setup?.Invoke(g.Cpu);
            var code = new byte[c.Body.Length + 1];
            c.Body.CopyTo(code, 0);
            code[^1] = 0xF4;
            g.WriteBytes(SimdGuest.CodeAddress, code);
            g.WriteBytes(SimdGuest.StateAddress, c.Input);
            g.Cpu.Gpr(5) = SimdGuest.StateAddress + Snippet.MemoryArea; // RBP at the memory area, as the prologue sets it
            c.GuestVector = g.Run(SimdGuest.CodeAddress);
            c.GuestState = g.Memory(SimdGuest.StateAddress, Snippet.Size).ToArray();
        }
    }

    /// <summary>Runs every case on both CPUs and fails listing the first mismatches.</summary>
    public static void AssertSameAsHost(IReadOnlyList<SimdCase> cases, int maxReported = 15)
    {
        RunGuest(cases);
        HostRunner.Run(cases);
        var report = new StringBuilder();
        int mismatches = 0, reported = 0;
        foreach (SimdCase c in cases)
        {
            string? diff = Compare(c);
            if (diff == null)
                continue;
            mismatches++;
            string? only = Environment.GetEnvironmentVariable("EMU_SIMD_FILTER");
            if (reported < maxReported && (only == null || c.Name.StartsWith(only, StringComparison.Ordinal)))
            {
                reported++;
                report.Append(c.Name).Append(": ").AppendLine(diff);
                if (Environment.GetEnvironmentVariable("EMU_SIMD_DUMP") == "1")
                    report.Append(DumpX87(c));
            }
        }
        if (mismatches > 0 && Environment.GetEnvironmentVariable("EMU_SIMD_SUMMARY") == "1")
        {
            // Mismatches by instruction form and the fields that differ.
            var groups = new SortedDictionary<string, int>();
            foreach (SimdCase c in cases)
            {
                string? diff = Compare(c);
                if (diff == null)
                    continue;
                string fields = string.Join(",", diff.Split("; ").Where(x => !x.StartsWith('[')).Select(x => x.Split(' ')[0]));
                string key = c.Name.Split(' ')[0] + " " + fields;
                groups[key] = groups.GetValueOrDefault(key) + 1;
            }
            foreach (var (key, count) in groups)
                report.AppendLine($"  {count,5} {key}");
        }
        Assert.True(mismatches == 0, $"{mismatches} of {cases.Count} cases differ from the host:\n{report}");
    }

    /// <summary>The differences between the guest's and the host's results, or null.</summary>
    public static string? Compare(SimdCase c)
    {
        var sb = new StringBuilder();
        if (c.GuestVector != c.HostVector)
            sb.Append($"vector guest {c.GuestVector} host {c.HostVector}; ");
        byte[] g = c.GuestState!, h = c.HostState!;
        bool[] ignored = new bool[Snippet.Size];
        foreach ((int offset, int length) in c.Ignore)
            for (int i = 0; i < length; i++)
                ignored[offset + i] = true;

        void Field(string name, int offset, int length, ulong mask = ulong.MaxValue)
        {
            if (ignored[offset])
                return;
            ulong gv = Read(g, offset, length) & mask, hv = Read(h, offset, length) & mask;
            if (gv != hv)
                sb.Append($"{name} guest {gv:X} host {hv:X}; ");
        }

        Field("fcw", Snippet.Fcw, 2);
        Field("fsw", Snippet.Fsw, 2, c.ApproximateBits != 0 ? (ulong)(c.FswMask & ~0x220) : c.FswMask);
        Field("ftw", Snippet.Ftw, 1);
        Field("mxcsr", Snippet.Mxcsr, 4);
        for (int i = 0; i < 8; i++)
        {
            if (c.ApproximateBits != 0 && Close(g, h, Snippet.St0 + 16 * i, c.ApproximateBits))
                continue;
            Field($"st{i}.sig", Snippet.St0 + 16 * i, 8);
            Field($"st{i}.exp", Snippet.St0 + 16 * i + 8, 2);
        }
        for (int i = 0; i < 16; i++)
        {
            Field($"xmm{i}.lo", Snippet.Xmm0 + 16 * i, 8);
            Field($"xmm{i}.hi", Snippet.Xmm0 + 16 * i + 8, 8);
        }
        if (c.GuestVector < 0)
        {
            Field("rax", Snippet.Rax, 8);
            Field("rbx", Snippet.Rbx, 8);
            Field("rcx", Snippet.Rcx, 8);
            Field("rdx", Snippet.Rdx, 8);
            Field("r8", Snippet.R8, 8);
            Field("r9", Snippet.R9, 8);
            Field("rflags", Snippet.FlagsOut, 8, c.FlagMask);
        }
        for (int i = Snippet.MemoryArea; i < Snippet.Size; i += 8)
        {
            // Ignored bytes inside a word are masked out.
            ulong mask = 0;
            for (int b = 0; b < 8; b++)
            {
                if (!ignored[i + b])
                    mask |= 0xFFUL << (8 * b);
            }
            if (mask == 0)
                continue;
            ulong gv = Read(g, i, 8) & mask, hv = Read(h, i, 8) & mask;
            if (gv != hv)
                sb.Append($"mem+{i - Snippet.MemoryArea} guest {gv:X} host {hv:X}; ");
        }
        if (sb.Length == 0)
            return null;
        sb.Append($"[input mxcsr {Read(c.Input, Snippet.Mxcsr, 4):X} fcw {Read(c.Input, Snippet.Fcw, 2):X} xmm0 {Read(c.Input, Snippet.Xmm0 + 8, 8):X16}{Read(c.Input, Snippet.Xmm0, 8):X16} xmm1 {Read(c.Input, Snippet.Xmm0 + 24, 8):X16}{Read(c.Input, Snippet.Xmm0 + 16, 8):X16}]");
        return sb.ToString();
    }

    /// <summary>A readable dump of a case's x87 state: input, guest and host (for investigating mismatches).</summary>
    public static string DumpX87(SimdCase c)
    {
        var sb = new StringBuilder();
        void One(string name, byte[] s)
        {
            sb.Append($"{name}: fcw {Read(s, Snippet.Fcw, 2):X4} fsw {Read(s, Snippet.Fsw, 2):X4} ftw {Read(s, Snippet.Ftw, 1):X2} flags {Read(s, Snippet.FlagsOut, 2):X} mem {Read(s, Snippet.MemoryArea + 24, 2):X4}:{Read(s, Snippet.MemoryArea + 16, 8):X16}\n   ");
            for (int i = 0; i < 8; i++)
                sb.Append($"st{i} {Read(s, Snippet.St0 + 16 * i + 8, 2):X4}:{Read(s, Snippet.St0 + 16 * i, 8):X16} ");
            sb.AppendLine();
        }
        One("in", c.Input);
        One("guest", c.GuestState!);
        One("host", c.HostState!);
        return sb.ToString();
    }

    // Two 80-bit values equal, or finite with the same sign and a relative difference below 2^-bits.
    private static bool Close(byte[] g, byte[] h, int offset, int bits)
    {
        ulong gm = Read(g, offset, 8), hm = Read(h, offset, 8);
        ulong ge = Read(g, offset + 8, 2), he = Read(h, offset + 8, 2);
        if (gm == hm && ge == he)
            return true;
        if ((ge & 0x8000) != (he & 0x8000) || (ge & 0x7FFF) == 0x7FFF || (he & 0x7FFF) == 0x7FFF)
            return false;
        // Compare as 128-bit integers at the larger exponent; denormal results may differ by a unit.
        int eg = (int)(ge & 0x7FFF), eh = (int)(he & 0x7FFF);
        if (eg == 0 && eh == 0)
        {
            ulong d = gm > hm ? gm - hm : hm - gm;
            return d <= 1 || d <= (Math.Max(gm, hm) >> bits);
        }
        if (Math.Abs(eg - eh) > 1)
            return false;
        UInt128 a = (UInt128)gm << (64 + eg - Math.Max(eg, eh)), b = (UInt128)hm << (64 + eh - Math.Max(eg, eh));
        UInt128 diff = a > b ? a - b : b - a;
        return diff <= (UInt128.Max(a, b) >> bits);
    }

    private static ulong Read(byte[] b, int offset, int length)
    {
        Span<byte> tmp = stackalloc byte[8];
        tmp.Clear();
        b.AsSpan(offset, length).CopyTo(tmp);
        return BinaryPrimitives.ReadUInt64LittleEndian(tmp);
    }
}
