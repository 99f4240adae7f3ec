namespace Emu.Host.Qmp.Commands;

/// <summary>
/// query-chardev: [{"label": ID, "filename": ADDRESS, "frontend-open": BOOL,
/// "dropped-bytes": N}], as QEMU's ChardevInfo plus emu's count of guest
/// output dropped because the consumer (a client that stopped reading)
/// did not keep up: output is buffered, never waited for.
/// </summary>
internal sealed class QueryChardevCommand : QmpCommand
{
    public override string Name => "query-chardev";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        var w = call.Result;
        w.WriteStartArray();
        foreach ((string label, Emu.Devices.Chardev.Chardev chardev) in ChardevListing.Query(call.Context.Vm.Machine))
        {
            w.WriteStartObject();
            w.WriteString("label", label);
            w.WriteString("filename", chardev.Describe());
            w.WriteBoolean("frontend-open", chardev.Frontend != null);
            w.WriteNumber("dropped-bytes", chardev.DroppedBytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
