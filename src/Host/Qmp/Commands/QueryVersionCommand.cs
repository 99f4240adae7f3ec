namespace Emu.Host.Qmp.Commands;

/// <summary>query-version: the same version the greeting announces.</summary>
internal sealed class QueryVersionCommand : QmpCommand
{
    public override string Name => "query-version";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        call.Context.Version.Write(call.Result);
        return ValueTask.CompletedTask;
    }
}
