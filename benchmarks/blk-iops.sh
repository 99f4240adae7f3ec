#!/bin/sh
# blk-iops.sh [REQUESTS] [ROUNDS]
#
# 4 KiB random-read IOPS of the built-in firmware's virtio-blk driver, emu
# against QEMU's virtio-blk-pci, same ROM, same raw image, cache=none
# (O_DIRECT), queue depths 1 and 32. The firmware times its own loop with
# the TSC calibrated against the ACPI PM timer, which both VMMs provide, and
# prints "blk-iops qd=Q n=N us=T iops=X ...". Runs alternate between the two
# VMMs (ROUNDS each, default 5) so that load on the machine hits both alike;
# the median of each is reported with the ratio emu / QEMU.
#
# Needs: a Release build of emu (dotnet build src/Host -c Release), the
# firmware (make -C firmware), qemu-system-x86_64, /dev/kvm.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
requests=${1:-20000}
rounds=${2:-5}
emu="$here/src/Host/bin/Release/net10.0/emu.dll"
rom="$here/firmware/build/emu-firmware.rom"
qemu=${QEMU:-qemu-system-x86_64}
work=$(mktemp -d /var/tmp/emu-iops.XXXXXX)
trap 'rm -rf "$work"' EXIT
image="$work/disk.img"

[ -f "$emu" ] || { echo "no $emu: run dotnet build src/Host -c Release" >&2; exit 1; }
[ -f "$rom" ] || { echo "no $rom: run make -C firmware" >&2; exit 1; }
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
    e=""; q=""
    for r in $(seq "$rounds"); do
        e="$e $(run_emu "$qd" | iops_of)"
        q="$q $(run_qemu "$qd" | iops_of)"
    done
    me=$(median $e); mq=$(median $q)
    ratio=$(awk -v a="$me" -v b="$mq" 'BEGIN { printf "%.2f", a / b }')
    echo "qd=$qd emu iops:$e (median $me)"
    echo "qd=$qd qemu iops:$q (median $mq)"
    echo "qd=$qd ratio emu/qemu: $ratio"
done
