#!/bin/sh
# Installs every Debian package the build and the tests need, skipping the
# ones already installed. Run as root (CI machines are) or with sudo.
#   gcc make libc6-dev linux-libc-dev  the built-in firmware, the uAPI layout checks
#                                      (<linux/kvm.h>, <linux/vfio.h>), the benchmark floor
#   acpica-tools       iasl/acpiexec decode and execute the generated ACPI tables
#   qemu-system-x86 linux-image-amd64 busybox-static kmod e2fsprogs
#                      the nested lab (shared/LAB.md, tests/Emu.Lab) and the QEMU comparisons
#   iproute2           tap devices for the virtio-net lab tests
#   (scripts/install-uapi-headers.sh: Linux 6.12 uAPI headers for the iommufd layout checks)
set -eu
"$(dirname "$0")/install-uapi-headers.sh"
packages="gcc make libc6-dev linux-libc-dev acpica-tools qemu-system-x86 linux-image-amd64 busybox-static kmod e2fsprogs iproute2"
missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
