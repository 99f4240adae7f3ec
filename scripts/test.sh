#!/bin/sh
# Installs what the tests need and runs all of them: unit tests, KVM tests
# with the built-in firmware, and the nested-lab tests (shared/LAB.md).
# With CI=true a missing /dev/kvm or lab prerequisite fails the run instead
# of skipping tests.
set -eu
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
# Everything is built before any test runs: the lab tests start the emu that
# src/Host builds.
dotnet build Emu.sln -c Release
dotnet test Emu.sln -c Release --no-build "$@"
# The tests that run emu as a program, again against emu as it is installed
# (self-contained, trimmed, one ReadyToRun composite image): trimming must
# not take away anything a user can reach.
dotnet publish src/Host -c Release -r linux-x64 -o artifacts/emu-installed --nologo -v:q
# (The in-process allocation test does not start emu; it ran above.)
EMU_UNDER_TEST="$PWD/artifacts/emu-installed/emu" dotnet test tests/Emu.Host.Tests -c Release --no-build \
    --filter "FullyQualifiedName!~ExitPathAllocationTests" "$@"
