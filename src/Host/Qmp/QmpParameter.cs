namespace Emu.Host.Qmp;

/// <summary>One declared argument of a command.</summary>
internal sealed record QmpParameter(string Name, QmpArgumentType Type, bool Required = true)
{
    public static QmpParameter Optional(string name, QmpArgumentType type) => new(name, type, Required: false);
}
