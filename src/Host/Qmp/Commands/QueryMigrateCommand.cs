using Emu.Core.Migration;
using Emu.Host.Migration;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// query-migrate: QEMU's MigrationInfo. On the source: status, times
/// (total, setup, expected downtime while active, downtime once completed),
/// "ram" statistics while active or completed, "vfio" when VFIO devices
/// migrate, "error-desc" after a failure. On a destination: the incoming
/// status (and its error). "blocked-reasons" lists what stops the VM from
/// migrating, when anything does. Before any migration: {}.
/// </summary>
internal sealed class QueryMigrateCommand : QmpCommand
{
    public override string Name => "query-migrate";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        MigrationManager manager = call.Context.Vm.Migration;
        OutgoingMigration? outgoing = manager.Outgoing;
        var w = call.Result;
        w.WriteStartObject();
        if (outgoing != null)
            WriteOutgoing(call, outgoing);
        else if (manager.IncomingStatus != MigrationStatus.None)
            WriteIncoming(call, manager);
        if (call.Context.Vm.Machine.State != Core.Machines.RunState.InMigrate)
        {
            IReadOnlyList<string> blockers = call.Context.Vm.Machine.MigrationBlockers();
            if (blockers.Count > 0)
            {
                w.WriteStartArray("blocked-reasons");
                foreach (string reason in blockers)
                    w.WriteStringValue(reason);
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    private static void WriteIncoming(QmpCall call, MigrationManager manager)
    {
        var w = call.Result;
        w.WriteString("status", MigrationStatusNames.Of(manager.IncomingStatus));
        if (manager.IncomingStatus == MigrationStatus.Failed && manager.IncomingError != null)
            w.WriteString("error-desc", manager.IncomingError);
    }

    private static void WriteOutgoing(QmpCall call, OutgoingMigration m)
    {
        var w = call.Result;
        MigrationStatus status = m.Status;
        w.WriteString("status", MigrationStatusNames.Of(status));
        if (status == MigrationStatus.Setup)
            return;
        w.WriteNumber("total-time", m.TotalTimeMs);
        w.WriteNumber("setup-time", m.SetupTimeMs);
        if (status is MigrationStatus.Active or MigrationStatus.Device or MigrationStatus.Cancelling)
            w.WriteNumber("expected-downtime", m.ExpectedDowntimeMs);
        if (status == MigrationStatus.Completed)
            w.WriteNumber("downtime", m.DowntimeMs);
        if (status == MigrationStatus.Failed && m.Error != null)
            w.WriteString("error-desc", m.Error);
        if (status is not (MigrationStatus.Active or MigrationStatus.Device or MigrationStatus.Completed))
            return;
        w.WriteStartObject("ram");
        w.WriteNumber("transferred", m.TransferredBytes);
        w.WriteNumber("remaining", m.RemainingBytes);
        w.WriteNumber("total", m.TotalBytes);
        w.WriteNumber("duplicate", m.DuplicatePages);
        w.WriteNumber("normal", m.NormalPages);
        w.WriteNumber("normal-bytes", m.NormalBytes);
        w.WriteNumber("dirty-pages-rate", m.DirtyPagesRate);
        w.WriteNumber("mbps", m.Mbps);
        w.WriteNumber("dirty-sync-count", m.DirtySyncCount);
        w.WriteNumber("postcopy-requests", 0);
        w.WriteNumber("page-size", MigrationStreamFormat.PageSize);
        w.WriteNumber("multifd-bytes", 0);
        long ms = Math.Max(1, m.TotalTimeMs);
        w.WriteNumber("pages-per-second", (m.NormalPages + m.DuplicatePages) * 1000 / ms);
        w.WriteNumber("precopy-bytes", m.PrecopyBytes);
        w.WriteNumber("downtime-bytes", status == MigrationStatus.Completed ? m.DowntimeBytes : 0);
        w.WriteNumber("postcopy-bytes", 0);
        w.WriteNumber("dirty-sync-missed-zero-copy", 0);
        w.WriteEndObject();
        if (call.Context.Vm.Machine.Devices.OfType<IMigrationDataDevice>().Any())
        {
            w.WriteStartObject("vfio");
            w.WriteNumber("transferred", m.DeviceDataBytes);
            w.WriteEndObject();
        }
    }
}
