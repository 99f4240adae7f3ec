namespace Emu.Host.Migration;

/// <summary>The transports a migration stream can take.</summary>
internal enum MigrationTransportKind
{
    Unix,
    Tcp,
    File,
}
