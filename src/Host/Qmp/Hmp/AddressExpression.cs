using System.Globalization;
using Emu.Core.Cpu;
using Emu.Core.Diagnostics;

namespace Emu.Host.Qmp.Hmp;

/// <summary>Evaluates a monitor address: numbers and registers added and subtracted ("$pc", "0x1000", "$rsp+16").</summary>
internal static class AddressExpression
{
    public static ulong Evaluate(string text, in VcpuState state)
    {
        ulong total = 0;
        int sign = 1;
        int i = 0;
        string s = text.Replace(" ", "", StringComparison.Ordinal);
        if (s.Length == 0)
            throw new QmpException("missing address");
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && s[i] is not ('+' or '-'))
                i++;
            ulong term = Term(s[start..i], in state);
            total = sign > 0 ? total + term : total - term;
            if (i < s.Length)
            {
                sign = s[i] == '+' ? 1 : -1;
                i++;
                if (i == s.Length)
                    throw new QmpException($"'{text}': expression ends with an operator");
            }
        }
        return total;
    }

    private static ulong Term(string term, in VcpuState state)
    {
        if (term.StartsWith('$'))
            return Register(term[1..].ToLowerInvariant(), in state) ?? throw new QmpException($"unknown register '{term}'");
        if (term.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(term.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hex))
            return hex;
        if (ulong.TryParse(term, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
            return value;
        throw new QmpException($"invalid address '{term}'");
    }

    private static ulong? Register(string name, in VcpuState state)
    {
        X86Registers r = state.Registers;
        X86SpecialRegisters s = state.Special;
        // $pc is the linear address of the next instruction: CS base plus (E)IP outside 64-bit mode.
        ulong pc = CpuStateDump.Bitness(in s) == 64 ? r.Rip : s.Cs.Base + (r.Rip & 0xFFFF_FFFF);
        return name switch
        {
            "pc" => pc,
            "rip" or "eip" or "ip" => r.Rip,
            "rax" or "eax" => r.Rax,
            "rbx" or "ebx" => r.Rbx,
            "rcx" or "ecx" => r.Rcx,
            "rdx" or "edx" => r.Rdx,
            "rsi" or "esi" => r.Rsi,
            "rdi" or "edi" => r.Rdi,
            "rbp" or "ebp" => r.Rbp,
            "rsp" or "esp" or "sp" => r.Rsp,
            "r8" => r.R8,
            "r9" => r.R9,
            "r10" => r.R10,
            "r11" => r.R11,
            "r12" => r.R12,
            "r13" => r.R13,
            "r14" => r.R14,
            "r15" => r.R15,
            "cr3" => s.Cr3,
            _ => null,
        };
    }
}
