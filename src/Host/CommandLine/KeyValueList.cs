using System.Text;

namespace Emu.Host.CommandLine;

/// <summary>
/// QEMU's option syntax: "value,key=value,key=value". A comma inside a value
/// is written twice (",,"). The first element may omit its key (the option's
/// implied key, e.g. the driver of -device); a later bare element "flag"
/// means "flag=on". Keys appear once.
/// </summary>
public sealed class KeyValueList
{
    private readonly List<KeyValuePair<string, string>> _pairs = new();

    private KeyValueList(string text) => Text = text;

    public string Text { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public static KeyValueList Parse(string text, string? impliedKey)
    {
        var list = new KeyValueList(text);
        int i = 0;
        bool first = true;
        while (i <= text.Length)
        {
            string element = ReadElement(text, ref i);
            if (element.Length == 0)
            {
                if (i >= text.Length && !first)
                    break;
                throw new CommandLineException($"'{text}': empty parameter");
            }
            int eq = element.IndexOf('=');
            string key, value;
            if (eq < 0)
            {
                if (first && impliedKey != null)
                {
                    key = impliedKey;
                    value = element;
                }
                else
                {
                    key = element;
                    value = "on";
                }
            }
            else
            {
                key = element[..eq];
                value = element[(eq + 1)..];
                if (key.Length == 0)
                    throw new CommandLineException($"'{text}': parameter '{element}' has no name");
            }
            if (list.Contains(key))
                throw new CommandLineException($"'{text}': parameter '{key}' given twice");
            list._pairs.Add(new(key, value));
            first = false;
            if (i >= text.Length)
                break;
        }
        return list;
    }

    // One element up to an unescaped comma; ",," stands for a comma.
    private static string ReadElement(string text, ref int i)
    {
        var sb = new StringBuilder();
        while (i < text.Length)
        {
            char c = text[i];
            if (c == ',')
            {
                if (i + 1 < text.Length && text[i + 1] == ',')
                {
                    sb.Append(',');
                    i += 2;
                    continue;
                }
                i++;
                return sb.ToString();
            }
            sb.Append(c);
            i++;
        }
        i = text.Length + 1;
        return sb.ToString();
    }

    public bool Contains(string key) => _pairs.Any(p => p.Key == key);

    public string? Get(string key) => _pairs.FirstOrDefault(p => p.Key == key).Value;

    /// <summary>Removes and returns a key's value.</summary>
    public string? Take(string key)
    {
        int index = _pairs.FindIndex(p => p.Key == key);
        if (index < 0)
            return null;
        string value = _pairs[index].Value;
        _pairs.RemoveAt(index);
        return value;
    }

    /// <summary>Fails on any key not consumed, naming the option.</summary>
    public void EnsureConsumed(string option)
    {
        if (_pairs.Count > 0)
            throw new CommandLineException($"{option}: unknown parameter '{_pairs[0].Key}' in '{Text}'");
    }

    public override string ToString() => Text;
}
