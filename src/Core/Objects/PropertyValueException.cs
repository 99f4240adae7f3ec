namespace Emu.Core.Objects;

/// <summary>A property value that does not parse or is out of range; the message is for the user.</summary>
public sealed class PropertyValueException : Exception
{
    public PropertyValueException(string message) : base(message)
    {
    }
}
