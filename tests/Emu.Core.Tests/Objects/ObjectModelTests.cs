using Emu.Core.Objects;

namespace Emu.Core.Tests.Objects;

public sealed class ObjectModelTests
{
    private static TypeRegistry Registry()
    {
        var registry = new TypeRegistry();
        registry.Register(SampleObject.Base);
        registry.Register(SampleObject.TypeInfo);
        registry.RegisterAlias("s", "sample");
        return registry;
    }

    [Fact]
    public void NewObjectsHaveTheDefaults()
    {
        var obj = (SampleObject)SampleObject.TypeInfo.CreateInstance();
        Assert.Equal(4, obj.Get(SampleObject.Count));
        Assert.False(obj.Get(SampleObject.Flag));
        Assert.Null(obj.Get(SampleObject.Label));
    }

    [Fact]
    public void TypesKnowTheirAncestorsAndInterfaces()
    {
        Assert.True(SampleObject.TypeInfo.IsA("sample-base"));
        Assert.True(SampleObject.TypeInfo.IsA("sample-interface"));
        Assert.False(SampleObject.TypeInfo.IsA("device"));
        Assert.NotNull(SampleObject.TypeInfo.FindProperty("flag"));
        Assert.True(SampleObject.Base.IsAbstract);
    }

    [Fact]
    public void GlobalsApplyInOrderThenTheObjectsOwnOptionsWin()
    {
        var globals = new GlobalPropertyList();
        globals.Add(new GlobalProperty("sample-base", "flag", "on", "accelerator default"));
        globals.Add(new GlobalProperty("sample", "count", "7", "machine compat"));
        globals.Add(new GlobalProperty("sample", "count", "8", "-global"));
        globals.Add(new GlobalProperty("sample-interface", "mode", "safe", "-global"));
        var factory = new ObjectFactory(Registry(), globals);

        var plain = (SampleObject)factory.Create("sample", "sample-base", "a", Array.Empty<KeyValuePair<string, string>>());
        var own = (SampleObject)factory.Create("s", "sample-base", "b", new[] { new KeyValuePair<string, string>("count", "9") });

        Assert.True(plain.Get(SampleObject.Flag));   // through the parent type
        Assert.Equal("safe", plain.Get(SampleObject.Mode)); // through an interface
        Assert.Equal(8, plain.Get(SampleObject.Count)); // -global after compat
        Assert.Equal(9, own.Get(SampleObject.Count));   // own option last
    }

    [Fact]
    public void CreationErrorsNameWhatWasTyped()
    {
        var factory = new ObjectFactory(Registry(), new GlobalPropertyList());
        Assert.Contains("'nope' is not a valid", Assert.Throws<PropertyValueException>(() => factory.Create("nope", "sample-base", null, Array.Empty<KeyValuePair<string, string>>())).Message);
        Assert.Contains("property 'colour' not found", Assert.Throws<PropertyValueException>(() =>
            factory.Create("sample", "sample-base", null, new[] { new KeyValuePair<string, string>("colour", "red") })).Message);
        Assert.Contains("abstract", Assert.Throws<PropertyValueException>(() => factory.Create("sample-base", "sample-base", null, Array.Empty<KeyValuePair<string, string>>())).Message);
    }

    [Fact]
    public void GlobalValidationCatchesUnknownTypesAndProperties()
    {
        var globals = new GlobalPropertyList();
        globals.Add(new GlobalProperty("sample", "nothing", "1", "-global"));
        Assert.Contains("no property 'nothing'", Assert.Throws<PropertyValueException>(() => globals.Validate(Registry())).Message);
        var bad = new GlobalPropertyList();
        bad.Add(new GlobalProperty("sample", "count", "x", "-global"));
        Assert.Throws<PropertyValueException>(() => bad.Validate(Registry()));
    }

    [Fact]
    public void OnlyMutablePropertiesChangeAfterRealize()
    {
        var obj = (SampleObject)SampleObject.TypeInfo.CreateInstance();
        obj.MarkRealized();
        Assert.Throws<PropertyValueException>(() => obj.SetText("count", "5"));
        obj.SetText("live", "5");
        Assert.Equal(5, obj.Get(SampleObject.Live));
        Assert.Equal(5L, Assert.Single(obj.Changes));
    }

    [Fact]
    public void ARefusedLiveChangeKeepsTheOldValue()
    {
        var obj = (SampleObject)SampleObject.TypeInfo.CreateInstance();
        obj.MarkRealized();
        Assert.Throws<PropertyValueException>(() => obj.SetText("live", "13"));
        Assert.Equal(1, obj.Get(SampleObject.Live));
    }

    [Fact]
    public void TheTreeGivesCanonicalPaths()
    {
        var root = ContainerObject.Create();
        var machine = ContainerObject.Create();
        var peripheral = ContainerObject.Create();
        var device = SampleObject.TypeInfo.CreateInstance();
        root.AddChild("machine", machine);
        machine.AddChild("peripheral", peripheral);
        peripheral.AddChild("disk0", device);

        Assert.Equal("/machine/peripheral/disk0", device.CanonicalPath);
        Assert.Same(device, machine.Resolve("/machine/peripheral/disk0"));
        Assert.Same(device, machine.Resolve("peripheral/disk0"));
        Assert.Null(root.Resolve("/machine/nothing"));
        Assert.Throws<InvalidOperationException>(() => peripheral.AddChild("disk0", SampleObject.TypeInfo.CreateInstance()));
    }
}
