#!/usr/bin/env bash
# The speech families' serving benchmarks, reached as `FAMILY=pvae|vqvae benchmarks/serving/run.sh`: one spoken
# digit WAV per unit of work, in process with ONNX Runtime directly vs decoder-service's Decode over gRPC, same
# bundle, same recordings, same run (harness: family-pvae/src/test/java/.../bench/SpeechDecodeBench.java).
#   pvae:  cross-modal generation (WAV + style image -> image; PvaeServingBench)
#   vqvae: voice conversion (WAV -> units -> frames in a training speaker's voice; VqvaeServingBench)
#
# Environment (all optional):
#   FAMILY (pvae)  MODEL (pvae: digits, vqvae: units)
#   VERSION (default: what the service serves, production else latest)  REGISTRY (~/.cache/crossmodal/registry or $CROSSMODAL_REGISTRY_DIR)
#   SPEECH_DIR (../shared/data/fsdd if present; pvae falls back to the synthetic espeak-ng digits of the PVAE quick start)
#   RECORDINGS (200)  DURATION (10: measured seconds per configuration, over ROUNDS)  ROUNDS (2)  WARMUP (3)
#   BATCHES (1,32)  CONCURRENCY (1,8,32)  SERVER_PROPS (extra -D options for the service)  NOTE (text for the report)
# With no bundle MODEL in REGISTRY it trains one first with the family's job config but 1-2 epochs (the serving
# cost depends on the graphs' sizes, not on how well they are trained).
# Output: the report on stdout and in benchmarks/serving/results-<family>-<UTC>.md; the service's log in
# benchmarks/serving/decoder-service-<family>-<UTC>.log (ignored by git).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
FAMILY="${FAMILY:-pvae}"
case "$FAMILY" in
  pvae)
    config_model=digits; job_config=configs/pvae-digits.json; epochs=2; bench_class=PvaeServingBench ;;
  vqvae)
    config_model=units; job_config=configs/vqvae-job.json; epochs=1; bench_class=VqvaeServingBench ;;
  *) echo "[speech.sh] FAMILY must be pvae or vqvae, got '$FAMILY'" >&2; exit 2 ;;
esac
MODEL="${MODEL:-$config_model}"
VERSION="${VERSION:-default}"
REGISTRY="${REGISTRY:-${CROSSMODAL_REGISTRY_DIR:-$HOME/.cache/crossmodal/registry}}"
app="decoder-service/target/quarkus-app"
bench_src=("family-pvae/src/test/java/io/crossmodal/family/pvae/bench/SpeechDecodeBench.java"
           "family-$FAMILY/src/test/java/io/crossmodal/family/$FAMILY/bench/$bench_class.java")
say() { echo "[speech.sh $FAMILY] $*" >&2; }

if [ ! -f "$app/quarkus-run.jar" ] || [ ! -f trainer-service/target/classpath.txt ]; then
  say "building decoder-service and the trainer (package, no tests)"
  ./mvnw -q -B -ntp package -DskipTests -pl decoder-service,trainer-service -am
fi
if [ -z "${SPEECH_DIR:-}" ]; then
  if [ -d "$root/../shared/data/fsdd/recordings" ] || [ "$FAMILY" != pvae ]; then SPEECH_DIR="$root/../shared/data/fsdd"
  else SPEECH_DIR="${CROSSMODAL_CACHE:-$HOME/.cache/crossmodal}/espeak-digits-12"; fi
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/crossmodal-$FAMILY-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ ! -d "$REGISTRY/$MODEL" ]; then
  say "no model $MODEL in $REGISTRY: training one ($job_config, $epochs epochs)"
  edits=(-e "s/\"epochs\": [0-9]*/\"epochs\": $epochs/" -e "s#\"runDir\": \"[^\"]*\"#\"runDir\": \"$work/run\"#"
         -e "s/\"name\": \"$config_model\"/\"name\": \"$MODEL\"/")
  # the PVAE's job config names its own (synthetic) speech directory; the VQ-VAE's is pointed at SPEECH_DIR
  if [ "$FAMILY" = vqvae ]; then
    edits+=(-e "s#\"speechDir\": \"[^\"]*\"#\"speechDir\": \"$(cd "$SPEECH_DIR" && pwd)\"#")
  fi
  sed "${edits[@]}" "$job_config" > "$work/job.json"
  CROSSMODAL_REGISTRY_DIR="$REGISTRY" scripts/crossmodal train --config "$work/job.json" | tail -2
fi
[ -d "$SPEECH_DIR/recordings" ] || { say "no recordings in $SPEECH_DIR (set SPEECH_DIR)"; exit 2; }
SPEECH_DIR="$(cd "$SPEECH_DIR" && pwd)"
# a private copy of the packaged service (a concurrent build cannot swap jars mid-run); the bench compiled
# against exactly its jars
cp -r "$app" "$work/quarkus-app"
cp_jars="$work/quarkus-app/lib/main/*:$work/quarkus-app/lib/boot/*"
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" -cp "$cp_jars" "${bench_src[@]}"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="benchmarks/serving/results-$FAMILY-$stamp.md"
log="benchmarks/serving/decoder-service-$FAMILY-$stamp.log"
say "measuring; report -> $out"
timeout --kill-after=30 "${BENCH_TIMEOUT:-600}" java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  ${BENCH_JAVA_OPTS:-} -cp "$work/classes:$cp_jars" "io.crossmodal.family.$FAMILY.bench.$bench_class" \
  --registry="$REGISTRY" --model="$MODEL" --version="$VERSION" --app="$work/quarkus-app" --speech-dir="$SPEECH_DIR" \
  --recordings="${RECORDINGS:-200}" --duration="${DURATION:-10}" --rounds="${ROUNDS:-2}" --warmup="${WARMUP:-3}" \
  --batches="${BATCHES:-1,32}" --concurrency="${CONCURRENCY:-1,8,32}" --server-props="${SERVER_PROPS:-}" \
  --server-log="$log" --out="$out" ${NOTE:+"--note=$NOTE"} "$@"
