#!/bin/sh
# Installs what the tests need and runs all of them: unit tests, KVM tests
# with the built-in firmware, and the nested-lab tests (shared/LAB.md).
# Tests that need KVM run at level 1 where /dev/kvm works and otherwise inside
# level 2 of the nested lab (tests/Emu.Lab/README.md), with the same code.
# With CI=true a missing prerequisite (neither KVM nor the lab) fails the run
# instead of skipping tests. At the end the script says how long each part
# took and what level 2 did (boots, time, retries after a level-2 crash).
set -eu
cd "$(dirname "$0")/.."
started=$(date +%s)
scripts/install-test-deps.sh
# Everything is built before any test runs: the lab tests start the emu that
# src/Host builds.
dotnet build Emu.sln -c Release
# emu as it is installed: one NativeAOT executable (no .NET needed where it
# runs). The lab's migration tests time migrations with it (EMU_INSTALLED), and
# the tests that run emu as a program run again against it at the end.
# Publishing takes about two minutes on a 2-core machine.
dotnet publish src/Host -c Release -r linux-x64 -o artifacts/emu-installed --nologo -v:q
export EMU_INSTALLED="$PWD/artifacts/emu-installed/emu"
journal="${EMU_LAB_CACHE:-/var/tmp/emu-lab}/journal.log"
journal_start=$( (wc -l < "$journal") 2>/dev/null || echo 0)
tests_started=$(date +%s)
summary() {
    status=$?
    now=$(date +%s)
    echo "== test run: $((now - started)) s in all ($((tests_started - started)) s installing and building, $((now - tests_started)) s testing); status $status"
    if [ -f "$journal" ]; then
        tail -n "+$((journal_start + 1))" "$journal" | awk '
            / boot / { boots++; for (i = 1; i <= NF; i++) if ($i ~ /^qemu=/) { sub(/^qemu=/, "", $i); sub(/s$/, "", $i); qemu += $i } }
            / RETRY / { retries++; print "== level 2 retried: " $0 }
            END { printf "== level 2: %d boots, %.0f s of QEMU time in all (serialized: one level 2 at a time), %d retries after a crash or hang\n", boots, qemu, retries }'
    fi
}
trap summary EXIT
dotnet test Emu.sln -c Release --no-build "$@"
# The tests that run emu as a program, again against emu as it is installed:
# trimming and ahead-of-time compilation must not take away anything a user can
# reach, and the [PublishedEmuFact] tests check it runs without a .NET
# installation. They run at level 1 here (the software CPU); their KVM cases ran
# in level 2 above.
# (The in-process allocation test does not start emu; it ran above.)
EMU_UNDER_TEST="$EMU_INSTALLED" EMU_LAB_LEVEL1_ONLY=1 dotnet test tests/Emu.Host.Tests -c Release --no-build \
    --filter "FullyQualifiedName!~ExitPathAllocationTests" "$@"
