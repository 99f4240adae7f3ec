namespace Emu.Lab;

// Shell commands the harness installs in <run>/bin, which is first on the PATH of every
// level-2 job. They run chrooted in the host's root, so they use the host's /bin/sh and
// coreutils.
public static class LabHelpers
{
    // lab-bind-vfio <class> [index]
    //   Binds the index-th (default 0) PCI function whose class is <class> (as in
    //   /sys/bus/pci/devices/*/class: 0x010802 NVMe, 0x020000 Ethernet e.g. e1000e,
    //   0x00ff00 QEMU's edu) to vfio-pci through driver_override + drivers_probe, waits
    //   for its group node and prints "<bdf> /dev/vfio/<group>", e.g.
    //   "0000:00:03.0 /dev/vfio/3". Use: set -- $(lab-bind-vfio 0x010802); bdf=$1; group=$2
    public const string BindVfio = """
        #!/bin/sh
        # lab-bind-vfio <class> [index]: bind a PCI function to vfio-pci (Emu.Lab).
        set -e
        class=$(echo "${1:?usage: lab-bind-vfio <class> [index]}" | tr 'A-F' 'a-f')
        case "$class" in 0x*) ;; *) class="0x$class" ;; esac
        want=${2:-0}
        n=0
        [ -d /sys/bus/pci/drivers/vfio-pci ] || modprobe vfio-pci
        for d in /sys/bus/pci/devices/*; do
            [ "$(cat "$d/class")" = "$class" ] || continue
            if [ "$n" -ne "$want" ]; then n=$((n + 1)); continue; fi
            bdf=${d##*/}
            if [ -e "$d/driver" ]; then
                current=$(basename "$(readlink "$d/driver")")
                [ "$current" = vfio-pci ] || echo "$bdf" >"$d/driver/unbind"
            fi
            echo vfio-pci >"$d/driver_override"
            [ -e "$d/driver" ] || echo "$bdf" >/sys/bus/pci/drivers_probe
            if [ ! -e "$d/iommu_group" ]; then
                echo "lab-bind-vfio: $bdf has no IOMMU group (is the intel-iommu device there?)" >&2
                exit 1
            fi
            group=$(basename "$(readlink "$d/iommu_group")")
            i=0
            while [ ! -e "/dev/vfio/$group" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
            if [ ! -e "/dev/vfio/$group" ]; then
                echo "lab-bind-vfio: /dev/vfio/$group did not appear for $bdf" >&2
                exit 1
            fi
            echo "$bdf /dev/vfio/$group"
            exit 0
        done
        echo "lab-bind-vfio: no PCI function of class $class (index $want)" >&2
        exit 1

        """;

    // lab-pci: lists PCI functions as "<bdf> <class> <vendor>:<device> <driver or ->".
    public const string ListPci = """
        #!/bin/sh
        # lab-pci: list PCI functions (Emu.Lab).
        for d in /sys/bus/pci/devices/*; do
            drv=-
            [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
            echo "${d##*/} $(cat "$d/class") $(cat "$d/vendor" | cut -c3-):$(cat "$d/device" | cut -c3-) $drv"
        done

        """;

    internal static void Install(string binDirectory)
    {
        Directory.CreateDirectory(binDirectory);
        WriteExecutable(Path.Combine(binDirectory, "lab-bind-vfio"), BindVfio);
        WriteExecutable(Path.Combine(binDirectory, "lab-pci"), ListPci);
    }

    internal static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n"));
        if (OperatingSystem.IsWindows())
            return;
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                   | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                                   | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }
}
