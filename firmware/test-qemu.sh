#!/bin/sh
# test-qemu.sh [ROM]
#
# Runs the firmware under QEMU (q35) in every mode and checks exit status
# and serial output; then times a few runs. Uses KVM if /dev/kvm works,
# and always TCG too. ROM defaults to build/emu-firmware.rom.
#
# QEMU's exit status: 0 after the ACPI power-off; (code << 1) | 1 after a
# debug-exit write of code (1 self-test, 2 bad mode, 3 exception).
set -u

here=$(cd "$(dirname "$0")" && pwd)
rom=${1:-$here/build/emu-firmware.rom}
qemu=${QEMU:-qemu-system-x86_64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

accels="tcg"
if [ -w /dev/kvm ]; then accels="kvm tcg"; fi

# run ACCEL ROM [extra qemu args...]: output in $tmp/out, status in $status
run() {
    accel=$1 image=$2
    shift 2
    timeout 60 "$qemu" -accel "$accel" -M q35 -m 128 -bios "$image" \
        -display none -serial "file:$tmp/out" -monitor none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" 2>"$tmp/err"
    status=$?
}

# check NAME WANT_STATUS WANT_LINE ACCEL ROM [qemu args...]
check() {
    name=$1 want=$2 line=$3
    shift 3
    run "$@"
    if [ "$status" -eq "$want" ] && tr -d '\r' < "$tmp/out" | grep -qxF "$line"; then
        echo "ok    $name [$1] (exit $status)"
    else
        echo "FAIL  $name [$1]: exit $status (want $want), output:"
        sed 's/^/      /' "$tmp/out" "$tmp/err"
        failures=$((failures + 1))
    fi
}

"$here/patch-mode.sh" "$rom" "$tmp/pio1000.rom" pio:1000
"$here/patch-mode.sh" "$rom" "$tmp/bad.rom" "pio:12x"
printf 'mmio:77\n' > "$tmp/mode-file"
long55=pio:$(printf '%051d' 0)                  # 55 characters
truncate -s 8M "$tmp/disk.img"
truncate -s 4M "$tmp/ro.img"
blk="-drive file=$tmp/disk.img,if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0"

for a in $accels; do
    check "selftest"            0 "RESULT: PASS"     $a "$rom"
    check "none"                0 "done none"        $a "$rom" -fw_cfg name=opt/emu/mode,string=none
    check "pio:100000"          0 "done pio 100000"  $a "$rom" -fw_cfg name=opt/emu/mode,string=pio:100000
    check "mmio:100000"         0 "done mmio 100000" $a "$rom" -fw_cfg name=opt/emu/mode,string=mmio:100000
    check "pio:0"               0 "done pio 0"       $a "$rom" -fw_cfg name=opt/emu/mode,string=pio:0
    check "mode from file"      0 "done mmio 77"     $a "$rom" -fw_cfg name=opt/emu/mode,file="$tmp/mode-file"
    check "bad mode"            5 "bad mode 'bogus'" $a "$rom" -fw_cfg name=opt/emu/mode,string=bogus
    check "N > 2^32-1"          5 "bad mode 'pio:4294967296'" $a "$rom" -fw_cfg name=opt/emu/mode,string=pio:4294967296
    check "empty N"             5 "bad mode 'mmio:'" $a "$rom" -fw_cfg name=opt/emu/mode,string=mmio:
    check "too long"            5 "bad mode '$long55...'" $a "$rom" -fw_cfg name=opt/emu/mode,string=${long55}123
    check "fault"               7 "raising #UD"      $a "$rom" -fw_cfg name=opt/emu/mode,string=fault
    check "patched ROM"         0 "done pio 1000"    $a "$tmp/pio1000.rom"
    check "patched, bad"        5 "bad mode 'pio:12x'" $a "$tmp/bad.rom"
    check "fw_cfg beats ROM"    0 "done none"        $a "$tmp/pio1000.rom" -fw_cfg name=opt/emu/mode,string=none
    check "blk-test"            0 "RESULT: PASS"     $a "$rom" -fw_cfg name=opt/emu/mode,string=blk-test $blk
    check "blk-test read-only"  0 "test virtio-blk-readonly: ok" $a "$rom" -fw_cfg name=opt/emu/mode,string=blk-test \
        -drive file="$tmp/ro.img",if=none,id=d0,format=raw,readonly=on -device virtio-blk-pci,drive=d0
    check "blk-iops"            0 "done blk-iops 500" $a "$rom" -fw_cfg name=opt/emu/mode,string=blk-iops:4:500 $blk
    check "blk-test, no disk"   3 "virtio-blk: no device" $a "$rom" -fw_cfg name=opt/emu/mode,string=blk-test
done

# No UART at all: output is dropped, nothing hangs.
for a in $accels; do
    timeout 60 "$qemu" -accel $a -M q35 -m 128 -bios "$tmp/pio1000.rom" -display none \
        -serial none -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 2>/dev/null
    status=$?
    if [ $status -eq 0 ]; then echo "ok    no UART [$a] (exit 0)"; else echo "FAIL  no UART [$a]: exit $status"; failures=$((failures + 1)); fi
done

# Timing: median wall time of 5 runs, exec to exit.
now_ms() { date +%s%N | cut -c1-13; }
for a in $accels; do
    for mode in none pio:100000 mmio:100000 selftest; do
        times=""
        for i in 1 2 3 4 5; do
            t0=$(now_ms)
            run $a "$rom" -fw_cfg name=opt/emu/mode,string=$mode
            t1=$(now_ms)
            times="$times $((t1 - t0))"
        done
        median=$(printf '%s\n' $times | sort -n | sed -n 3p)
        echo "time  $mode [$a]: median ${median} ms (runs:$times)"
    done
done

if [ $failures -ne 0 ]; then echo "$failures FAILED"; exit 1; fi
echo "all passed"
