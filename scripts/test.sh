#!/usr/bin/env bash
# The test command (README): builds every module and runs all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp verify "$@"
