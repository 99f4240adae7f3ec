#!/bin/sh
# The level-2 kernel for VFIO migration tests (issue 16): Debian's Linux 6.12
# from bookworm-security with the kernel's sample mdev driver mtty (a PCI
# serial card with migration support since 6.7), which Debian does not build.
# Everything is unpacked with dpkg-deb -x, never installed, so the rest of the
# lab keeps its 6.1 kernel. Result (cached; rerunning is a no-op):
#   $EMU_LAB_CACHE/kernel-<ver>/boot/vmlinuz-<ver>
#   $EMU_LAB_CACHE/kernel-<ver>/lib/modules/<ver>/  (+ extra/mtty.ko, modules.dep)
# Hurdles met: the headers' Makefile includes an absolute /usr/src path (rewritten
# to the unpacked tree); pahole is missing, so BTF for modules is switched off;
# Debian's modules are .ko.xz, which busybox's modprobe in the level-2 initramfs
# may not read: they are decompressed here; the image package has no
# modules.dep (depmod -b).
set -eu
ver=6.12.118+deb12-amd64
kbuild=6.12.118+deb12
cache=${EMU_LAB_CACHE:-/var/tmp/emu-lab}
dest="$cache/kernel-$ver"
[ -f "$dest/.complete" ] && { echo "$dest"; exit 0; }
work=$(mktemp -d "$cache/mtty-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir "$work/debs"
cd "$work/debs"
pkgs="linux-image-$ver linux-headers-$ver linux-headers-$kbuild-common linux-kbuild-$kbuild linux-source-6.12"
# shellcheck disable=SC2086
apt-get download -qq $pkgs 2>/dev/null || { apt-get update -qq && apt-get download -qq $pkgs; }
rm -rf "$work/root"
mkdir -p "$work/root" "$work/hdr"
dpkg-deb -x linux-image-"$ver"_*.deb "$work/root"
for p in linux-headers-"$ver" linux-headers-"$kbuild"-common linux-kbuild-"$kbuild"; do
    dpkg-deb -x "$p"_*.deb "$work/hdr"
done
dpkg-deb -x linux-source-6.12_*.deb "$work/src"
hdr="$work/hdr/usr/src/linux-headers-$ver"
sed -i "s|/usr/src/|$work/hdr/usr/src/|g" "$hdr/Makefile"
mkdir "$work/mtty"
tar -xJf "$work/src/usr/src/linux-source-6.12.tar.xz" -C "$work/mtty" --strip-components=3 linux-source-6.12/samples/vfio-mdev/mtty.c
echo 'obj-m := mtty.o' > "$work/mtty/Makefile"
make -s -C "$hdr" M="$work/mtty" CONFIG_DEBUG_INFO_BTF_MODULES= modules
mkdir -p "$work/root/lib/modules/$ver/extra"
cp "$work/mtty/mtty.ko" "$work/root/lib/modules/$ver/extra/"
find "$work/root/lib/modules/$ver" -name '*.ko.xz' -print0 | xargs -0 -r -P2 -n64 xz -d
depmod -b "$work/root" "$ver"
rm -rf "$dest"
mv "$work/root" "$dest"
touch "$dest/.complete"
echo "$dest"
