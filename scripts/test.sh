#!/usr/bin/env bash
# The test command (README): checks (and where it can, installs) what the tests need, then builds every
# module and runs all tests. Nothing is skipped for a missing tool: scripts/test-prereqs.sh fails instead.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/test-prereqs.sh
./mvnw -B -ntp verify "$@"
