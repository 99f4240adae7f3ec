namespace Emu.Core.Boot;

/// <summary>
/// A kernel, initrd or command line that a direct kernel boot cannot use.
/// The message is one line, meant for the user, without the file name (the
/// caller knows which option named which file: <see cref="Input"/>).
/// </summary>
public sealed class BootImageException : Exception
{
    public BootImageException(BootInput input, string message) : base(message) => Input = input;

    public BootInput Input { get; }
}
