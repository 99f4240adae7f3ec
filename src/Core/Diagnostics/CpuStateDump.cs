using System.Text;
using Emu.Core.Cpu;
using Emu.Core.Memory;
using Iced.Intel;
using Decoder = Iced.Intel.Decoder;

namespace Emu.Core.Diagnostics;

/// <summary>
/// The text people read when a guest dies: the registers, and the
/// instructions around RIP disassembled with Iced, the faulting one marked.
/// </summary>
public static class CpuStateDump
{
    private const int BytesBefore = 32;
    private const int BytesAfter = 48;

    public static string Capture(IVcpu vcpu, AddressSpace memory)
    {
        X86Registers r = vcpu.GetRegisters();
        X86SpecialRegisters s = vcpu.GetSpecialRegisters();
        var text = new StringBuilder();
        text.Append(FormatRegisters(in r, in s));
        text.Append(Disassemble(vcpu, memory, in r, in s, instructionsAfter: 6));
        return text.ToString();
    }

    public static string FormatRegisters(in X86Registers r, in X86SpecialRegisters s)
    {
        var t = new StringBuilder();
        t.AppendLine($"RAX={r.Rax:x16} RBX={r.Rbx:x16} RCX={r.Rcx:x16} RDX={r.Rdx:x16}");
        t.AppendLine($"RSI={r.Rsi:x16} RDI={r.Rdi:x16} RBP={r.Rbp:x16} RSP={r.Rsp:x16}");
        t.AppendLine($"R8 ={r.R8:x16} R9 ={r.R9:x16} R10={r.R10:x16} R11={r.R11:x16}");
        t.AppendLine($"R12={r.R12:x16} R13={r.R13:x16} R14={r.R14:x16} R15={r.R15:x16}");
        t.AppendLine($"RIP={r.Rip:x16} RFL={r.Rflags:x8} CPL={s.CurrentPrivilegeLevel} {ModeName(in s)}");
        AppendSegment(t, "ES", s.Es);
        AppendSegment(t, "CS", s.Cs);
        AppendSegment(t, "SS", s.Ss);
        AppendSegment(t, "DS", s.Ds);
        AppendSegment(t, "FS", s.Fs);
        AppendSegment(t, "GS", s.Gs);
        AppendSegment(t, "TR", s.Tr);
        t.AppendLine($"GDT={s.Gdt.Base:x16} {s.Gdt.Limit:x4}  IDT={s.Idt.Base:x16} {s.Idt.Limit:x4}");
        t.AppendLine($"CR0={s.Cr0:x8} CR2={s.Cr2:x16} CR3={s.Cr3:x16} CR4={s.Cr4:x8} EFER={s.Efer:x}");
        return t.ToString();
    }

    private static void AppendSegment(StringBuilder t, string name, X86Segment seg) =>
        t.AppendLine($"{name} ={seg.Selector:x4} {seg.Base:x16} {seg.Limit:x8} type={seg.Type:x} dpl={seg.Dpl}{(seg.Long ? " L" : "")}{(seg.DefaultBig ? " DB" : "")}{(seg.Present ? "" : " not-present")}");

    private static string ModeName(in X86SpecialRegisters s) =>
        s.IsLongMode64 ? "long mode (64-bit)" : (s.Efer & (1 << 10)) != 0 ? "compatibility mode" : s.IsProtectedMode ? (s.Cs.DefaultBig ? "protected mode (32-bit)" : "protected mode (16-bit)") : "real mode";

    public static int Bitness(in X86SpecialRegisters s) => s.IsLongMode64 ? 64 : s.IsProtectedMode && s.Cs.DefaultBig ? 32 : 16;

    /// <summary>The code around RIP: a few instructions before it (when a decoding that lands on RIP exists) and some after.</summary>
    public static string Disassemble(IVcpu vcpu, AddressSpace memory, in X86Registers r, in X86SpecialRegisters s, int instructionsAfter)
    {
        int bitness = Bitness(in s);
        ulong rip = bitness == 64 ? r.Rip : s.Cs.Base + r.Rip;
        ulong start = rip >= BytesBefore ? rip - BytesBefore : 0;
        int before = (int)(rip - start);
        byte[] code = new byte[before + BytesAfter];
        if (!TryReadLinear(vcpu, memory, start, code, in s))
        {
            // The bytes before RIP may sit on an unmapped page: show from RIP on.
            start = rip;
            before = 0;
            code = new byte[BytesAfter];
            if (!TryReadLinear(vcpu, memory, rip, code, in s))
                return $"code at {rip:x16}: unreadable\n";
        }
        var t = new StringBuilder();
        t.AppendLine("Code:");
        int entry = FindDecodingStart(code, before, start, bitness);
        var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(code, entry, code.Length - entry));
        decoder.IP = start + (ulong)entry;
        var formatter = new IntelFormatter();
        var output = new StringOutput();
        int after = 0;
        while (decoder.IP < start + (ulong)code.Length && after <= instructionsAfter)
        {
            decoder.Decode(out Instruction instruction);
            if (instruction.IsInvalid && decoder.IP > start + (ulong)code.Length)
                break;
            formatter.Format(instruction, output);
            int offset = (int)(instruction.IP - start);
            string bytes = Convert.ToHexString(code, offset, Math.Min(instruction.Length, code.Length - offset)).ToLowerInvariant();
            bool atRip = instruction.IP == rip;
            t.AppendLine($"{(atRip ? "=> " : "   ")}{instruction.IP:x16} {bytes,-24} {output.ToStringAndReset()}");
            if (instruction.IP >= rip)
                after++;
        }
        return t.ToString();
    }

    // x86 decoding cannot run backwards: try each start before RIP and keep the
    // earliest one whose instruction boundaries land exactly on RIP.
    private static int FindDecodingStart(byte[] code, int ripOffset, ulong start, int bitness)
    {
        for (int candidate = 0; candidate < ripOffset; candidate++)
        {
            var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(code, candidate, ripOffset - candidate + 16));
            decoder.IP = start + (ulong)candidate;
            ulong target = start + (ulong)ripOffset;
            int count = 0;
            while (decoder.IP < target)
            {
                decoder.Decode(out Instruction instruction);
                if (instruction.IsInvalid)
                    break;
                count++;
            }
            if (decoder.IP == target && count <= 8)
                return candidate;
        }
        return ripOffset;
    }

    /// <summary>Reads guest memory at a linear address through the vCPU's page tables (page by page).</summary>
    public static bool TryReadLinear(IVcpu vcpu, AddressSpace memory, ulong linear, Span<byte> destination, in X86SpecialRegisters s)
    {
        bool paging = (s.Cr0 & 0x8000_0000) != 0;
        int done = 0;
        while (done < destination.Length)
        {
            ulong address = linear + (ulong)done;
            int chunk = (int)Math.Min((ulong)(destination.Length - done), 0x1000 - (address & 0xFFF));
            ulong physical = address;
            if (paging && !vcpu.TryTranslate(address, out physical))
                return false;
            memory.Read(physical, destination.Slice(done, chunk));
            done += chunk;
        }
        return true;
    }
}
