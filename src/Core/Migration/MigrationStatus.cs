namespace Emu.Core.Migration;

/// <summary>The states of a migration, as QAPI's MigrationStatus names them (see <see cref="MigrationStatusNames"/>).</summary>
public enum MigrationStatus
{
    None,
    Setup,
    Cancelling,
    Cancelled,
    Active,
    Completed,
    Failed,

    /// <summary>The last phase: the guest is stopped and its devices are being saved (QAPI's "device").</summary>
    Device,
}
