#!/usr/bin/env bash
# Serving-defaults sweep: runs benchmarks/serving/run.sh once per thread configuration, in ABBA order
# (configurations, then the same in reverse), and prints one line per run with its same-run ratios
# (service c64 / in-process b32 throughput; service c1 p50 - in-process b1 p50). Each run compares the
# service with the in-process baseline measured in the same run, so slow drift of the machine's load
# cancels; compare configurations by their ratios, never by absolute words/s across runs.
#
#   benchmarks/serving/sweep.sh                       # previous vs current defaults, ABBA: 4 runs, ~12 min
#   CONFIGS="defaults w1t1 w1t2 previous" benchmarks/serving/sweep.sh
#
# Configurations (service side; the in-process side always runs ONNX Runtime with 1 intra-op thread, no
# spinning, its fastest single-threaded setting):
#   defaults  the service's defaults (auto: see serving-common/README.md "Threads")
#   previous  the defaults before 2026-12-07: ORT's own thread pool (spinning), 1 batch worker per model
#   w1t1      1 batch worker, 1 intra-op thread        w2t1  2 batch workers, 1 intra-op thread
#   w1t2      1 batch worker, 2 intra-op threads, no spinning
#   queued    the service's defaults, but every request handed to a batch thread
#             (crossmodal.serving.batching.inline-when-idle=false: the behaviour before that setting existed)
#   nosolo    the service's defaults, but lone requests run on the main sessions too
#             (crossmodal.onnx.solo-sessions=false: the behaviour before that setting existed)
#   blocking  the service's defaults, but every unary request admitted on a worker thread, none run on the event loop
#             (crossmodal.serving.batching.event-loop-when-idle=false: as @Blocking handlers, before that setting
#             existed, except that the handler hands the call to a worker once, where Quarkus' @Blocking replayed each
#             call event through the worker pool; the exact old build: "defaults@<quarkus-app of main> defaults")
# A configuration may name its own service build, <name>@<quarkus-app dir> (e.g. "defaults@/tmp/main-app defaults"
# compares another build's defaults with this one's in the same ABBA sweep); without it, APP or the default build.
# Every run.sh knob (MODEL, REGISTRY, DURATION, CONCURRENCY, ...) passes through. Reports:
# benchmarks/serving/results-<UTC>.md (one per run); this script's summary goes to stdout.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

props() {
  case "$1" in
    defaults) echo "" ;;
    previous) echo "-Dcrossmodal.onnx.intra-op-threads=0 -Dcrossmodal.onnx.inter-op-threads=0 -Dcrossmodal.onnx.allow-spinning=true -Dcrossmodal.serving.compute.batch-workers=1" ;;
    w1t1) echo "-Dcrossmodal.serving.compute.batch-workers=1 -Dcrossmodal.onnx.intra-op-threads=1" ;;
    w2t1) echo "-Dcrossmodal.serving.compute.batch-workers=2 -Dcrossmodal.onnx.intra-op-threads=1" ;;
    w1t2) echo "-Dcrossmodal.serving.compute.batch-workers=1 -Dcrossmodal.onnx.intra-op-threads=2 -Dcrossmodal.onnx.allow-spinning=false" ;;
    queued) echo "-Dcrossmodal.serving.batching.inline-when-idle=false" ;;
    nosolo) echo "-Dcrossmodal.onnx.solo-sessions=false" ;;
    blocking) echo "-Dcrossmodal.serving.batching.event-loop-when-idle=false" ;;
    *) echo "unknown configuration '$1'" >&2; exit 2 ;;
  esac
}

read -r -a configs <<< "${CONFIGS:-previous defaults}"
order=("${configs[@]}")
for ((i = ${#configs[@]} - 1; i >= 0; i--)); do order+=("${configs[$i]}"); done

summary=()
for config in "${order[@]}"; do
  name="${config%%@*}"
  build="${APP:-}"
  [ "$config" != "$name" ] && build="${config#*@}"
  p="$(props "$name")"
  echo "[sweep.sh] $(date -u +%H:%M:%S) $config: ${p:-service defaults} (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  report="$(APP="$build" SERVER_PROPS="$p${SERVER_PROPS:+ $SERVER_PROPS}" \
    NOTE="sweep.sh configuration $config: ${p:-service defaults}" benchmarks/serving/run.sh)"
  file="$(ls -t benchmarks/serving/results-*.md | head -1)"
  ratio="$(grep -m1 'service throughput at concurrency 64 / in-process batch-32' <<< "$report" | awk -F'|' '{print $3}' | tr -d ' ' || true)"
  latency="$(grep -m1 'service p50 at concurrency 1 - in-process batch-1' <<< "$report" | awk -F'|' '{print $3}' | tr -d ' ' || true)"
  floor="$(grep -m1 'gRPC floor: health check p50' <<< "$report" | awk -F'|' '{print $3}' | tr -d ' ' || true)"
  summary+=("| $config | ${ratio:-?} | ${latency:-?} | ${floor:-?} | \`$file\` |")
done
echo
echo "| configuration | c64 / b32 | c1 p50 - b1 p50 | gRPC floor (health check p50, c1) | report |"
echo "|---|---:|---:|---:|---|"
printf '%s\n' "${summary[@]}"
