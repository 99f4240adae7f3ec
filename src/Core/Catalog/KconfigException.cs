namespace Emu.Core.Catalog;

/// <summary>A catalog that does not parse, or a configuration that contradicts itself; the message is for the user.</summary>
public sealed class KconfigException : Exception
{
    public KconfigException(string message) : base(message)
    {
    }
}
