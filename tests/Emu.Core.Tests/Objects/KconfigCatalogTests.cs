using Emu.Core.Catalog;
using Emu.Core.Objects;

namespace Emu.Core.Tests.Objects;

public sealed class KconfigCatalogTests
{
    private const string Text = """
        # buses
        config PCI
            bool
        config ISA_BUS
            bool
        config PCI_DEVICES
            bool

        config BOARD
            bool
            type "board"
            select PCI
            imply PCI_DEVICES
            imply SERIAL

        config SMALL_BOARD
            bool
            type "small-board"
            select ISA_BUS

        config SERIAL
            bool
            type "serial"
            default y
            depends on ISA_BUS

        config NIC
            bool
            type "nic"
            default y if PCI_DEVICES
            depends on PCI

        config PCI_FUNCTION
            bool
            type "pci-function"
            default y if PCI_DEVICES
            depends on PCI
        """;

    private static readonly ObjectType Board = new("board", null, null, "a board");
    private static readonly ObjectType BoardV1 = new("board-1.0", Board, null, "a version of it");
    private static readonly ObjectType SmallBoard = new("small-board", null, null, "a board without PCI");
    private static readonly ObjectType Nic = new("nic", null, null, "a network card");
    private static readonly ObjectType Serial = new("serial", null, null, "a UART");
    private static readonly ObjectType PciFunction = new("pci-function", null, null, "base of PCI functions");
    private static readonly ObjectType NewPciDevice = new("new-pci-device", PciFunction, null, "a device with no stanza of its own");

    private static KconfigCatalog Catalog(string text = Text) => KconfigCatalog.Parse(text, "test");

    [Fact]
    public void ABoardEnablesWhatItSelectsAndImpliesAndWhatDefaultsOnThroughGroups()
    {
        KconfigConfiguration c = Catalog().Resolve(BoardV1); // a version of the board finds the board's stanza
        Assert.True(c.IsEnabled("BOARD"));
        Assert.True(c.IsEnabled("PCI"));
        Assert.True(c.IsEnabled("PCI_DEVICES"));
        Assert.True(c.IsEnabled("NIC"));
        Assert.Equal("selected by BOARD", c.ReasonFor("PCI"));
        Assert.Equal("on by default because PCI_DEVICES", c.ReasonFor("NIC"));
        Assert.True(c.IsAvailable(Nic));
        Assert.True(c.IsAvailable(NewPciDevice)); // through its base type's stanza
    }

    [Fact]
    public void AnImpliedSymbolWhoseDependencyIsMissingStaysOffQuietly()
    {
        KconfigConfiguration c = Catalog().Resolve(Board);
        Assert.False(c.IsEnabled("SERIAL")); // BOARD implies SERIAL, but there is no ISA bus
        Assert.False(c.IsAvailable(Serial));
        var e = Assert.Throws<KconfigException>(() => c.RequireAvailable(Serial, "board"));
        Assert.Contains("'serial' is not available on machine 'board'", e.Message);
        Assert.Contains("depends on ISA_BUS (ISA_BUS=n)", e.Message);
    }

    [Fact]
    public void ABoardWithoutTheBusDoesNotOfferItsDevices()
    {
        KconfigConfiguration c = Catalog().Resolve(SmallBoard);
        Assert.True(c.IsAvailable(Serial)); // on by default wherever there is an ISA bus
        Assert.False(c.IsAvailable(Nic));
        Assert.Contains("depends on PCI", Assert.Throws<KconfigException>(() => c.RequireAvailable(Nic, "small-board")).Message);
    }

    [Fact]
    public void SelectingASymbolWhoseDependenciesAreOffIsAContradiction()
    {
        string text = Text.Replace("    select ISA_BUS\n", "    select ISA_BUS\n    select NIC\n");
        var e = Assert.Throws<KconfigException>(() => Catalog(text).Resolve(SmallBoard));
        Assert.Contains("contradiction: NIC is selected by SMALL_BOARD, but it depends on PCI", e.Message);
        Assert.Contains("PCI=n", e.Message);
    }

    [Fact]
    public void DisablingWhatTheBoardSelectsIsAContradictionAndDisablingAnImpliedSymbolWorks()
    {
        KconfigCatalog catalog = Catalog();
        Assert.Contains("PCI cannot be disabled, it is selected by BOARD", Assert.Throws<KconfigException>(() => catalog.Resolve(Board, new[] { "PCI" })).Message);
        KconfigConfiguration c = catalog.Resolve(Board, new[] { "PCI_DEVICES" });
        Assert.False(c.IsEnabled("NIC"));
        Assert.Contains("no such symbol", Assert.Throws<KconfigException>(() => catalog.Resolve(Board, new[] { "NOPE" })).Message);
    }

    [Fact]
    public void CatalogMistakesAreReportedWithTheirLine()
    {
        Assert.Contains("test:3: unknown directive 'requires'", Assert.Throws<KconfigException>(() =>
            KconfigCatalog.Parse("config A\n    bool\n    requires B\n", "test")).Message);
        Assert.Contains("refers to undeclared symbol B", Assert.Throws<KconfigException>(() =>
            KconfigCatalog.Parse("config A\n    select B\n", "test")).Message);
        Assert.Contains("declared twice", Assert.Throws<KconfigException>(() =>
            KconfigCatalog.Parse("config A\nconfig A\n", "test")).Message);
        Assert.Contains("'select' outside a config stanza", Assert.Throws<KconfigException>(() =>
            KconfigCatalog.Parse("select A\n", "test")).Message);
        Assert.Contains("type 'x' belongs to both A and B", Assert.Throws<KconfigException>(() =>
            KconfigCatalog.Parse("config A\n type \"x\"\nconfig B\n type \"x\"\n", "test")).Message);
    }

    [Fact]
    public void ASymbolThatSwitchesItselfOffIsReportedInsteadOfLoopingForever()
    {
        const string text = "config BOARD\n type \"board\"\n imply A\nconfig A\n depends on !A\n";
        Assert.Contains("does not settle", Assert.Throws<KconfigException>(() => KconfigCatalog.Parse(text, "test").Resolve(Board)).Message);
    }

    [Fact]
    public void TypesNamedByTheCatalogMustExist()
    {
        var registry = new TypeRegistry();
        registry.Register(Board);
        Assert.Contains("names type 'small-board', which is not registered", Assert.Throws<KconfigException>(() => Catalog().CheckTypes(registry)).Message);
    }
}
