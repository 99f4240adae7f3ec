using Emu.Core.Objects;

namespace Emu.Core.Tests.Objects;

/// <summary>An object type with one property of each kind, for tests.</summary>
internal sealed class SampleObject : EmuObject
{
    public static readonly BoolProperty Flag = new("flag", false, "a switch");
    public static readonly IntegerProperty Count = IntegerProperty.UInt16("count", 4, "a number");
    public static readonly SizeProperty Bytes = new("bytes", 4096, "a size");
    public static readonly StringProperty Label = new("label", null, "a text");
    public static readonly EnumProperty Mode = new("mode", "fast", new[] { "fast", "safe" }, "a choice");
    public static readonly IntegerProperty Live = IntegerProperty.UInt32("live", 1, "changes at run time", mutable: true);

    public static readonly ObjectType Base = new("sample-base", null, null, "abstract base", new PropertyInfo[] { Flag }, new[] { "sample-interface" });

    public static readonly ObjectType TypeInfo = new("sample", Base, t => new SampleObject(t), "a sample",
        new PropertyInfo[] { Count, Bytes, Label, Mode, Live }, userCreatable: true);

    public SampleObject(ObjectType type) : base(type)
    {
    }

    public List<object?> Changes { get; } = new();

    public void MarkRealized() => IsRealized = true;

    protected override void OnPropertyChanged(PropertyInfo property, object? value)
    {
        if (value is long v && v == 13)
            throw new PropertyValueException("13 is refused");
        Changes.Add(value);
    }
}
