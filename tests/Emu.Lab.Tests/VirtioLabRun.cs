using System.Globalization;
using System.Text;

namespace Emu.Lab.Tests;

// One level-2 boot for every virtio acceptance check: emu boots Debian's kernel in a
// level-3 guest with virtio-blk (a writable disk and a read-only one), virtio-net on a
// tap of level 2, a virtio console on a file chardev and virtio-rng; the guest's check
// script exercises each with Debian's drivers. A second job boots the same guest under
// QEMU-KVM with the same disks, for dd throughput compared in the same run.
public sealed class VirtioLabRun
{
    public const string DiskSerial = "emu-lab-disk";
    public const string ReadOnlyMarker = "EMU-LAB-READONLY";
    public const string HvcText = "EMU-HVC0-HELLO-FROM-LEVEL-3";
    public const int PatternOffset = 64 * 1024;
    public const string TapAddress = "10.77.0.1";
    public const string GuestAddress = "10.77.0.2";

    // 8 KiB of text the guest writes with dd at PatternOffset and the host finds in the image.
    public static byte[] Pattern()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 256; i++)
            sb.Append(CultureInfo.InvariantCulture, $"EMU-LAB-VIRTIO-BLK-PATTERN-{i:D4}\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    // Busy-box shell in the level-3 guest. vda is the writable disk, vdb the read-only one.
    const string CheckScript = """
        for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vdb ] && break; sleep 0.2; done
        echo "blocks: $(ls /sys/block | tr '\n' ' ')"
        echo "vda-serial=$(cat /sys/block/vda/serial)"
        echo "vdb-ro=$(cat /sys/block/vdb/ro)"
        i=0; while [ $i -lt 256 ]; do printf 'EMU-LAB-VIRTIO-BLK-PATTERN-%04d\n' $i; i=$((i+1)); done > /tmp/pattern
        dd if=/tmp/pattern of=/dev/vda bs=4096 seek=16 conv=fsync 2>/dev/null; echo "write-rc=$?"
        sync; echo 3 > /proc/sys/vm/drop_caches
        echo "written=$(md5sum < /tmp/pattern | cut -d' ' -f1) readback=$(dd if=/dev/vda bs=4096 skip=16 count=2 2>/dev/null | md5sum | cut -d' ' -f1)"
        echo "vdb-head=$(head -c 16 /dev/vdb)"
        dd if=/tmp/pattern of=/dev/vdb bs=4096 count=1 conv=fsync 2>/dev/null; echo "ro-write-rc=$?"
        rate() { awk -v a="$1" -v b="$2" -v mb="$3" 'BEGIN { d = b - a; if (d <= 0) d = 0.01; printf "%.1f", mb / d }'; }
        t0=$(cut -d' ' -f1 /proc/uptime); dd if=/dev/vda of=/dev/null bs=1M count=64 iflag=direct 2>/dev/null; t1=$(cut -d' ' -f1 /proc/uptime)
        echo "dd-read-mbps=$(rate $t0 $t1 64)"
        t0=$(cut -d' ' -f1 /proc/uptime); dd if=/dev/zero of=/dev/vda bs=1M count=32 seek=8 oflag=direct 2>/dev/null; t1=$(cut -d' ' -f1 /proc/uptime)
        echo "dd-write-mbps=$(rate $t0 $t1 32)"
        if [ -e /sys/class/net/eth0 ]; then
            ip link set eth0 up; ip addr add 10.77.0.2/24 dev eth0
            ping -c 3 -W 3 10.77.0.1 >/tmp/ping 2>&1; echo "ping-rc=$?"; grep -E 'packets transmitted' /tmp/ping
        fi
        if [ -e /dev/hvc0 ]; then echo EMU-HVC0-HELLO-FROM-LEVEL-3 > /dev/hvc0; echo "hvc0-rc=$?"; fi
        if [ -e /dev/hwrng ]; then
            echo "rng-current=$(cat /sys/class/misc/hw_random/rng_current)"
            echo "rng-bytes=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
        fi
        grep -i virtio /proc/interrupts | sed 's/^/irq: /'
        """;

    public const string HotplugSerial = "emu-hotplug-disk";
    public const string HotplugMarker = "EMU-LAB-HOTPLUG";

    // The guest of the hotplug job: it waits for the disk QMP's device_add brings (found
    // by Linux's acpiphp through the DSDT's slot devices and the hotplug GPE), reads it,
    // then waits for device_del to take it away again.
    const string HotplugScript = """
        echo "slots=$(ls /sys/bus/pci/slots | sort -n | tr '\n' ',')"
        echo "ready-for-hotplug"
        i=0; while [ ! -e /sys/block/vda ] && [ $i -lt 900 ]; do sleep 0.2; i=$((i + 1)); done
        echo "hotplug-blocks=$(ls /sys/block | tr '\n' ',')"
        echo "hotplug-serial=$(cat /sys/block/vda/serial 2>/dev/null)"
        echo "hotplug-head=$(head -c 15 /dev/vda 2>/dev/null)"
        echo "ready-for-unplug"
        i=0; while [ -e /sys/block/vda ] && [ $i -lt 900 ]; do sleep 0.2; i=$((i + 1)); done
        echo "unplugged-blocks=$(ls /sys/block | tr '\n' ',')"
        echo "unplugged-virtio=$(ls /sys/bus/virtio/devices | wc -l)"
        """;

    VirtioLabRun(Level2Result result, string image, string hvcLog)
    {
        Result = result;
        ImagePath = image;
        HvcLogPath = hvcLog;
    }

    public Level2Result Result { get; }

    // The writable disk emu's guest wrote (a copy of the run directory's file, kept after the run).
    public string ImagePath { get; }

    public string HvcLogPath { get; }

    static readonly SemaphoreSlim s_lock = new(1, 1);
    static VirtioLabRun? s_run;

    public static async Task<VirtioLabRun> GetAsync(Action<string> log)
    {
        await s_lock.WaitAsync();
        try
        {
            return s_run ??= await Level2Retry.RunAsync(() => RunAsync(log), log);
        }
        finally
        {
            s_lock.Release();
        }
    }

    static async Task<VirtioLabRun> RunAsync(Action<string> log)
    {
        var env = LabEnvironment.Current;
        env.EnsureLevel2();
        string emu = EmuDll;
        var guest = Level3Guest.Create(CheckScript, "virtio_pci", "virtio_blk", "virtio_net", "virtio_console", "virtio_rng");
        using var run = Level2Run.Create(new Level2Options { ConsoleLine = line => log("L2| " + line) });
        string disk = run.CreateDiskImage("disk.img", 64 << 20, "EMU-LAB-VIRTIO-DISK"u8);
        string ro = run.CreateDiskImage("ro.img", 4 << 20, Encoding.ASCII.GetBytes(ReadOnlyMarker));
        string qemuDisk = run.CreateDiskImage("qemu-disk.img", 64 << 20, "EMU-LAB-VIRTIO-DISK"u8);
        string hvc = Path.Combine(run.Directory, "hvc0.log");
        run.AddJob($$"""
            ip tuntap add dev emutap0 mode tap && ip addr add {{TapAddress}}/24 dev emutap0 && ip link set emutap0 up
            echo "tap-rc=$?"
            timeout -k 10 600 dotnet {{ShellQuote.Quote(emu)}} -machine q35 -m 512M -nographic \
                -drive file={{ShellQuote.Quote(disk)}},if=none,id=d0,format=raw,cache=none -device virtio-blk-pci,drive=d0,serial={{DiskSerial}} \
                -drive file={{ShellQuote.Quote(ro)}},if=none,id=d1,format=raw,readonly=on -device virtio-blk-pci,drive=d1 \
                -netdev tap,id=n0,ifname=emutap0,script=no,downscript=no -device virtio-net-pci,netdev=n0 \
                -chardev file,id=c0,path={{ShellQuote.Quote(hvc)}} -device virtio-serial-pci,chardev=c0 \
                -device virtio-rng-pci \
                {{guest.BootArgs}} </dev/null 2>"$LAB_DIR/emu.stderr"
            echo "emu-exit=$?"
            sed 's/^/emu-stderr: /' "$LAB_DIR/emu.stderr"
            ip link del emutap0
            """, "emu");
        run.AddJob($"""
            {guest.QemuKvmCommand($"-drive file={ShellQuote.Quote(qemuDisk)},if=none,id=d0,format=raw,cache=none -device virtio-blk-pci,drive=d0,serial={DiskSerial} -drive file={ShellQuote.Quote(ro)},if=none,id=d1,format=raw,readonly=on -device virtio-blk-pci,drive=d1")}
            echo "qemu-exit=$?"
            """, "qemu");
        var hotplugGuest = Level3Guest.Create(HotplugScript, "virtio_pci", "virtio_blk");
        string hotplugDisk = run.CreateDiskImage("hotplug.img", 4 << 20, Encoding.ASCII.GetBytes(HotplugMarker));
        run.AddJob(HotplugJob(emu, hotplugDisk, hotplugGuest.BootArgs), "hotplug");
        Level2Result result = await run.BootAsync();
        // Keep what the checks need after the run directory is cleaned up.
        string keep = Directory.CreateTempSubdirectory("emu-virtio-lab-").FullName;
        string image = Path.Combine(keep, "disk.img");
        string hvcLog = Path.Combine(keep, "hvc0.log");
        File.Copy(disk, image);
        if (File.Exists(hvc))
            File.Copy(hvc, hvcLog);
        return new VirtioLabRun(result, image, hvcLog);
    }

    // emu with a QMP socket and a drive no device uses yet, and guest RAM in a shared memfd
    // (the virtio devices reach it as they reach private RAM). A perl client (core modules
    // only) follows the guest's console: device_add once the guest waits for a disk,
    // device_del once it has read it, then it waits for DEVICE_DELETED.
    static string HotplugJob(string emu, string disk, string bootArgs) => $$$"""
        sock="/tmp/emu-qmp-$$.sock" # tmpfs: the run directory is 9p, where sockets cannot be bound
        console="$LAB_DIR/hotplug.console"
        timeout -k 10 600 dotnet {{{ShellQuote.Quote(emu)}}} -machine q35 -m 512M -nographic -qmp "unix:$sock,server=on,wait=off" \
            -object memory-backend-memfd,id=ram,size=512M,share=on -machine memory-backend=ram \
            -drive file={{{ShellQuote.Quote(disk)}}},if=none,id=hd0,format=raw \
            {{{bootArgs}}} </dev/null >"$console" 2>"$LAB_DIR/hotplug.stderr" &
        pid=$!
        {{{HotplugClient}}}
        wait $pid
        rc=$?
        cat "$console"
        echo
        echo "emu-exit=$rc"
        sed 's/^/emu-stderr: /' "$LAB_DIR/hotplug.stderr"
        """;

    // device_add once the guest waits for a disk, device_del once it has read it, then DEVICE_DELETED.
    static readonly string HotplugClient = new QmpConsoleClient(consoleWaitSeconds: 600)
        .WaitForConsole("ready-for-hotplug")
        .Execute($$$"""{"execute":"device_add","arguments":{"driver":"virtio-blk-pci","id":"hp0","drive":"hd0","serial":"{{{HotplugSerial}}}"}}""")
        .WaitForConsole("ready-for-unplug")
        .Execute("""{"execute":"device_del","arguments":{"id":"hp0"}}""")
        .WaitForEvent("DEVICE_DELETED")
        .Command("\"$sock\"", "\"$console\"");

    static string EmuDll
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "Emu.sln")))
                    continue;
                string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
                string dll = Path.Combine(dir.FullName, "src", "Host", "bin", configuration, "net10.0", "emu.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing: build src/Host ({configuration}) first", dll);
            }
            throw new InvalidOperationException($"no Emu.sln above {AppContext.BaseDirectory}");
        }
    }

    // A value printed by the level-3 check script as "key=value".
    public static string? Value(Level3Output output, string key) =>
        output.Lines.Select(l => l.Split(' ')).SelectMany(words => words).FirstOrDefault(w => w.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    // A throughput the check script printed as "key=MB/s".
    public static double? Throughput(Level3Output output, string key) =>
        double.TryParse(Value(output, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
}
