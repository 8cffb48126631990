#!/usr/bin/env bash
# What the test suite needs besides a JDK 17 (Maven and Java dependencies come through the wrapper).
# Installs what is missing when it can (Debian packages, as root or through sudo) and otherwise fails
# naming the missing piece and how to get it: the suite never skips a test for a missing tool.
#   - /usr/bin/python3 with grpc + protoc with the gRPC plugin: the Python client test (clients/python);
#     Debian 12's grpc_tools bundles a protoc too old for proto3 `optional`, hence protobuf-compiler(-grpc)
#   - /usr/bin/python3 with numpy + scipy: independent reference computations in tests (never product deps)
#   - espeak-ng, sox: synthetic speech where a test or quick start needs speech without a dataset
#   - kubectl >= 1.27 (kustomize v5): the k8s manifest tests render with it (no Debian package is new
#     enough; install it from the Kubernetes release channel or set KUBECTL)
set -euo pipefail
pkgs="python3-grpcio python3-grpc-tools protobuf-compiler protobuf-compiler-grpc python3-numpy python3-scipy espeak-ng sox"
missing=""
for p in $pkgs; do dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo > /dev/null && sudo -n true 2> /dev/null; then SUDO="sudo -n"; else
      echo "test-prereqs: missing Debian packages:$missing" >&2
      echo "test-prereqs: install them with: sudo apt-get install -y$missing" >&2
      exit 1
    fi
  fi
  echo "test-prereqs: installing$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi
/usr/bin/python3 -c "import grpc, numpy, scipy" || { echo "test-prereqs: /usr/bin/python3 cannot import grpc/numpy/scipy" >&2; exit 1; }
kubectl="${KUBECTL:-$(command -v kubectl || true)}"
if [ -z "$kubectl" ]; then
  echo "test-prereqs: kubectl (>= 1.27) not found: the k8s manifest tests need it; install it from the Kubernetes" >&2
  echo "  release channel (https://kubernetes.io/docs/tasks/tools/) or point KUBECTL at one" >&2
  exit 1
fi
"$kubectl" version --client 2>&1 | head -1 || true
