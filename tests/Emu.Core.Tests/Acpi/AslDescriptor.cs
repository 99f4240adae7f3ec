namespace Emu.Core.Tests.Acpi;

/// <summary>One resource descriptor of a disassembled ResourceTemplate: its macro name, numeric fields by their comment, and its text.</summary>
internal sealed record AslDescriptor(string Kind, IReadOnlyDictionary<string, ulong> Fields, string Text)
{
    public ulong this[string field] => Fields.TryGetValue(field, out ulong value)
        ? value
        : throw new KeyNotFoundException($"{Kind} has no '{field}' field:\n{Text}");
}
