#!/usr/bin/env bash
# Decoder serving benchmark: in-process ONNX Runtime decoding vs decoder-service over gRPC, on the same
# bundle, words and machine, in one run (see benchmarks/serving/README.md).
#
#   FAMILY=pvae benchmarks/serving/run.sh     # the PVAE instead (benchmarks/serving/speech.sh; ~2 min)
#   FAMILY=vqvae benchmarks/serving/run.sh    # the VQ-VAE's voice conversion instead (benchmarks/serving/speech.sh)
#   benchmarks/serving/run.sh                 # defaults: g2p-cmudict-full/1, 2,000 words, beam 5,
#                                             # batch 1 & 32 in-process, concurrency 1, 8, 64 over gRPC,
#                                             # 20 s measured per configuration (2 rounds x 10 s), ~3 min
#
# Environment (all optional):
#   MODEL (g2p-cmudict-full)  VERSION (1)  REGISTRY (~/.cache/crossmodal/registry or $CROSSMODAL_REGISTRY_DIR)
#   DURATION (20: measured seconds per configuration, split over ROUNDS)  ROUNDS (2)  WARMUP (5)  WARMUP_LATER (2)
#   PREWARM (5: unmeasured seconds per configuration before round 1, JIT warm-up of both JVMs)
#   BATCHES (1,32)  CONCURRENCY (1,8,64)  WORDS (2000)  SEED (1)  BEAM (5)  NBEST (1)
#   INTRA_OP / INTER_OP (passed to the service when > 0, else it uses its own defaults; INTRA_OP also sets the
#   in-process side)  INPROC_INTRA_OP (in-process intra-op threads: INTRA_OP if set, else 1 without spinning,
#   its fastest setting; 0 = ORT default with its spinning pool)
#   SERVER_JAVA_OPTS (extra JVM options for the service)  SERVER_PROPS (extra -D options for the service,
#   e.g. "-Dcrossmodal.serving.batching.max-queue-delay=0ms")  BENCH_JAVA_OPTS (JVM options of the bench/client)
#   BENCH_TIMEOUT (900: hard limit in seconds for the measuring JVM)  NOTE (free text put into the report)
#   APP (decoder-service/target/quarkus-app: the packaged service to measure, e.g. a copy a build cannot touch)
# Extra arguments are passed to the Java main as --key=value options.
#
# Output: the Markdown report on stdout and in benchmarks/serving/results-<UTC timestamp>.md; the service's log
# in benchmarks/serving/decoder-service-<UTC timestamp>.log (ignored by git).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

# FAMILY=pvae / vqvae: the speech families' benchmarks instead (benchmarks/serving/speech.sh): the PVAE's
# cross-modal generation, the VQ-VAE's voice conversion
case "${FAMILY:-seq2seq}" in
  pvae | vqvae) FAMILY="$FAMILY" exec "$root/benchmarks/serving/speech.sh" "$@" ;;
esac

MODEL="${MODEL:-g2p-cmudict-full}"
VERSION="${VERSION:-1}"
REGISTRY="${REGISTRY:-${CROSSMODAL_REGISTRY_DIR:-$HOME/.cache/crossmodal/registry}}"
app="${APP:-decoder-service/target/quarkus-app}"
bench_src="decoder-service/src/test/java/io/crossmodal/decoder/bench/DecoderServingBench.java"

say() { echo "[run.sh] $*" >&2; }

# 1. the service build (also provides core, proto and ONNX Runtime jars for the in-process side)
if [ ! -f "$app/quarkus-run.jar" ] || ! ls "$app"/app/crossmodal-decoder-service-*.jar >/dev/null 2>&1; then
  say "decoder-service is not built: ./mvnw -q -o package -DskipTests -pl decoder-service,datasets -am"
  ./mvnw -q -o package -DskipTests -pl decoder-service,datasets -am
fi

# 2. the bundle: the trained full model if present, else the quickstart model (trained if missing)
# (a VERSION that is not a number, e.g. latest or an alias, is resolved by the bench; then the model must exist)
if { [[ "$VERSION" =~ ^[0-9]+$ ]] && [ ! -f "$REGISTRY/$MODEL/$VERSION/manifest.json" ]; } \
    || { ! [[ "$VERSION" =~ ^[0-9]+$ ]] && [ ! -d "$REGISTRY/$MODEL" ]; }; then
  if [ "$MODEL" != "g2p-cmudict-full" ]; then
    say "no bundle $REGISTRY/$MODEL/$VERSION"; exit 2
  fi
  say "no bundle $REGISTRY/$MODEL/$VERSION: falling back to the quickstart model"
  MODEL=quickstart
  VERSION=latest
  if ! ls -d "$REGISTRY"/quickstart/[0-9]* >/dev/null 2>&1; then
    [ -f trainer-service/target/classpath.txt ] || ./mvnw -q -o install -DskipTests
    say "training it: scripts/crossmodal train --config configs/quickstart.json (registry $REGISTRY)"
    CROSSMODAL_REGISTRY_DIR="$REGISTRY" scripts/crossmodal train --config configs/quickstart.json
  fi
fi

# 3. a private copy of the packaged service, so a concurrent `mvn package/verify` cannot swap jars mid-run
work="$(mktemp -d "${TMPDIR:-/tmp}/crossmodal-serving-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$app" "$work/quarkus-app"
# the bench reads its words with the trainer-side CMUdict loader (datasets), which the service does not ship
datasets_jar="$(ls datasets/target/crossmodal-datasets-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -1 || true)"
if [ -z "$datasets_jar" ]; then
  say "datasets is not built: ./mvnw -q -o package -DskipTests -pl datasets -am"
  ./mvnw -q -o package -DskipTests -pl datasets -am
  datasets_jar="$(ls datasets/target/crossmodal-datasets-*.jar | grep -v -- '-tests.jar' | head -1)"
fi
cp "$datasets_jar" "$work/crossmodal-datasets.jar"
# ...and the npm tarball reader it uses (Apache Commons Compress and what that needs), from the local Maven
# repository (the versions the build resolved)
extra_jars=""
for a in org/apache/commons/commons-compress commons-io/commons-io org/apache/commons/commons-lang3 commons-codec/commons-codec; do
  j="$(ls "$HOME"/.m2/repository/$a/*/*.jar 2>/dev/null | grep -v -- '-sources.jar' | sort -V | tail -1 || true)"
  [ -n "$j" ] && extra_jars="$extra_jars:$j"
done
cp_jars="$work/quarkus-app/lib/main/*:$work/quarkus-app/lib/boot/*:$work/crossmodal-datasets.jar$extra_jars"
say "service build: $(ls -l --time-style=+%Y-%m-%dT%H:%M:%S "$app"/app/crossmodal-decoder-service-*.jar | awk '{print $6, $7}')"

# 4. the bench main, compiled against exactly the jars the service runs with (not into target/, which
#    other builds may be writing)
mkdir -p "$work/classes"
javac -nowarn -d "$work/classes" -cp "$cp_jars" "$bench_src"

stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="benchmarks/serving/results-$stamp.md"
log="benchmarks/serving/decoder-service-$stamp.log"
say "measuring (bounded by ${BENCH_TIMEOUT:-900} s); report -> $out"
# shellcheck disable=SC2086
timeout --kill-after=30 "${BENCH_TIMEOUT:-900}" java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  ${BENCH_JAVA_OPTS:-} -cp "$work/classes:$cp_jars" \
  io.crossmodal.decoder.bench.DecoderServingBench \
  --registry="$REGISTRY" --model="$MODEL" --version="$VERSION" --app="$work/quarkus-app" \
  --words="${WORDS:-2000}" --seed="${SEED:-1}" --rounds="${ROUNDS:-2}" --duration="${DURATION:-20}" \
  --warmup="${WARMUP:-5}" --warmup-later="${WARMUP_LATER:-2}" --prewarm="${PREWARM:-5}" --batches="${BATCHES:-1,32}" \
  --concurrency="${CONCURRENCY:-1,8,64}" --beam="${BEAM:-5}" --nbest="${NBEST:-1}" \
  --intra-op="${INTRA_OP:-0}" --inter-op="${INTER_OP:-0}" ${INPROC_INTRA_OP:+"--inproc-intra-op=$INPROC_INTRA_OP"} \
  --server-java-opts="${SERVER_JAVA_OPTS:-}" --server-props="${SERVER_PROPS:-}" \
  --server-log="$log" --out="$out" --clk-tck="$(getconf CLK_TCK)" \
  ${NOTE:+"--note=$NOTE"} "$@"
