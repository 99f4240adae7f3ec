using System.Text.Json;
using Emu.Core.Migration;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// migrate-set-capabilities: [{"capability": NAME, "state": BOOL}, ...].
/// emu implements "events" (MIGRATION events); any other capability may be
/// set to false, and setting one to true is refused by name.
/// </summary>
internal sealed class MigrateSetCapabilitiesCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters = { new("capabilities", QmpArgumentType.Array) };

    public override string Name => "migrate-set-capabilities";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        var changes = new List<(string, bool)>();
        foreach (JsonElement item in call.Arguments.Get("capabilities").EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("capability", out JsonElement name) || name.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("state", out JsonElement state) || state.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw new QmpException("Parameter 'capabilities' expects objects with a string 'capability' and a boolean 'state'");
            string capability = name.GetString()!;
            if (!QueryMigrateCapabilitiesCommand.Known.Contains(capability))
                throw new QmpException($"Parameter 'capability' does not accept value '{capability}'");
            changes.Add((capability, state.GetBoolean()));
        }
        try
        {
            foreach ((string capability, bool state) in changes)
                call.Context.Vm.Migration.SetCapability(capability, state);
        }
        catch (MigrationException e)
        {
            throw new QmpException(e.Message);
        }
        return ValueTask.CompletedTask;
    }
}
