using System.Globalization;

namespace Emu.Host.Qmp.Hmp;

/// <summary>
/// The arguments of "x/NFS ADDR": count N, format F (i: instructions, x:
/// hex, d: signed, u: unsigned decimal), unit size S (b, h, w, g: 1, 2, 4, 8
/// bytes), and an address: a number (0x hex or decimal), a register ($pc,
/// $rip, $rsp...), or a sum or difference of those.
/// </summary>
internal sealed record ExamineRequest(int Count, char Format, int UnitSize, string Address)
{
    public const int MaxBytes = 64 * 1024;

    public static ExamineRequest Parse(string arguments)
    {
        string text = arguments.Trim();
        int count = 1;
        char format = 'x';
        int size = 4;
        if (text.StartsWith('/'))
        {
            int end = text.IndexOfAny(new[] { ' ', '\t' });
            string spec = end < 0 ? text[1..] : text[1..end];
            text = end < 0 ? "" : text[end..].Trim();
            int digits = 0;
            while (digits < spec.Length && char.IsAsciiDigit(spec[digits]))
                digits++;
            if (digits > 0 && (!int.TryParse(spec.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
                throw new QmpException($"x: invalid count '{spec[..digits]}'");
            foreach (char c in spec[digits..])
            {
                switch (c)
                {
                    case 'i' or 'x' or 'd' or 'u':
                        format = c;
                        break;
                    case 'b':
                        size = 1;
                        break;
                    case 'h':
                        size = 2;
                        break;
                    case 'w':
                        size = 4;
                        break;
                    case 'g':
                        size = 8;
                        break;
                    default:
                        throw new QmpException($"x: invalid format '{c}' (formats: i, x, d, u; sizes: b, h, w, g)");
                }
            }
        }
        if (text.Length == 0)
            throw new QmpException("x: missing address (usage: x/NFS ADDR, e.g. x/10i $pc)");
        int perUnit = format == 'i' ? 15 : size;
        if ((long)count * perUnit > MaxBytes)
            throw new QmpException($"x: at most {MaxBytes} bytes at a time");
        return new ExamineRequest(count, format, size, text);
    }

    /// <summary>How many bytes at most the request reads (an x86 instruction is at most 15 bytes).</summary>
    public int ByteCount => Format == 'i' ? Count * 15 : Count * UnitSize;
}
