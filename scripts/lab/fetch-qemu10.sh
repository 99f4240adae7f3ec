#!/bin/sh
# The anchor of the migration comparison (issue 16): QEMU 10.0 (qemu-system-x86
# 1:10.0.2 from Debian's bookworm-backports) with its firmware data and seabios
# 1.16.3, unpacked with dpkg-deb -x into the lab cache, never installed, so the
# rest of the lab keeps Debian's QEMU 7.2. Start it as
#   $dest/usr/bin/qemu-system-x86_64 -L $dest/usr/share/qemu -L $dest/usr/share/seabios ...
# Prints $dest; rerunning is a no-op once the cache is complete. Its shared
# libraries are checked with ldd here, at level 1 (level 2 sees the same root
# through 9p). On Debian's kernels it needs
#   -device vfio-pci,sysfsdev=...,x-device-dirty-page-tracking=off,enable-migration=on
# because device DMA logging's report fails there (no IOMMUFD).
set -eu
version=1:10.0.2+ds-2+deb13u1~bpo12+1
cache=${EMU_LAB_CACHE:-/var/tmp/emu-lab}
dest="$cache/qemu-10.0.2"
[ -f "$dest/.complete" ] && { echo "$dest"; exit 0; }
mkdir -p "$cache"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        $sudo tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
    $sudo apt-get update -qq
fi
work=$(mktemp -d "$cache/qemu10.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
pkgs="qemu-system-x86=$version qemu-system-data=$version seabios/bookworm-backports"
# shellcheck disable=SC2086
(cd "$work" && { apt-get download -qq $pkgs 2>/dev/null || { $sudo apt-get update -qq && apt-get download -qq $pkgs; }; })
mkdir "$work/root"
for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$work/root"
done
missing=$(ldd "$work/root/usr/bin/qemu-system-x86_64" | grep 'not found' || true)
if [ -n "$missing" ]; then
    echo "qemu-system-x86_64 10.0.2 misses shared libraries:" >&2
    echo "$missing" >&2
    exit 1
fi
"$work/root/usr/bin/qemu-system-x86_64" -version | head -n 1 >&2
rm -rf "$dest"
mv "$work/root" "$dest"
touch "$dest/.complete"
echo "$dest"
