using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Host.Composition;

namespace Emu.Host.Tests.Qmp;

/// <summary>The program's own catalog: every board and device declared, every machine version consistent.</summary>
public sealed class CatalogTests
{
    private static readonly TypeRegistry s_registry = HostCatalog.CreateRegistry();
    private static readonly KconfigCatalog s_catalog = HostCatalog.CreateCatalog(s_registry);

    [Fact]
    public void EveryBoardAndEveryDeviceAUserMayAddHasAStanzaOfItsOwn()
    {
        var undeclared = s_registry.Types
            .Where(t => !t.IsAbstract && (t.IsA("machine") || (t.IsA("device") && t.UserCreatable)))
            .Where(t => !s_catalog.Declares(t) && !(t.IsA("machine") && s_catalog.SymbolFor(t) != null))
            .Select(t => t.Name)
            .ToArray();
        Assert.True(undeclared.Length == 0, $"add stanzas to src/Devices/Kconfig for: {string.Join(", ", undeclared)}");
    }

    [Fact]
    public void EveryDeviceTypeResolvesToASymbol()
    {
        string[] orphans = s_registry.Types.Where(t => !t.IsAbstract && t.IsA("device") && s_catalog.SymbolFor(t) == null).Select(t => t.Name).ToArray();
        Assert.Empty(orphans);
    }

    [Fact]
    public void EveryMachineVersionResolvesWithoutContradiction()
    {
        foreach (ObjectType machine in s_registry.TypesOf("machine"))
        {
            KconfigConfiguration configuration = s_catalog.Resolve(machine);
            Assert.True(configuration.IsEnabled("PCI_EXPRESS"), machine.Name);
            Assert.True(configuration.IsAvailable(s_registry.Find("isa-debug-exit")!), machine.Name);
            Assert.True(configuration.IsAvailable(s_registry.Find("mch")!), machine.Name);
        }
    }

    [Fact]
    public void TheKconfigFileParsesAndNamesOnlyRegisteredTypes()
    {
        // HostCatalog.CreateCatalog checks the file against the registry; here the checks themselves.
        Assert.NotNull(s_catalog.Find("Q35"));
        Assert.Equal("Q35", s_catalog.SymbolFor(s_registry.Find("q35-1.0")!)!.Name);
        Assert.Equal("PCI_DEVICE", s_catalog.SymbolFor(Emu.Core.Pci.PciDevice.TypeInfo)!.Name);
    }

    [Fact]
    public void ObjectOptionsNameTheirProblem()
    {
        EmuProcess unknown = EmuProcess.Run("-object", "nope,id=x");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("-object nope,id=x: 'nope' is not a valid user-creatable type", Assert.Single(unknown.ErrorLines));
        EmuProcess help = EmuProcess.Run("-object", "help");
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("List of user creatable objects:", help.Stdout);
    }
}
