namespace Emu.Host.Qmp.Commands;

/// <summary>query-migrate-capabilities: QEMU's capabilities with their states (only "events" can be on in emu).</summary>
internal sealed class QueryMigrateCapabilitiesCommand : QmpCommand
{
    /// <summary>QAPI's MigrationCapability names.</summary>
    public static readonly string[] Known =
    [
        "xbzrle", "rdma-pin-all", "auto-converge", "zero-blocks", "events", "postcopy-ram", "x-colo", "release-ram",
        "return-path", "pause-before-switchover", "multifd", "dirty-bitmaps", "postcopy-blocktime", "late-block-activate",
        "x-ignore-shared", "validate-uuid", "background-snapshot", "zero-copy-send", "postcopy-preempt", "switchover-ack",
        "dirty-limit", "mapped-ram",
    ];

    public override string Name => "query-migrate-capabilities";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        bool events = call.Context.Vm.Migration.EventsEnabled;
        call.Result.WriteStartArray();
        foreach (string capability in Known)
        {
            call.Result.WriteStartObject();
            call.Result.WriteString("capability", capability);
            call.Result.WriteBoolean("state", capability == "events" && events);
            call.Result.WriteEndObject();
        }
        call.Result.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
