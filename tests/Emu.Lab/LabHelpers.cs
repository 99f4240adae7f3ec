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

    // lab-mdev <type> [parent]
    //   Creates a mediated device of <type> (e.g. mtty-2: the mtty sample's two-port card)
    //   under <parent> (default: the first of /sys/class/mdev_bus/ that offers the type),
    //   waits for its IOMMU group and prints "<uuid> /sys/bus/mdev/devices/<uuid>", the
    //   second word being what vfio-pci,sysfsdev= takes. Use: set -- $(lab-mdev mtty-2)
    public const string CreateMdev = """
        #!/bin/sh
        # lab-mdev <type> [parent]: create a mediated device (Emu.Lab).
        set -e
        type=${1:?usage: lab-mdev <type> [parent]}
        parent=${2:-}
        if [ -z "$parent" ]; then
            for p in /sys/class/mdev_bus/*; do
                [ -d "$p/mdev_supported_types/$type" ] && { parent=${p##*/}; break; }
            done
        fi
        dir=/sys/class/mdev_bus/$parent/mdev_supported_types/$type
        if [ -z "$parent" ] || [ ! -d "$dir" ]; then
            echo "lab-mdev: no mdev parent offers type $type (is its vendor module loaded? $(ls /sys/class/mdev_bus 2>/dev/null))" >&2
            exit 1
        fi
        uuid=$(cat /proc/sys/kernel/random/uuid)
        echo "$uuid" >"$dir/create"
        dev=/sys/bus/mdev/devices/$uuid
        i=0
        while [ ! -e "$dev/iommu_group" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        if [ ! -e "$dev/iommu_group" ]; then
            echo "lab-mdev: $dev has no IOMMU group" >&2
            exit 1
        fi
        echo "$uuid $dev"

        """;

    internal static void Install(string binDirectory)
    {
        Directory.CreateDirectory(binDirectory);
        WriteExecutable(Path.Combine(binDirectory, "lab-bind-vfio"), BindVfio);
        WriteExecutable(Path.Combine(binDirectory, "lab-pci"), ListPci);
        WriteExecutable(Path.Combine(binDirectory, "lab-mdev"), CreateMdev);
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
