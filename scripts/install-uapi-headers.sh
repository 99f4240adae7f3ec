#!/bin/sh
# Unpacks the uAPI headers of Linux 6.12 (linux-libc-dev from Debian's
# bookworm-backports) into /usr/local/share/emu/uapi, without installing them
# over the system's 6.1 headers. The VFIO layout test compiles against them:
# <linux/iommufd.h> and the VFIO device cdev ioctls (VFIO_DEVICE_BIND_IOMMUFD,
# ...) exist only from Linux 6.6 on. Run as root (or with sudo).
set -eu
dest=/usr/local/share/emu/uapi
[ -f "$dest/usr/include/linux/iommufd.h" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
list=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $sudo tee "$list" >/dev/null
    $sudo apt-get update -qq
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
(cd "$work" && apt-get download -qq linux-libc-dev/bookworm-backports 2>/dev/null || (cd "$work" && $sudo apt-get update -qq && apt-get download -qq linux-libc-dev/bookworm-backports))
$sudo mkdir -p "$dest"
$sudo dpkg-deb -x "$work"/linux-libc-dev_*.deb "$dest"
echo "uAPI headers of $(ls "$work" | sed 's/linux-libc-dev_//; s/_all.deb//') in $dest"
