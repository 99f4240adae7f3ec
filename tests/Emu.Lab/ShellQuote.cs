using System.Text;

namespace Emu.Lab;

// Quoting for POSIX sh, for building job scripts and guest command lines from C#.
public static class ShellQuote
{
    // One shell word: 'text' with embedded single quotes escaped; plain words stay bare.
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(IsSafe))
            return word;
        return "'" + word.Replace("'", "'\\''") + "'";
    }

    // Several words, each quoted, separated by spaces.
    public static string Join(IEnumerable<string> words)
    {
        var sb = new StringBuilder();
        foreach (string w in words)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Quote(w));
        }
        return sb.ToString();
    }

    // True for an absolute path that needs no quoting anywhere: in a kernel command
    // line, in busybox sh and in QEMU option values (no commas either).
    public static bool IsPlainPath(string path) =>
        path.StartsWith('/') && path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+');

    static bool IsSafe(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or '=' or ':' or ',' or '@' or '%';
}
