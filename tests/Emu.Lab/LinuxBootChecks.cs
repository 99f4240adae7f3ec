using System.Globalization;

namespace Emu.Lab;

// The level-3 check script of the Linux boot tests and the values it prints, one
// "key=value" per line: what a user would look at to tell that the guest came up right.
public sealed class LinuxBootChecks
{
    public const string Script = """
        echo "cpus=$(nproc)"
        echo "online=$(cat /sys/devices/system/cpu/online)"
        echo "memtotal_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
        ram=0
        for d in /sys/firmware/memmap/*; do
            if [ "$(cat $d/type)" = "System RAM" ]; then ram=$((ram + $(cat $d/end) - $(cat $d/start) + 1)); fi
        done
        echo "e820_ram=$ram"
        echo "cmdline=$(cat /proc/cmdline)"
        echo "acpi_tables=$(ls /sys/firmware/acpi/tables | tr '\n' ' ')"
        dmesg | grep -E 'ACPI (BIOS )?(Error|Warning|Exception)|Firmware Bug' | sed 's/^/problem: /'
        echo "acpi_problems=$(dmesg | grep -cE 'ACPI (BIOS )?(Error|Warning|Exception)')"
        echo "firmware_bugs=$(dmesg | grep -c 'Firmware Bug')"
        echo "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
        echo "clocksources=$(cat /sys/devices/system/clocksource/clocksource0/available_clocksource)"
        dmesg | grep -E 'tsc: |clocksource: (Switched|Marking|timekeeping watchdog)|TIMER: |calibrat' | sed 's/^\[[ 0-9.]*\] *//; s/^/time: /'
        echo "tsc_detected=$(dmesg | grep -oE 'tsc: Detected [0-9.]+ MHz processor' | head -n 1)"
        echo "pit_calibration_failures=$(dmesg | grep -c 'Unable to calibrate against PIT')"
        echo "timer_check_failures=$(dmesg | grep -c "IO-APIC + timer doesn't work")"
        echo "tsc_unstable=$(dmesg | grep -ciE 'TSC (is )?unstable|unstable.*tsc')"
        echo "cpu_flags=$(grep -m 1 '^flags' /proc/cpuinfo | cut -d: -f2)"
        echo "cpu_bugs=$(grep -m 1 '^bugs' /proc/cpuinfo | cut -d: -f2)"
        for f in /sys/devices/system/cpu/vulnerabilities/*; do echo "vuln_${f##*/}=$(cat $f)"; done
        echo "pti_enabled=$(dmesg | grep -c 'Kernel/User page tables isolation: enabled')"
        echo "epoch=$(date +%s)"
        echo "rtc_epoch=$(cat /sys/class/rtc/rtc0/since_epoch)"
        u0=$(cut -d' ' -f1 /proc/uptime); sleep 1; u1=$(cut -d' ' -f1 /proc/uptime)
        echo "uptime_step=$(awk "BEGIN {print $u1 - $u0}")"
        echo "serial_irqs=$(awk '/ttyS0/ {s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s}' /proc/interrupts)"
        """;

    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public LinuxBootChecks(IEnumerable<string> lines)
    {
        var problems = new List<string>();
        var time = new List<string>();
        foreach (string line in lines)
        {
            if (line.StartsWith("problem: ", StringComparison.Ordinal))
            {
                problems.Add(line);
                continue;
            }
            if (line.StartsWith("time: ", StringComparison.Ordinal))
            {
                time.Add(line["time: ".Length..]);
                continue;
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
                _values.TryAdd(line[..eq], line[(eq + 1)..]);
        }
        Problems = problems;
        TimeMessages = time;
    }

    // dmesg lines with ACPI errors/warnings or firmware bugs.
    public IReadOnlyList<string> Problems { get; }

    // The kernel's messages about the TSC, its calibration, clocksources and the timer
    // check, without their timestamps: what a user reads to see which time the kernel trusts.
    public IReadOnlyList<string> TimeMessages { get; }

    // The CPU flags of /proc/cpuinfo (the first CPU's).
    public IReadOnlyList<string> CpuFlags => this["cpu_flags"].Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public string this[string key] => _values.TryGetValue(key, out string? v) ? v : throw new KeyNotFoundException($"the guest printed no {key}=");

    // The values whose keys start with prefix, e.g. "vuln_" for every file of
    // /sys/devices/system/cpu/vulnerabilities, by key.
    public IReadOnlyDictionary<string, string> WithPrefix(string prefix) =>
        _values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    public long Long(string key) => long.Parse(this[key], CultureInfo.InvariantCulture);

    public double Double(string key) => double.Parse(this[key], CultureInfo.InvariantCulture);
}
