#!/usr/bin/env bash
# VQ-VAE serving benchmark, reached as `FAMILY=vqvae benchmarks/serving/run.sh`: voice conversion (spoken digit
# WAV -> units -> frames in a training speaker's voice) in process with ONNX Runtime directly vs decoder-service's
# Decode over gRPC, same bundle, same recordings, same run (family-vqvae/src/test/java/.../bench/VqvaeServingBench.java).
#
# Environment (all optional):
#   MODEL (units)  VERSION (default: what the service serves, production else latest)  REGISTRY (~/.cache/crossmodal/registry or $CROSSMODAL_REGISTRY_DIR)
#   SPEECH_DIR (../shared/data/fsdd)
#   RECORDINGS (200)  DURATION (10: measured seconds per configuration, over ROUNDS)  ROUNDS (2)  WARMUP (3)
#   BATCHES (1,32)  CONCURRENCY (1,8,32)  SERVER_PROPS (extra -D options for the service)  NOTE (text for the report)
# With no bundle MODEL in REGISTRY it trains one first with configs/vqvae-job.json's architecture but 1 epoch
# (the serving cost depends on the graphs' sizes, not on how well they are trained).
# Output: the report on stdout and in benchmarks/serving/results-vqvae-<UTC>.md; the service's log in
# benchmarks/serving/decoder-service-vqvae-<UTC>.log (ignored by git).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
MODEL="${MODEL:-units}"
VERSION="${VERSION:-default}"
REGISTRY="${REGISTRY:-${CROSSMODAL_REGISTRY_DIR:-$HOME/.cache/crossmodal/registry}}"
SPEECH_DIR="${SPEECH_DIR:-$root/../shared/data/fsdd}"
app="decoder-service/target/quarkus-app"
bench_src="family-vqvae/src/test/java/io/crossmodal/family/vqvae/bench/VqvaeServingBench.java"
say() { echo "[vqvae.sh] $*" >&2; }

if [ ! -f "$app/quarkus-run.jar" ] || [ ! -f trainer-service/target/classpath.txt ]; then
  say "building decoder-service and the trainer (package, no tests)"
  ./mvnw -q -B -ntp package -DskipTests -pl decoder-service,trainer-service -am
fi
[ -d "$SPEECH_DIR/recordings" ] || { say "no recordings in $SPEECH_DIR (set SPEECH_DIR)"; exit 2; }
SPEECH_DIR="$(cd "$SPEECH_DIR" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/crossmodal-vqvae-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ ! -d "$REGISTRY/$MODEL" ]; then
  say "no model $MODEL in $REGISTRY: training one (configs/vqvae-job.json, 1 epoch)"
  sed -e 's/"epochs": [0-9]*/"epochs": 1/' -e "s#\"runDir\": \"[^\"]*\"#\"runDir\": \"$work/run\"#" \
      -e "s#\"speechDir\": \"[^\"]*\"#\"speechDir\": \"$SPEECH_DIR\"#" \
      -e "s/\"name\": \"units\"/\"name\": \"$MODEL\"/" configs/vqvae-job.json > "$work/job.json"
  CROSSMODAL_REGISTRY_DIR="$REGISTRY" scripts/crossmodal train --config "$work/job.json" | tail -2
fi
# a private copy of the packaged service (a concurrent build cannot swap jars mid-run); the bench compiled
# against exactly its jars
cp -r "$app" "$work/quarkus-app"
cp_jars="$work/quarkus-app/lib/main/*:$work/quarkus-app/lib/boot/*"
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" -cp "$cp_jars" "$bench_src"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="benchmarks/serving/results-vqvae-$stamp.md"
log="benchmarks/serving/decoder-service-vqvae-$stamp.log"
say "measuring; report -> $out"
timeout --kill-after=30 "${BENCH_TIMEOUT:-600}" java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  ${BENCH_JAVA_OPTS:-} -cp "$work/classes:$cp_jars" io.crossmodal.family.vqvae.bench.VqvaeServingBench \
  --registry="$REGISTRY" --model="$MODEL" --version="$VERSION" --app="$work/quarkus-app" --speech-dir="$SPEECH_DIR" \
  --recordings="${RECORDINGS:-200}" --duration="${DURATION:-10}" --rounds="${ROUNDS:-2}" --warmup="${WARMUP:-3}" \
  --batches="${BATCHES:-1,32}" --concurrency="${CONCURRENCY:-1,8,32}" --server-props="${SERVER_PROPS:-}" \
  --server-log="$log" --out="$out" ${NOTE:+"--note=$NOTE"} "$@"
