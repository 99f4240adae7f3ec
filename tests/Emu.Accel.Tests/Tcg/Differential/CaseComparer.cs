using System.Text;
using Iced.Intel;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// Compares a case's outcome on the host and on the software CPU: the
/// exception (vector; the error code and CR2 where the CPU reports them),
/// RIP, the sixteen general registers, the RFLAGS bits a user program can
/// see (arithmetic flags less the undefined ones, DF, IF, NT, ID) and the
/// data region. A mismatch is described with the instruction, its inputs
/// and both outcomes.
/// </summary>
internal static class CaseComparer
{
    /// <summary>
    /// The arithmetic flags and TF, IF, DF, IOPL, NT, RF, AC, VIF, VIP and ID: all of RFLAGS but the fixed
    /// bits and VM. (RF is as the CPU pushed it with the exception: 1 for faults, SDM vol. 3A, 18.3.1.1.)
    /// </summary>
    public const ulong ComparedFlags = UndefinedFlags.All | Tf | If | Df | Iopl | Nt | Rf | Ac | Vif | Vip | Id;

    public const ulong Tf = 0x100, If = 0x200, Df = 0x400, Iopl = 0x3000, Nt = 0x4000, Rf = 0x1_0000, Ac = 0x4_0000,
        Vif = 0x8_0000, Vip = 0x10_0000, Id = 0x20_0000;

    private static readonly string[] s_names = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    public static string RegisterName(int index) => s_names[index];

    /// <summary>Null when they agree; otherwise what differs, with the case and both outcomes.</summary>
    public static string? Compare(TestCase c, CaseOutcome host, CaseOutcome soft) => Find(c, host, soft)?.Text;

    /// <summary>Null when they agree; otherwise the differences.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Mismatch? Find(TestCase c, CaseOutcome host, CaseOutcome soft)
    {
        // A case that ends on neither side (the host's watchdog, the software CPU's budget) was stopped at different
        // points: there is nothing more to compare.
        if (host.Vector == CaseOutcome.NoException && soft.Vector == CaseOutcome.NoException)
            return null;
        var differences = new List<string>();
        if (host.Vector != soft.Vector)
            differences.Add("exception");
        else if (ExceptionNames.HasErrorCode(host.Vector) && ((host.ErrorCode ^ soft.ErrorCode) & ErrorCodeMask(host)) != 0)
            differences.Add("error code");
        if (host.Vector == 14 && soft.Vector == 14 && host.FaultAddress != soft.FaultAddress)
            differences.Add("CR2");
        if (host.Vector >= 0 && host.Signal != ExceptionNames.Signal(host.Vector))
            differences.Add($"host signal {host.Signal} is not the one the table gives vector {host.Vector}");
        if (host.Rip != soft.Rip)
            differences.Add("rip");
        for (int i = 0; i < 16; i++)
        {
            if ((c.UndefinedRegisters & (1 << i)) == 0 && host.Registers[i] != soft.Registers[i])
                differences.Add(s_names[i]);
        }
        ulong mask = ComparedFlags & ~c.UndefinedFlags;
        if (((host.Rflags ^ soft.Rflags) & mask) != 0)
            differences.Add($"rflags {FlagNames((host.Rflags ^ soft.Rflags) & mask)}");
        int first = -1, last = -1;
        for (int i = 0; i < host.Data.Length; i++)
        {
            if (host.Data[i] == soft.Data[i])
                continue;
            if (c.UndefinedData is { } u && i >= u.Offset && i < u.Offset + u.Length)
                continue;
            if (first < 0)
                first = i;
            last = i;
        }
        if (first >= 0)
            differences.Add($"data[0x{first:x}..0x{last:x}]");
        if (differences.Count == 0)
            return null;
        return new Mismatch(c, host, soft, differences, Describe(c, host, soft, differences, first, last));
    }

    /// <summary>
    /// The error code bits the host reports faithfully: for a user access to a kernel address (from
    /// TASK_SIZE_MAX, 0x7FFF_FFFF_F000, up) Linux sets the present bit whatever the page tables say, so
    /// as not to leak their layout (arch/x86/mm/fault.c, sanitize_error_code).
    /// </summary>
    private static ulong ErrorCodeMask(CaseOutcome host) =>
        host.Vector == 14 && host.FaultAddress >= 0x7FFF_FFFF_F000 ? ~1UL : ~0UL;

    private static string Describe(TestCase c, CaseOutcome host, CaseOutcome soft, List<string> differences, int first, int last)
    {
        var s = new StringBuilder();
        string bytes = Convert.ToHexString(c.Code, 0, Math.Min(c.Code.Length, 48)).ToLowerInvariant();
        s.Append(c.Name).Append("   [").Append(bytes).Append(c.Code.Length > 48 ? $"... {c.Code.Length} bytes" : "").Append(']').AppendLine();
        s.Append("  differs: ").AppendJoin(", ", differences).AppendLine();
        s.Append("  in:   ");
        for (int i = 0; i < 16; i++)
            s.Append(s_names[i]).Append('=').Append(c.Registers[i].ToString("x")).Append(' ');
        s.Append("rflags=").Append(c.Rflags.ToString("x")).AppendLine();
        foreach (DataPatch p in c.Patches)
            s.Append("        data[0x").Append(p.Offset.ToString("x")).Append("] = ").Append(Convert.ToHexString(p.Bytes).ToLowerInvariant()).AppendLine();
        AppendOutcome(s, "host", host, soft, c);
        AppendOutcome(s, "soft", soft, host, c);
        if (first >= 0)
        {
            int from = Math.Max(0, first - 4), to = Math.Min(host.Data.Length - 1, Math.Min(last + 4, first + 64));
            byte[] initial = c.InitialData();
            s.Append("  data[0x").Append(from.ToString("x")).Append("..]: initial ").Append(Convert.ToHexString(initial, from, to - from + 1).ToLowerInvariant()).AppendLine();
            s.Append("                  host    ").Append(Convert.ToHexString(host.Data, from, to - from + 1).ToLowerInvariant()).AppendLine();
            s.Append("                  soft    ").Append(Convert.ToHexString(soft.Data, from, to - from + 1).ToLowerInvariant()).AppendLine();
        }
        if (c.UndefinedFlags != 0 || c.MaskReason != null)
            s.Append("  masked: ").Append(FlagNames(c.UndefinedFlags)).Append(" (").Append(c.MaskReason).Append(')').AppendLine();
        return s.ToString();
    }

    private static void AppendOutcome(StringBuilder s, string who, CaseOutcome o, CaseOutcome other, TestCase c)
    {
        s.Append("  ").Append(who).Append(": ").Append(ExceptionNames.Name(o.Vector));
        if (ExceptionNames.HasErrorCode(o.Vector))
            s.Append('(').Append(o.ErrorCode.ToString("x")).Append(')');
        if (o.Vector == 14)
            s.Append(" cr2=").Append(o.FaultAddress.ToString("x"));
        s.Append(" rip=").Append(o.Rip.ToString("x")).Append(" rflags=").Append(o.Rflags.ToString("x"));
        s.Append(" [").Append(FlagNames(o.Rflags & UndefinedFlags.All)).Append(']');
        for (int i = 0; i < 16; i++)
        {
            // Registers that changed, or that differ from the other side.
            if (o.Registers[i] != c.Registers[i] || o.Registers[i] != other.Registers[i])
                s.Append(' ').Append(s_names[i]).Append('=').Append(o.Registers[i].ToString("x"));
        }
        if (o.Note != null)
            s.Append(" (").Append(o.Note).Append(')');
        s.AppendLine();
    }

    public static string FlagNames(ulong flags)
    {
        var names = new List<string>();
        if ((flags & UndefinedFlags.Cf) != 0) names.Add("CF");
        if ((flags & UndefinedFlags.Pf) != 0) names.Add("PF");
        if ((flags & UndefinedFlags.Af) != 0) names.Add("AF");
        if ((flags & UndefinedFlags.Zf) != 0) names.Add("ZF");
        if ((flags & UndefinedFlags.Sf) != 0) names.Add("SF");
        if ((flags & UndefinedFlags.Of) != 0) names.Add("OF");
        if ((flags & Tf) != 0) names.Add("TF");
        if ((flags & If) != 0) names.Add("IF");
        if ((flags & Df) != 0) names.Add("DF");
        if ((flags & Iopl) != 0) names.Add("IOPL");
        if ((flags & Nt) != 0) names.Add("NT");
        if ((flags & Rf) != 0) names.Add("RF");
        if ((flags & Ac) != 0) names.Add("AC");
        if ((flags & Vif) != 0) names.Add("VIF");
        if ((flags & Vip) != 0) names.Add("VIP");
        if ((flags & Id) != 0) names.Add("ID");
        return names.Count == 0 ? "-" : string.Join(' ', names);
    }

    /// <summary>Intel-syntax text of encoded code (for case names).</summary>
    public static string Disassemble(byte[] code)
    {
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(code));
        decoder.IP = DifferentialLayout.CodeBase;
        var formatter = new IntelFormatter();
        var output = new StringOutput();
        var parts = new List<string>();
        while (decoder.IP < DifferentialLayout.CodeBase + (ulong)code.Length)
        {
            decoder.Decode(out Instruction instruction);
            formatter.Format(instruction, output);
            parts.Add(output.ToStringAndReset());
        }
        return string.Join("; ", parts);
    }
}
