#!/bin/sh
# patch-mode.sh ROM OUT MODE
#
# Copies the Emu firmware image ROM to OUT with its built-in mode string set
# to MODE, for VMMs that cannot pass the mode through fw_cfg. The config
# block is found by its magic "EMUCFG01" (exactly once in the image,
# 16-byte aligned) and is 64 bytes: the magic, then the mode string
# NUL-terminated and NUL-padded (at most 55 characters).
#
# Needs only POSIX sh, GNU grep (-obUa), dd and head (coreutils).
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 ROM OUT MODE   (e.g. $0 emu-firmware.rom pio.rom pio:100000)" >&2
    exit 2
fi
rom=$1 out=$2 mode=$3

magic=EMUCFG01
len=$(printf '%s' "$mode" | wc -c)
if [ "$len" -gt 55 ]; then
    echo "$0: mode '$mode' is $len bytes, at most 55 fit" >&2
    exit 1
fi

offsets=$(LC_ALL=C grep -obUa "$magic" "$rom" | cut -d: -f1)
count=$(printf '%s\n' $offsets | grep -c . || true)
if [ "$count" -ne 1 ]; then
    echo "$0: expected the magic $magic once in $rom, found it $count times" >&2
    exit 1
fi
offset=$offsets
if [ $((offset % 16)) -ne 0 ]; then
    echo "$0: config block at offset $offset is not 16-byte aligned" >&2
    exit 1
fi

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
cp "$rom" "$tmp"
# 56 bytes after the magic: the mode, then NULs.
{ printf '%s' "$mode"; head -c $((56 - len)) /dev/zero; } |
    dd of="$tmp" bs=1 seek=$((offset + 8)) count=56 conv=notrunc status=none
mv "$tmp" "$out"
trap - EXIT
