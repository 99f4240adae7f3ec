using System.Diagnostics;
using System.Text;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests;

// Debian's virtio-net driver on emu's virtio-net-pci with the software CPU at level 1 (no
// KVM anywhere). The test makes a network namespace of its own with a tap device in it,
// runs emu inside that namespace on the tap, and checks both directions the way a user
// would: the guest configures eth0 and pings the host's end of the tap, then waits while
// the host pings the guest from the namespace. Nothing outside the namespace is touched.
public sealed class SoftwareCpuLinuxNetTests(ITestOutputHelper output)
{
    const string Tap = "emutap0";
    const string HostAddress = "10.79.0.1";
    const string GuestAddress = "10.79.0.2";
    const int Pings = 3;
    const string ReadyForHostPing = "ready-for-host-ping";

    // The guest's ICMP echo replies come from /proc/net/snmp ("Icmp:" header line, then
    // the values): the guest sees the host's pings in its own counters.
    static readonly string Script = $$"""
        for i in $(seq 1 50); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
        echo "driver=$(basename "$(readlink /sys/class/net/eth0/device/driver)")"
        echo "mac=$(cat /sys/class/net/eth0/address)"
        ip link set lo up; ip link set eth0 up; ip addr add {{GuestAddress}}/24 dev eth0
        ping -c {{Pings}} -W 10 {{HostAddress}} > /tmp/ping 2>&1; echo "guest_ping_rc=$?"
        sed 's/^/guest ping: /' /tmp/ping
        echo "guest_ping_received=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/ping)"
        replies() { awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "OutEchoReps") c = i; h = 1 } else print $c }' /proc/net/snmp; }
        r0=$(replies)
        echo "{{ReadyForHostPing}}"
        i=0; while [ $(( $(replies) - r0 )) -lt {{Pings}} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
        echo "guest_echo_replies=$(( $(replies) - r0 ))"
        echo "eth0_rx_packets=$(cat /sys/class/net/eth0/statistics/rx_packets)"
        echo "eth0_tx_packets=$(cat /sys/class/net/eth0/statistics/tx_packets)"
        echo "virtio_irqs=$(awk '/virtio/ {for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i} END {print s + 0}' /proc/interrupts)"
        """;

    [NetnsLabFact]
    public void Debian_virtio_net_pings_both_ways_over_a_tap_in_a_network_namespace_on_the_software_cpu()
    {
        LabEnvironment env = LabEnvironment.Current;
        env.EnsureLevel2();
        string ip = LabRequirements.IpPath!;
        string vmlinux = LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory);
        Level3Guest guest = Level3Guest.Create(Script, "virtio_pci", "virtio_net");
        string ns = $"emu-tcgnet-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

        Tool(ip, "netns", "add", ns);
        try
        {
            Tool(ip, "-n", ns, "link", "set", "lo", "up");
            Tool(ip, "-n", ns, "tuntap", "add", "dev", Tap, "mode", "tap");
            Tool(ip, "-n", ns, "addr", "add", $"{HostAddress}/24", "dev", Tap);
            Tool(ip, "-n", ns, "link", "set", Tap, "up");

            var clock = Stopwatch.StartNew();
            string? hostPing = null;
            int hostPingRc = -1;
            var console = new StringBuilder();
            using Process emu = EmuProcess.StartUnder([ip, "netns", "exec", ns], "-accel", "tcg", "-machine", "q35", "-smp", "2", "-m", "512M",
                "-nographic", "-no-reboot",
                "-netdev", $"tap,id=n0,ifname={Tap},script=no,downscript=no", "-device", "virtio-net-pci,netdev=n0",
                "-kernel", vmlinux, "-initrd", guest.InitrdPath, "-append", guest.KernelCommandLine);
            try
            {
                Task<string> stderr = emu.StandardError.ReadToEndAsync();
                // Follow the console; once the guest waits, ping it from the namespace.
                Task follow = Task.Run(() =>
                {
                    while (emu.StandardOutput.ReadLine() is { } line)
                    {
                        lock (console)
                            console.AppendLine(line);
                        if (hostPing is null && line.Contains(Level3Guest.LineMarker + ReadyForHostPing, StringComparison.Ordinal))
                            (hostPingRc, hostPing) = Run(ip, "netns", "exec", ns, env.BusyboxPath!, "ping", "-c", Pings.ToString(), "-W", "10", GuestAddress);
                    }
                });
                if (!follow.Wait(TimeSpan.FromMinutes(10)) || !emu.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    emu.Kill(entireProcessTree: true);
                    lock (console)
                        throw new TimeoutException($"emu did not finish in 10 minutes; console so far:\n{console}");
                }
                output.WriteLine($"emu exit {emu.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
                output.WriteLine(console.ToString());
                output.WriteLine(stderr.Result);
                output.WriteLine($"host ping (rc {hostPingRc}):\n{hostPing}");

                Level3Output result = Level3Output.Parse(console.ToString());
                Assert.True(result.Completed, "the level-3 check script did not finish");
                Assert.Equal(0, result.ExitCode);
                Assert.Empty(result.Warnings);
                var c = new LinuxBootChecks(result.Lines);

                // Debian's virtio_net drives the device and eth0 carries the virtio-net MAC.
                Assert.Equal("virtio_net", c["driver"]);
                Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", c["mac"]);
                // Guest to host: every echo request answered by the namespace's end of the tap.
                Assert.Equal("0", c["guest_ping_rc"]);
                Assert.Equal(Pings, c.Long("guest_ping_received"));
                // Host to guest: busybox ping in the namespace got every reply, and the guest
                // counted the echo replies it sent.
                Assert.NotNull(hostPing);
                Assert.Equal(0, hostPingRc);
                Assert.Matches($@"{Pings} packets transmitted, {Pings} packets received", hostPing);
                Assert.Equal(Pings, c.Long("guest_echo_replies"));
                Assert.True(c.Long("virtio_irqs") > 0, "no interrupts on the virtio-net MSI-X vectors");

                Assert.Equal(0, emu.ExitCode);
                Assert.Equal("", stderr.Result);
            }
            finally
            {
                if (!emu.HasExited)
                    emu.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            // Deleting the namespace takes its tap device with it.
            Run(ip, "netns", "del", ns);
        }
    }

    // Runs a host tool that must succeed.
    static void Tool(string file, params string[] args)
    {
        (int rc, string text) = Run(file, args);
        Assert.True(rc == 0, $"{file} {string.Join(' ', args)}: exit {rc}: {text}");
    }

    // Runs a host tool to its end; its exit status and what it printed (stdout and stderr).
    static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
