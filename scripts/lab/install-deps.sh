#!/bin/sh
# The nested lab's packages are part of the project's test dependencies.
exec "$(dirname "$0")/../install-test-deps.sh"
