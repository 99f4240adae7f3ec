#!/bin/sh
# Live migration and snapshots, emu against QEMU 10 (issue 16, "Measure"): in one
# level-2 run of the nested lab (Linux 6.12 with the mtty sample mdev driver), the same
# level-3 Linux guest (256 MiB, virtio-blk, virtio-net on a tap, an mtty-2 mdev) runs
# under QEMU 10.0.2 (fetched by scripts/lab/fetch-qemu10.sh) and under emu, both with
# KVM, alternately for EMU_MIGBENCH_ROUNDS rounds (default 5): a live migration over
# unix: to a second process, a snapshot (stop + migrate file:), a restore (-incoming
# defer + migrate-incoming + cont). Prints every step's figures, then the medians and
# the emu/QEMU ratios. Needs the lab (tests/Emu.Lab/README.md).
set -eu
export EMU_MIGBENCH_ROUNDS="${EMU_MIGBENCH_ROUNDS:-5}"
cd "$(dirname "$0")/../.."
scripts/lab/fetch-qemu10.sh >/dev/null
# emu as it is installed: one NativeAOT executable (a JIT-compiled emu spends much of a
# first migration compiling, in level 2's TCG-emulated CPU).
# Not under /tmp: level 2 has a tmpfs there, the rest of the host file system it sees.
out=/var/tmp/emu-migbench/publish
dotnet publish src/Host/Emu.Host.csproj -c Release -r linux-x64 -o "$out" --nologo >/dev/null
export EMU_INSTALLED="$out/emu"
dotnet build -c Release src/Host/Emu.Host.csproj >/dev/null
dotnet build -c Release tests/Emu.Lab.Tests/Emu.Lab.Tests.csproj >/dev/null
dotnet test -c Release --no-build tests/Emu.Lab.Tests/Emu.Lab.Tests.csproj \
    --filter "FullyQualifiedName~MigrationBenchLabTests" \
    --logger "console;verbosity=detailed" |
    grep -E "migbench\| (emu=|round [0-9]+ (qemu|emu) (boot|live|save|restore))|^ *median |Passed|Failed" |
    grep -v "stderr" | sed "s/^\[xUnit[^]]*\] *//; s/^ *//" | awk '!seen[$0]++' || true
