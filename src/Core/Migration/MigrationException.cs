namespace Emu.Core.Migration;

/// <summary>
/// A migration or snapshot that cannot go on: a device that cannot migrate,
/// an incoming stream this build refuses (wrong machine, an unknown section
/// or field, a value out of range, a truncated record), or a transport that
/// failed. The message names the device, section or field concerned; the
/// VM the error happens in keeps running (source) or never starts (destination).
/// </summary>
public sealed class MigrationException : Exception
{
    public MigrationException(string message)
        : base(message)
    {
    }

    public MigrationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
