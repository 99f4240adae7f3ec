namespace Emu.Host.Qmp.Commands;

/// <summary>
/// system_powerdown: presses the ACPI power button. The guest decides what to
/// do; an OS with ACPI support shuts down (SHUTDOWN follows POWERDOWN).
/// </summary>
internal sealed class SystemPowerdownCommand : QmpCommand
{
    public override string Name => "system_powerdown";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        call.Context.Vm.Machine.RequestPowerdown();
        return ValueTask.CompletedTask;
    }
}
