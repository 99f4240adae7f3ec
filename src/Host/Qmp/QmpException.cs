namespace Emu.Host.Qmp;

/// <summary>A command failed; becomes an error reply with <see cref="ErrorClass"/> and the message as "desc".</summary>
internal sealed class QmpException : Exception
{
    public QmpException(string errorClass, string description) : base(description) => ErrorClass = errorClass;

    public QmpException(string description) : this(QmpErrorClass.GenericError, description)
    {
    }

    public string ErrorClass { get; }
}
