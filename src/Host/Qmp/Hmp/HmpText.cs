using System.Text;

namespace Emu.Host.Qmp.Hmp;

/// <summary>Builds monitor output: every line ends in CR LF.</summary>
internal sealed class HmpText
{
    private readonly StringBuilder _text = new();

    public HmpText Line(string line = "")
    {
        _text.Append(line).Append("\r\n");
        return this;
    }

    /// <summary>Appends text whose lines end in LF, converting the line ends.</summary>
    public HmpText Lines(string text)
    {
        foreach (string line in text.TrimEnd('\n').Split('\n'))
            Line(line.TrimEnd('\r'));
        return this;
    }

    public override string ToString() => _text.ToString();
}
