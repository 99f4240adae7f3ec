namespace Emu.Host.CommandLine;

/// <summary>A command-line mistake; the message is the single line shown to the user.</summary>
public sealed class CommandLineException : Exception
{
    public CommandLineException(string message) : base(message)
    {
    }
}
