namespace Emu.Lab;

// Console and job text as lines: serial consoles end lines with CR LF and some programs
// add stray CRs, so CRs are dropped; a final newline does not make an empty last line.
public static class TextLines
{
    public static IReadOnlyList<string> Split(string text)
    {
        string[] lines = text.Replace("\r", "").Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    // The last n lines, joined, for failure messages.
    public static string Tail(string text, int n = 60)
    {
        var lines = Split(text);
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Count - n)));
    }
}
