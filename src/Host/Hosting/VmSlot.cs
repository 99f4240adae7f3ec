using Emu.Host.Composition;

namespace Emu.Host.Hosting;

/// <summary>
/// Where the hosted services find the machine. The generic host is built on
/// its own thread while the machine is being created, so the machine is put
/// here once it exists, before the host starts.
/// </summary>
internal sealed class VmSlot
{
    private LaunchedVm? _vm;

    public LaunchedVm Vm => _vm ?? throw new InvalidOperationException("the machine has not been created yet");

    public void Set(LaunchedVm vm)
    {
        if (Interlocked.CompareExchange(ref _vm, vm, null) != null)
            throw new InvalidOperationException("the machine is already set");
    }
}
