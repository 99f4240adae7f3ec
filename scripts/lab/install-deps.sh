#!/bin/sh
# Installs the Debian packages the nested lab (shared/LAB.md, tests/Emu.Lab) needs,
# skipping the ones already installed. Run as root (CI machines are).
#   qemu-system-x86   level-2 QEMU (TCG + emulated SVM/NPT + intel-iommu), level-3 QEMU-KVM
#   linux-image-amd64 the kernel booted at levels 2 and 3, and its modules
#   busybox-static    the only userland inside the initramfs images
#   kmod              modprobe --show-depends, to resolve module dependencies
# (cpio is not needed: Emu.Lab writes the cpio archives itself.)
set -eu
missing=""
for p in qemu-system-x86 linux-image-amd64 busybox-static kmod; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
