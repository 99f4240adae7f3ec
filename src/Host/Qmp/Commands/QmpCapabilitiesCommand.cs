namespace Emu.Host.Qmp.Commands;

/// <summary>
/// qmp_capabilities: ends capabilities negotiation. Until then a client may
/// run nothing else and receives no events. emu offers no optional
/// capabilities (no out-of-band execution), so "enable" must be empty.
/// </summary>
internal sealed class QmpCapabilitiesCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters = { QmpParameter.Optional("enable", QmpArgumentType.Array) };

    public override string Name => "qmp_capabilities";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        if (call.Arguments.Has("enable"))
        {
            foreach (System.Text.Json.JsonElement capability in call.Arguments.Get("enable").EnumerateArray())
            {
                if (capability.ValueKind != System.Text.Json.JsonValueKind.String)
                    throw new QmpException("Invalid parameter type for 'enable', expected: array of strings");
                throw new QmpException($"Capability '{capability.GetString()}' not available");
            }
        }
        return ValueTask.CompletedTask;
    }
}
