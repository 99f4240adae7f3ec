#!/bin/sh
# blk-iops.sh [REQUESTS] [ROUNDS]
#
# 4 KiB random-read IOPS of the built-in firmware's virtio-blk driver, emu
# against QEMU's virtio-blk-pci, same ROM, same raw image, cache=none
# (O_DIRECT), queue depths 1 and 32. The firmware times its own loop with
# the TSC calibrated against the ACPI PM timer, which both VMMs provide, and
# prints "blk-iops qd=Q n=N us=T iops=X ...". Each round runs both VMMs back
# to back (which one goes first alternates), ROUNDS rounds (default 5). The
# disk under these machines drifts a lot from minute to minute, so besides the
# medians of each VMM the script reports the median of the per-round ratios
# emu / QEMU, which compares runs made at nearly the same time.
#
# Needs: a Release build of emu (dotnet build src/Host -c Release), the
# firmware (make -C firmware), qemu-system-x86_64, /dev/kvm. Without a usable
# /dev/kvm the script runs itself inside level 2 of the nested lab
# (tests/Emu.Lab.Run), both VMMs in the same level-2 boot.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
if ! { [ -c /dev/kvm ] && : <>/dev/kvm; } 2>/dev/null; then
    echo "no usable /dev/kvm here: running the comparison inside level 2 of the nested lab" >&2
    exec dotnet run --project "$here/tests/Emu.Lab.Run" -c Release -- --timeout 180 --env IOPS_DIR --env QEMU -- sh "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$@"
fi
requests=${1:-20000}
rounds=${2:-5}
emu="$here/src/Host/bin/Release/net10.0/emu.dll"
rom="$here/firmware/build/emu-firmware.rom"
qemu=${QEMU:-qemu-system-x86_64}
# IOPS_DIR=/dev/shm puts the image on tmpfs (O_DIRECT works there since Linux 6.6),
# so the figures compare the VMMs instead of the disk.
work=$(mktemp -d "${IOPS_DIR:-/var/tmp}/emu-iops.XXXXXX")
trap 'rm -rf "$work"' EXIT
image="$work/disk.img"

[ -f "$emu" ] || { echo "no $emu: run dotnet build src/Host -c Release" >&2; exit 1; }
# The ROM QEMU runs is built from the same sources as the one emu embeds.
make -s -C "$here/firmware" || { echo "cannot build the firmware ROM ($rom)" >&2; exit 1; }
# Real data: reading holes would not touch the disk.
dd if=/dev/urandom of="$image" bs=1M count=256 status=none

run_emu() {
    timeout 300 dotnet "$emu" -m 128 -fw_cfg "name=opt/emu/mode,string=blk-iops:$1:$requests" \
        -drive "file=$image,if=none,id=d0,format=raw,cache=none" -device virtio-blk-pci,drive=d0 </dev/null
}
run_qemu() {
    timeout 300 "$qemu" -accel kvm -M q35 -m 128 -bios "$rom" -display none -serial stdio -monitor none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -fw_cfg "name=opt/emu/mode,string=blk-iops:$1:$requests" \
        -drive "file=$image,if=none,id=d0,format=raw,cache=none" -device virtio-blk-pci,drive=d0 </dev/null 2>/dev/null
}
iops_of() { sed -n 's/.*blk-iops qd=[0-9]* .* iops=\([0-9]*\) .*/\1/p' | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "requests=$requests rounds=$rounds image=256MiB cache=none $("$qemu" --version | head -1)"
for qd in 1 32; do
    e=""; q=""; ratios=""
    for r in $(seq "$rounds"); do
        if [ $((r % 2)) -eq 1 ]; then
            a=$(run_emu "$qd" | iops_of); b=$(run_qemu "$qd" | iops_of)
        else
            b=$(run_qemu "$qd" | iops_of); a=$(run_emu "$qd" | iops_of)
        fi
        e="$e $a"; q="$q $b"
        ratios="$ratios $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')"
    done
    me=$(median $e); mq=$(median $q)
    echo "qd=$qd emu iops:$e (median $me)"
    echo "qd=$qd qemu iops:$q (median $mq)"
    echo "qd=$qd per-round ratios emu/qemu:$ratios (median $(median $ratios))"
done
