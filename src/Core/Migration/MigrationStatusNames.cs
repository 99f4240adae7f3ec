namespace Emu.Core.Migration;

/// <summary>QAPI's spelling of <see cref="MigrationStatus"/>.</summary>
public static class MigrationStatusNames
{
    public static string Of(MigrationStatus status) => status switch
    {
        MigrationStatus.None => "none",
        MigrationStatus.Setup => "setup",
        MigrationStatus.Cancelling => "cancelling",
        MigrationStatus.Cancelled => "cancelled",
        MigrationStatus.Active => "active",
        MigrationStatus.Completed => "completed",
        MigrationStatus.Failed => "failed",
        _ => "device",
    };

    /// <summary>Whether a migration in this state has ended (or never began).</summary>
    public static bool IsFinished(MigrationStatus status) =>
        status is MigrationStatus.None or MigrationStatus.Cancelled or MigrationStatus.Completed or MigrationStatus.Failed;
}
