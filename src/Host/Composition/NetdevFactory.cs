using Emu.Core.Machines;
using Emu.Devices.Net;
using Emu.Host.CommandLine;

namespace Emu.Host.Composition;

/// <summary>-netdev tap,id=ID,ifname=NAME[,script=no,downscript=no]: opens the tap and registers it under its id.</summary>
internal static class NetdevFactory
{
    public static void CreateAll(EmuOptions options, Machine machine)
    {
        foreach (KeyValueList kv in options.Netdevs)
        {
            string what = $"-netdev {kv}";
            string type = kv.Take("type") ?? throw new CommandLineException($"{what}: missing type");
            string id = kv.Take("id") ?? throw new CommandLineException($"{what}: missing id=");
            CommandLineChecks.Id(what, id);
            if (type != "tap")
                throw new CommandLineException($"{what}: netdev type '{type}' is not supported (only tap)");
            string? ifname = kv.Take("ifname");
            // emu never runs network scripts: the tap must be set up beforehand.
            foreach (string key in new[] { "script", "downscript" })
            {
                string? script = kv.Take(key);
                if (script != null && script != "no")
                    throw new CommandLineException($"{what}: {key}={script}: emu does not run network scripts (use {key}=no and set the tap up beforehand)");
            }
            if (kv.Take("vhost") is string vhost && vhost is not ("off" or "false" or "no"))
                throw new CommandLineException($"{what}: vhost={vhost}: vhost-net is not supported (emu's worker serves the queues)");
            kv.EnsureConsumed("-netdev");
            TapDevice tap;
            try
            {
                tap = TapDevice.Open(ifname);
            }
            catch (IOException e)
            {
                throw new CommandLineException($"{what}: {e.Message}");
            }
            var netdev = new TapNetdev(id, tap);
            machine.Own(netdev);
            try
            {
                machine.RegisterBackend(id, netdev);
            }
            catch (MachineConfigurationException)
            {
                throw new CommandLineException($"{what}: duplicate id '{id}'");
            }
        }
    }
}
