using Emu.Host.Qmp.Hmp;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// human-monitor-command: runs a human monitor command line and returns its
/// text: "info registers", "info mtree [-f]", "info pci", "x/NFS ADDR".
/// "cpu-index" picks the vCPU that registers and virtual addresses refer to.
/// </summary>
internal sealed class HumanMonitorCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters =
    {
        new("command-line", QmpArgumentType.String), QmpParameter.Optional("cpu-index", QmpArgumentType.Integer),
    };

    private readonly HmpInterpreter _interpreter = new();

    public override string Name => "human-monitor-command";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override async ValueTask ExecuteAsync(QmpCall call)
    {
        long cpu = call.Arguments.GetOptionalInteger("cpu-index") ?? 0;
        if (!call.Context.Vm.Machine.Controller.Vcpus.Any(v => v.Index == cpu))
            throw new QmpException("Parameter 'cpu-index' expects a CPU number");
        string output = await _interpreter.RunAsync(call.Context, call.Arguments.GetString("command-line"), (int)cpu).ConfigureAwait(false);
        call.Result.WriteStringValue(output);
    }
}
