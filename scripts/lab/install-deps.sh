#!/bin/sh
# The nested lab's packages are part of the project's test dependencies; QEMU 10,
# the migration comparison's anchor, is unpacked into the lab cache beside them.
set -eu
"$(dirname "$0")/../install-test-deps.sh"
"$(dirname "$0")/fetch-qemu10.sh" >/dev/null
