namespace Emu.Core.Acpi;

/// <summary>
/// A NameString (ACPI 6.3, section 20.2.2), parsed from ASL-style text such
/// as <c>\_SB.PCI0</c>, <c>^^FOO</c> or <c>_S5</c>. It encodes as an optional
/// root character '\' or parent prefixes '^', then the NamePath: NullName
/// (0x00) for no segments, one NameSeg, DualNamePrefix (0x2E) and two
/// segments, or MultiNamePrefix (0x2F), a count byte and the segments.
/// A NameSeg is four characters: a lead of A-Z or '_', then A-Z, 0-9 or
/// '_'; shorter names are padded with '_' as ASL does ("_S5" is "_S5_").
/// </summary>
public sealed class AmlNameString : AmlNode
{
    private readonly string[] _segments;

    public AmlNameString(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Text = path;
        int i = 0;
        if (path.StartsWith('\\'))
        {
            IsRooted = true;
            i = 1;
        }
        else
        {
            while (i < path.Length && path[i] == '^')
                i++;
            ParentPrefixes = i;
        }
        string rest = path[i..];
        _segments = rest.Length == 0 ? [] : rest.Split('.').Select(NameSegment).ToArray();
        if (_segments.Length > byte.MaxValue)
            throw new ArgumentException($"name path '{path}' has more than 255 segments", nameof(path));
        if (_segments.Length == 0 && !IsRooted)
            throw new ArgumentException("empty name path", nameof(path));
    }

    /// <summary>The text this name was parsed from.</summary>
    public string Text { get; }

    /// <summary>Starts at the namespace root ('\').</summary>
    public bool IsRooted { get; }

    /// <summary>Number of '^' (parent scope) prefixes.</summary>
    public int ParentPrefixes { get; }

    /// <summary>The padded four-character segments.</summary>
    public IReadOnlyList<string> Segments => _segments;

    /// <summary>Validates one name segment and pads it to four characters with '_'.</summary>
    public static string NameSegment(string name)
    {
        if (name.Length is < 1 or > 4)
            throw new ArgumentException($"name segment '{name}' must be 1 to 4 characters", nameof(name));
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = c is (>= 'A' and <= 'Z') or '_' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
                throw new ArgumentException($"name segment '{name}': '{c}' is not allowed (lead A-Z or '_', then A-Z, 0-9 or '_')", nameof(name));
        }
        return name.PadRight(4, '_');
    }

    public override void WriteTo(AmlWriter writer)
    {
        if (IsRooted)
            writer.Byte(AmlOpcode.RootChar);
        for (int i = 0; i < ParentPrefixes; i++)
            writer.Byte(AmlOpcode.ParentPrefixChar);
        switch (_segments.Length)
        {
            case 0:
                writer.Byte(0); // NullName
                return;
            case 1:
                break;
            case 2:
                writer.Byte(AmlOpcode.DualNamePrefix);
                break;
            default:
                writer.Byte(AmlOpcode.MultiNamePrefix);
                writer.Byte((byte)_segments.Length);
                break;
        }
        foreach (string segment in _segments)
        {
            foreach (char c in segment)
                writer.Byte((byte)c);
        }
    }

    public override string ToString() => Text;
}
