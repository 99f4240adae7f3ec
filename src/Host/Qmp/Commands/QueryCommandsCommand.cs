namespace Emu.Host.Qmp.Commands;

/// <summary>query-commands: [{"name": NAME}, ...] for every command offered.</summary>
internal sealed class QueryCommandsCommand : QmpCommand
{
    public override string Name => "query-commands";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        call.Result.WriteStartArray();
        foreach (string name in call.Context.Commands.Names)
        {
            call.Result.WriteStartObject();
            call.Result.WriteString("name", name);
            call.Result.WriteEndObject();
        }
        call.Result.WriteEndArray();
        return ValueTask.CompletedTask;
    }
}
