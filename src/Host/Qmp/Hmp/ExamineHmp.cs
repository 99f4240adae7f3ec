using System.Buffers.Binary;
using System.Globalization;
using Emu.Core.Diagnostics;
using Emu.Core.Memory;
using Iced.Intel;
using Decoder = Iced.Intel.Decoder;

namespace Emu.Host.Qmp.Hmp;

/// <summary>
/// "x/NFS ADDR": guest memory at a virtual address, as instructions
/// (disassembled with Iced, in the vCPU's current mode) or as numbers. The
/// address is translated through the vCPU's page tables on the vCPU's own
/// thread; the bytes are then read here, from RAM and ROM only, so that
/// examining memory never triggers a device register's side effects.
/// </summary>
internal sealed class ExamineHmp : HmpCommand
{
    private const ulong PageSize = 0x1000;
    private const ulong Unmapped = ulong.MaxValue;

    public override string Name => "x";

    public override string Usage => "x/NFS ADDR -- examine memory at a virtual address (F: i, x, d, u; S: b, h, w, g), e.g. x/10i $pc";

    public override async Task<string> RunAsync(QmpContext context, string arguments, int cpuIndex)
    {
        ExamineRequest request = ExamineRequest.Parse(arguments);
        var (state, address, pages) = await VcpuAccess.RunAsync(context, cpuIndex, vcpu =>
        {
            VcpuState s = VcpuState.Read(vcpu);
            ulong start = AddressExpression.Evaluate(request.Address, in s);
            bool paging = (s.Special.Cr0 & 0x8000_0000) != 0;
            ulong first = start & ~(PageSize - 1);
            ulong last = (start + (ulong)request.ByteCount - 1) & ~(PageSize - 1);
            ulong[] physical = new ulong[(last - first) / PageSize + 1];
            for (int i = 0; i < physical.Length; i++)
            {
                ulong page = first + (ulong)i * PageSize;
                physical[i] = !paging ? page : vcpu.TryTranslate(page, out ulong p) ? p & ~(PageSize - 1) : Unmapped;
            }
            return (s, start, physical);
        }).ConfigureAwait(false);

        byte[] bytes = new byte[request.ByteCount];
        int readable = Read(context.Vm.Machine.SystemMemory, address, pages, bytes);
        return request.Format == 'i'
            ? Disassemble(bytes, readable, address, request.Count, CpuStateDump.Bitness(state.Special))
            : Dump(bytes, readable, address, request);
    }

    // Reads as many leading bytes as are backed by RAM or ROM; returns how many.
    private static int Read(AddressSpace memory, ulong address, ulong[] pages, byte[] destination)
    {
        ulong firstPage = address & ~(PageSize - 1);
        int done = 0;
        while (done < destination.Length)
        {
            ulong linear = address + (ulong)done;
            ulong physicalPage = pages[(linear - firstPage) / PageSize];
            if (physicalPage == Unmapped)
                return done;
            ulong physical = physicalPage + (linear & (PageSize - 1));
            int chunk = (int)Math.Min((ulong)(destination.Length - done), PageSize - (linear & (PageSize - 1)));
            if (!memory.View.TryFind(physical, out FlatRange range) || !range.IsMappable)
                return done;
            chunk = (int)Math.Min((ulong)chunk, range.Start + range.Size - physical);
            memory.Read(physical, destination.AsSpan(done, chunk));
            done += chunk;
        }
        return done;
    }

    private static string Disassemble(byte[] bytes, int readable, ulong address, int count, int bitness)
    {
        var text = new HmpText();
        var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(bytes, 0, readable));
        decoder.IP = address;
        var formatter = new IntelFormatter();
        formatter.Options.HexPrefix = "0x";
        formatter.Options.HexSuffix = null;
        formatter.Options.UppercaseHex = false;
        formatter.Options.ShowBranchSize = false;
        formatter.Options.BranchLeadingZeros = false;
        var output = new StringOutput();
        for (int n = 0; n < count; n++)
        {
            ulong ip = decoder.IP;
            int offset = (int)(ip - address);
            if (offset >= readable)
            {
                text.Line($"0x{ip:x}: unable to read memory");
                break;
            }
            decoder.Decode(out Instruction instruction);
            if (instruction.IsInvalid && decoder.LastError == DecoderError.NoMoreBytes)
            {
                text.Line($"0x{ip:x}: unable to read memory");
                break;
            }
            formatter.Format(instruction, output);
            string hex = string.Join(' ', bytes.Skip(offset).Take(instruction.Length).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            text.Line($"0x{ip:x}:  {hex,-24} {output.ToStringAndReset()}");
        }
        return text.ToString();
    }

    private static string Dump(byte[] bytes, int readable, ulong address, ExamineRequest request)
    {
        var text = new HmpText();
        int perLine = request.UnitSize switch { 8 => 2, 4 => 4, _ => 8 };
        var line = new System.Text.StringBuilder();
        for (int n = 0; n < request.Count; n++)
        {
            int offset = n * request.UnitSize;
            if (n % perLine == 0)
            {
                if (line.Length > 0)
                    text.Line(line.ToString());
                line.Clear().Append($"{address + (ulong)offset:x16}:");
            }
            if (offset + request.UnitSize > readable)
            {
                if (line.Length > 0)
                    text.Line(line.ToString());
                text.Line($"{address + (ulong)offset:x16}: unable to read memory");
                return text.ToString();
            }
            line.Append(' ').Append(FormatUnit(bytes.AsSpan(offset, request.UnitSize), request.Format));
        }
        if (line.Length > 0)
            text.Line(line.ToString());
        return text.ToString();
    }

    private static string FormatUnit(ReadOnlySpan<byte> unit, char format)
    {
        ulong value = unit.Length switch
        {
            1 => unit[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(unit),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(unit),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(unit),
        };
        int bits = unit.Length * 8;
        return format switch
        {
            'd' => (bits == 64 ? (long)value : (long)(value << (64 - bits)) >> (64 - bits)).ToString(CultureInfo.InvariantCulture),
            'u' => value.ToString(CultureInfo.InvariantCulture),
            _ => "0x" + value.ToString("x" + (unit.Length * 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        };
    }
}
