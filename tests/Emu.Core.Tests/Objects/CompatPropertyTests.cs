using System.Text.Json;
using Emu.Core.Objects;

namespace Emu.Core.Tests.Objects;

/// <summary>Compat properties and -global reach every object type, not only devices, in the documented order.</summary>
public sealed class CompatPropertyTests
{
    private static readonly StringProperty Path = new("path", "/dev/default", "a backend's file");
    private static readonly BoolProperty Offload = new("offload", true, "a backend feature newer versions turn on");
    private static readonly ObjectType Backend = new("netdev", null, null, "base of network backends", new PropertyInfo[] { Offload });
    private static readonly ObjectType Tap = new("netdev-tap", Backend, t => new Plain(t), "a tap backend", new PropertyInfo[] { Path }, userCreatable: true);

    private sealed class Plain : EmuObject
    {
        public Plain(ObjectType type) : base(type)
        {
        }
    }

    private static TypeRegistry Registry()
    {
        var registry = new TypeRegistry();
        registry.Register(Backend);
        registry.Register(Tap);
        return registry;
    }

    [Fact]
    public void AMachineCompatPropertyReachesABackendThroughItsBaseType()
    {
        var globals = new GlobalPropertyList();
        globals.Add(new GlobalProperty("netdev", "offload", "off", "machine old-1.0"));
        EmuObject tap = new ObjectFactory(Registry(), globals).Create("netdev-tap", "netdev", "n0", Array.Empty<KeyValuePair<string, string>>());
        Assert.False(tap.Get(Offload));
        Assert.True(tap.GlobalsApplied);
    }

    [Fact]
    public void PrecedenceIsAcceleratorThenCompatThenGlobalThenOwnOptions()
    {
        var globals = new GlobalPropertyList();
        globals.Add(new GlobalProperty("netdev-tap", "path", "/dev/accel", "accelerator default"));
        globals.Add(new GlobalProperty("netdev-tap", "path", "/dev/compat", "machine compat"));
        var factory = new ObjectFactory(Registry(), globals);
        Assert.Equal("/dev/compat", factory.Create("netdev-tap", "netdev", null, Array.Empty<KeyValuePair<string, string>>()).Get(Path));
        globals.Add(new GlobalProperty("netdev-tap", "path", "/dev/global", "-global"));
        Assert.Equal("/dev/global", factory.Create("netdev-tap", "netdev", null, Array.Empty<KeyValuePair<string, string>>()).Get(Path));
        Assert.Equal("/dev/own", factory.Create("netdev-tap", "netdev", null, new[] { new KeyValuePair<string, string>("path", "/dev/own") }).Get(Path));
    }

    [Fact]
    public void ObjectsMadeBeforeTheListIsCompleteAreConfiguredTheSameWay()
    {
        var globals = new GlobalPropertyList();
        var factory = new ObjectFactory(Registry(), globals);
        EmuObject early = Tap.CreateInstance(); // as the machine and the accelerator are
        globals.Add(new GlobalProperty("netdev", "offload", "off", "machine old-1.0"));
        factory.Configure(early, new[] { new KeyValuePair<string, PropertyInput>("path", "/dev/x") });
        Assert.False(early.Get(Offload));
        Assert.Equal("/dev/x", early.Get(Path));
    }

    [Fact]
    public void QmpJsonValuesAreConvertedByTheSameProperties()
    {
        var factory = new ObjectFactory(Registry(), new GlobalPropertyList());
        using JsonDocument json = JsonDocument.Parse("""{"offload": false, "path": "/dev/j", "bad": 3}""");
        EmuObject tap = factory.Create("netdev-tap", "netdev", null, new[]
        {
            new KeyValuePair<string, PropertyInput>("offload", PropertyInput.FromJson(json.RootElement.GetProperty("offload"))),
            new KeyValuePair<string, PropertyInput>("path", PropertyInput.FromJson(json.RootElement.GetProperty("path"))),
        });
        Assert.False(tap.Get(Offload));
        Assert.Equal("/dev/j", tap.Get(Path));
        var e = Assert.Throws<PropertyValueException>(() => factory.Create("netdev-tap", "netdev", null, new[]
        {
            new KeyValuePair<string, PropertyInput>("path", PropertyInput.FromJson(json.RootElement.GetProperty("bad"))),
        }));
        Assert.Contains("Invalid parameter type for 'path', expected: string", e.Message);
    }

    [Fact]
    public void InterfacesAreAbstractTypesUnderInterface()
    {
        TypeRegistry registry = Registry();
        ObjectType creatable = registry.RegisterInterface("user-creatable", "made by -object");
        Assert.True(creatable.IsInterface);
        Assert.True(creatable.IsAbstract);
        Assert.Equal("interface", creatable.Parent!.Name);
        Assert.False(Tap.IsInterface);
    }
}
