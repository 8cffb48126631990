#!/usr/bin/env bash
# The main job end to end on a fresh clone (README "Quick start"):
#   build -> download CMUdict (pinned, checksummed, cached) -> train a small G2P/P2G/prior model
#   -> evaluate on the test split -> export an ONNX bundle into a local registry
#   -> start encoder-service and decoder-service (profile 'local': loopback only, plaintext, no
#   authentication; docs/SECURITY.md) -> answer one request each -> stop them.
# Environment: QUICKSTART_CONFIG (default configs/quickstart.json), CROSSMODAL_REGISTRY_DIR
# (default ./registry), ENCODER_PORT (9101), DECODER_PORT (9102), SKIP_BUILD=1 to reuse a build.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
config="${QUICKSTART_CONFIG:-configs/quickstart.json}"
export CROSSMODAL_REGISTRY_DIR="${CROSSMODAL_REGISTRY_DIR:-$root/registry}"
enc_port="${ENCODER_PORT:-9101}"
dec_port="${DECODER_PORT:-9102}"
model="$(sed -n 's/.*"name": *"\([^"]*\)".*/\1/p' "$config" | head -1)"
logs="$root/runs/quickstart-services"
mkdir -p "$logs"

step() { printf '\n==> %s\n' "$*"; }

if [ "${SKIP_BUILD:-0}" != "1" ]; then
  step "building all modules (./mvnw install -DskipTests)"
  ./mvnw -q -B -ntp install -DskipTests
fi

step "training '$model' from $config (registry: $CROSSMODAL_REGISTRY_DIR)"
scripts/crossmodal train --config "$config"

pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

start() { # name port
  local name="$1" port="$2"
  # profile 'local': bound to 127.0.0.1 only (docs/SECURITY.md); inference authentication is off by default
  java -Dquarkus.profile=local -Dquarkus.http.port="$port" -Dcrossmodal.models="$model" \
    -jar "$root/$name/target/quarkus-app/quarkus-run.jar" > "$logs/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 120); do
    if curl -sf "http://localhost:$port/q/health/ready" > /dev/null 2>&1; then
      echo "$name ready on port $port (log: $logs/$name.log)"
      return 0
    fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "$name exited; last log lines:" >&2; tail -20 "$logs/$name.log" >&2; return 1
    fi
    sleep 1
  done
  echo "$name did not become ready in 120 s; see $logs/$name.log" >&2
  return 1
}

step "starting encoder-service and decoder-service"
start encoder-service "$enc_port"
start decoder-service "$dec_port"
grep -h "execution provider" "$logs"/*.log | head -2 || true

step "decoder (G2P, p(x|y)): spelling -> pronunciation"
scripts/crossmodal client decode --target "localhost:$dec_port" --model "$model" --input "${QUICKSTART_WORD:-crossmodal}"

step "encoder (P2G, q(y|x)): pronunciation -> spelling"
scripts/crossmodal client encode --target "localhost:$enc_port" --model "$model" --input "${QUICKSTART_PHONEMES:-F OW N IY M}"

step "done: the run directory is runs/$model (report-*.md, learning_curves.png); services stopped"
