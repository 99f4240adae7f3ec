using BenchmarkDotNet.Attributes;
using Emu.Core.Pci;

namespace Emu.Benchmarks;

/// <summary>Raising an MSI-X vector that is masked (pending bit) and one that is not enabled: the device-side interrupt path. 0 B.</summary>
[MemoryDiagnoser]
public class MsixBenchmarks
{
    private MsixCapability _msix = null!;

    [GlobalSetup]
    public void Setup() => _msix = new MsixCapability(4, 1, 0, 1, 0x800, new MsiVectorRouter(null, 4));

    [Benchmark(Description = "MSI-X notify (function disabled)")]
    public bool NotifyDisabled() => _msix.Notify(1);

    [Benchmark(Description = "MSI router fire (inactive vector)")]
    public bool FireInactive() => _msix.Router.Fire(1);
}
