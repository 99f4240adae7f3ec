using Emu.Host.Qmp.Platform;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// query-platform (emu's own command, proposed on qemu-devel but in no VMM
/// yet): what this host offers, independent of the running VM's settings:
/// accelerators and their capabilities, the CPU features KVM can give a
/// guest, VFIO and iommufd availability, and the tap offloads the kernel
/// accepts. Gathered once, on a thread-pool thread.
/// </summary>
internal sealed class QueryPlatformCommand : QmpCommand
{
    private Task<PlatformReport>? _report;

    public override string Name => "query-platform";

    public override async ValueTask ExecuteAsync(QmpCall call)
    {
        Task<PlatformReport> report = LazyInitializer.EnsureInitialized(ref _report, () => Task.Run(() => PlatformReport.Gather(call.Context)));
        (await report.ConfigureAwait(false)).Write(call.Result);
    }
}
