#!/bin/sh
# The vfio-pci comparison: in one level-2 run of the nested lab (Linux 6.1, QEMU 7.2),
# a level-3 Debian guest reads 192 MiB from a passed-through NVMe controller with
# dd iflag=direct, three times under emu and three times under QEMU's -device vfio-pci, while KVM's
# exit counters (level 2's debugfs) are sampled around each read. Prints throughput,
# exits per MiB and the emu/QEMU ratios. Needs the lab (tests/Emu.Lab/README.md).
# Throughput swings several-fold between reads on this lab, so the comparison runs
# EMU_VFIO_ROUNDS rounds (default 5), alternating a boot of emu and one of QEMU, and
# reports the median read of each VMM.
set -eu
export EMU_VFIO_ROUNDS="${EMU_VFIO_ROUNDS:-5}"
cd "$(dirname "$0")/../.."
dotnet build -c Release src/Host/Emu.Host.csproj >/dev/null
dotnet build -c Release tests/Emu.Lab.Tests/Emu.Lab.Tests.csproj >/dev/null
dotnet test -c Release --no-build tests/Emu.Lab.Tests/Emu.Lab.Tests.csproj \
    --filter "FullyQualifiedName~VfioLinuxLabTests.Emu_exits_no_more_per_MiB_than_QEMU" \
    --logger "console;verbosity=detailed" | grep -E "nvme read| read [0-9]:|counted reads|round [0-9]+ (emu|qemu):|rounds:|Passed|Failed" || true
