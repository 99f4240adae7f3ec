using Emu.Core.Migration;

namespace Emu.Core.Machines;

/// <summary>
/// A vCPU's section of the state stream: saved and loaded on the vCPU's own
/// thread (the only one that may touch its registers), which runs the work
/// while it stays parked. The migration thread waits for it; it is never a
/// vCPU thread itself.
/// </summary>
internal sealed class VcpuStateSection : IMigratable
{
    private readonly MachineController _controller;
    private readonly int _index;

    public VcpuStateSection(MachineController controller, int index)
    {
        _controller = controller;
        _index = index;
    }

    public string? MigrationBlocker => _controller.Vcpus[_index].Vcpu.MigrationBlocker;

    public void SaveState(StateWriter state) => Wait(_controller.RunOnVcpu(_index, vcpu =>
    {
        vcpu.SaveState(state);
        return true;
    }));

    public void LoadState(StateReader state) => Wait(_controller.RunOnVcpu(_index, vcpu =>
    {
        vcpu.LoadState(state);
        return true;
    }));

    private void Wait(Task<bool> work)
    {
        try
        {
            work.GetAwaiter().GetResult();
        }
        catch (InvalidOperationException e)
        {
            throw new MigrationException($"vcpu{_index}: {e.Message}", e);
        }
    }
}
