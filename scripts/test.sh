#!/bin/sh
# Installs what the tests need and runs all of them: unit tests, KVM tests
# with the built-in firmware, and the nested-lab tests (shared/LAB.md).
# With CI=true a missing /dev/kvm or lab prerequisite fails the run instead
# of skipping tests.
set -eu
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
dotnet test Emu.sln -c Release "$@"
