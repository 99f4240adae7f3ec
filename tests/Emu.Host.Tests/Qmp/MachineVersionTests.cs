using System.Text.Json;
using Emu.Lab;

namespace Emu.Host.Tests.Qmp;

/// <summary>
/// Versioned machine types: q35 names the newest version, older versions keep
/// their guest-visible defaults through compat properties, which qom-get shows
/// and -global overrides, and compat properties reach non-device objects too.
/// </summary>
public sealed class MachineVersionTests
{
    private static EmuProcess RunTsegProbe(params string[] args)
    {
        string rom = TestRoms.Write(TsegProbeRom.Code);
        try
        {
            return EmuProcess.Run(new[] { "-bios", rom, "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-serial", "null" }.Concat(args).ToArray());
        }
        finally
        {
            File.Delete(rom);
        }
    }

    [AccelFact]
    public void TheGuestFindsExtendedTsegOnQ35TwoAndNotOnQ35One()
    {
        Assert.Equal(TsegProbeRom.ExitStatusFor(16), RunTsegProbe("-M", "q35-2.0").ExitCode);
        Assert.Equal(TsegProbeRom.ExitStatusFor(16), RunTsegProbe("-M", "q35").ExitCode);
        Assert.Equal(TsegProbeRom.ExitStatusFor(16), RunTsegProbe().ExitCode);
        Assert.Equal(TsegProbeRom.ExitStatusFor(0), RunTsegProbe("-M", "q35-1.0").ExitCode);
    }

    [AccelFact]
    public void GlobalOverridesTheMachinesCompatProperty()
    {
        Assert.Equal(TsegProbeRom.ExitStatusFor(4), RunTsegProbe("-M", "q35-1.0", "-global", "mch.extended-tseg-mbytes=4").ExitCode);
        Assert.Equal(TsegProbeRom.ExitStatusFor(0), RunTsegProbe("-M", "q35-2.0", "-global", "driver=mch,property=extended-tseg-mbytes,value=0").ExitCode);
    }

    [AccelFact]
    public async Task CompatPropertiesOfAnOldVersionShowInQomGet()
    {
        async Task<long> Tseg(params string[] args)
        {
            await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest.Concat(args).ToArray());
            await using QmpTestClient client = await vm.ConnectAsync();
            return (await client.ReturnOfAsync("qom-get", new { path = "/machine/unattached/q35", property = "extended-tseg-mbytes" })).GetInt64();
        }
        Assert.Equal(0, await Tseg("-M", "q35-1.0"));
        Assert.Equal(16, await Tseg("-M", "q35"));
        Assert.Equal(4, await Tseg("-M", "q35-1.0", "-global", "mch.extended-tseg-mbytes=4"));
    }

    [AccelFact]
    public async Task QueryMachinesNamesTheVersionsAndTheAlias()
    {
        await using VmProcess vm = VmProcess.StartEmu(VmProcess.LongRunningGuest);
        await using QmpTestClient client = await vm.ConnectAsync();
        JsonElement[] machines = (await client.ReturnOfAsync("query-machines")).EnumerateArray().ToArray();
        JsonElement newest = machines.Single(m => m.GetProperty("name").GetString() == "q35-2.0");
        Assert.Equal("q35", newest.GetProperty("alias").GetString());
        Assert.True(newest.GetProperty("is-default").GetBoolean());
        JsonElement old = machines.Single(m => m.GetProperty("name").GetString() == "q35-1.0");
        Assert.False(old.TryGetProperty("alias", out _));
        Assert.Equal("q35-2.0", (await client.ReturnOfAsync("qom-get", new { path = "/machine", property = "type" })).GetString());
    }

    [Fact]
    public void GlobalPropertiesReachTheAcceleratorObject()
    {
        // -accel kvm: without it a host with no /dev/kvm picks the software CPU before the global is read.
        EmuProcess run = EmuProcess.Run("-accel", "kvm", "-global", "kvm-accel.device=/nonexistent/kvm");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/nonexistent/kvm does not exist", Assert.Single(run.ErrorLines));
        EmuProcess unknown = EmuProcess.Run("-accel", "kvm,colour=red");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("kvm-accel: property 'colour' not found", Assert.Single(unknown.ErrorLines));
    }

    [Fact]
    public void HelpListsTheVersionsTheCatalogsDevicesAndTheirProperties()
    {
        string machines = EmuProcess.Run("-machine", "help").Stdout;
        Assert.Contains("q35-1.0", machines);
        Assert.Contains("q35-2.0", machines);
        Assert.Contains("(alias of q35-2.0)", machines);

        string devices = EmuProcess.Run("-device", "help").Stdout;
        Assert.Contains("name \"isa-debug-exit\", bus ISA", devices);
        Assert.Contains("name \"isa-serial\", bus ISA", devices);
        Assert.DoesNotContain("\"mch\"", devices); // part of the board, not for -device

        string mch = EmuProcess.Run("-device", "mch,help").Stdout;
        Assert.Contains("extended-tseg-mbytes=<uint16> - Extended TSEG size in MiB", mch);
        Assert.Contains("(default: 16)", mch);
        Assert.Contains("no-reboot=<bool>", EmuProcess.Run("-machine", "q35-1.0,help").Stdout);
        Assert.Contains("kvm", EmuProcess.Run("-accel", "help").Stdout);
    }

    [Fact]
    public void ABoardDeviceCannotBeAddedByTheUser()
    {
        EmuProcess run = EmuProcess.Run("-device", "mch");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cannot be created by the user", Assert.Single(run.ErrorLines));
    }
}
