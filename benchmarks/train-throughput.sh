#!/usr/bin/env bash
# Training throughput of the DJL trainer vs the same seq2seq model in plain PyTorch, side by side.
#
#   benchmarks/train-throughput.sh [--rounds 3] [--block 1] [--threads 2] [--warmup 10] [--steps 60]
#       [--batch 64] [--batches 400] [--embed 64] [--enc-hidden 128] [--dec-hidden 256]
#       [--seed 1] [--config configs/g2p-full.json] [--out benchmarks/results]
#
# Installs Debian's python3-torch + OpenBLAS (OpenMP) if missing, builds the trainer if needed,
# writes the G2P training pairs once (CMUdict, the real split and length-bucketed batches, in
# batch order), then runs R rounds of both engines with the same thread count, alternating
# djl, pytorch, djl, pytorch, ... every --block timed steps (0: whole runs), and prints a
# Markdown table (words/s = training pairs per second, forward + backward + clipping + Adam).
# Results also go to <out>/train-throughput-<date>.json. The defaults finish in about 10 minutes
# on a busy 2-core machine; on a quiet one use e.g. --warmup 20 --steps 300 --block 10.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
COMMAND="benchmarks/train-throughput.sh${*:+ $*}"

ROUNDS=3 BLOCK=1 THREADS=2 WARMUP=10 STEPS=60 BATCH=64 BATCHES=400 EMBED=64 ENC=128 DEC=256 SEED=1
CONFIG=configs/g2p-full.json OUT=benchmarks/results
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2 ;; --block) BLOCK=$2 ;; --threads) THREADS=$2 ;; --warmup) WARMUP=$2 ;; --steps) STEPS=$2 ;;
    --batch) BATCH=$2 ;; --batches) BATCHES=$2 ;; --embed) EMBED=$2 ;; --enc-hidden) ENC=$2 ;;
    --dec-hidden) DEC=$2 ;; --seed) SEED=$2 ;; --config) CONFIG=$2 ;; --out) OUT=$2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift 2
done

PY=/usr/bin/python3   # Debian's python3-torch is for the system python, not a pyenv one on PATH
log() { echo "[train-throughput] $*" >&2; }

# 1. PyTorch for /usr/bin/python3 and an OpenMP OpenBLAS behind libblas.so.3.
if ! "$PY" -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  log "installing python3-torch libopenblas0-openmp"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y python3-torch libopenblas0-openmp >&2 \
    || { apt-get update >&2 && apt-get install -y python3-torch libopenblas0-openmp >&2; }
fi

# 2. The trainer (classes + runtime classpath), and the bench class compiled against it. The bench
#    is compiled on its own into target/bench-classes, so a half-edited file elsewhere in the tree
#    does not stop the benchmark once the trainer has been built.
TS=trainer-service
if [[ ! -f $TS/target/classpath.txt || ! -d $TS/target/classes/io/crossmodal/trainer/train ]]; then
  log "building the trainer"
  if command -v mvn >/dev/null; then MVN=mvn; else MVN=./mvnw; fi
  $MVN -q -o -f "$TS/pom.xml" package -DskipTests >&2 || $MVN -q -f "$TS/pom.xml" package -DskipTests >&2
fi
BENCH_SRC=$TS/src/main/java/io/crossmodal/trainer/bench/TrainThroughputBench.java
BENCH_CLASSES=$TS/target/bench-classes
CP="$BENCH_CLASSES:$TS/target/classes:$(cat $TS/target/classpath.txt)"
if [[ ! -f $BENCH_CLASSES/io/crossmodal/trainer/bench/TrainThroughputBench.class \
      || $BENCH_SRC -nt $BENCH_CLASSES/io/crossmodal/trainer/bench/TrainThroughputBench.class ]]; then
  log "compiling TrainThroughputBench"
  mkdir -p "$BENCH_CLASSES"
  javac -nowarn -d "$BENCH_CLASSES" -cp "$TS/target/classes:$(cat $TS/target/classpath.txt)" "$BENCH_SRC"
fi
JAVA=(java -Dai.djl.offline=true -cp "$CP" io.crossmodal.trainer.bench.TrainThroughputBench)

# 3. The pairs file, once per (config, batch, batches).
PAIRS=$TS/target/bench/pairs-g2p-$(basename "$CONFIG" .json)-b$BATCH-n$BATCHES.tsv
if [[ ! -s $PAIRS || ! -s $PAIRS.json ]]; then
  log "writing $PAIRS"
  "${JAVA[@]}" --write-pairs "$PAIRS" --config "$CONFIG" --batch "$BATCH" --batches "$BATCHES" >&2
fi
read -r SRC_VOCAB TGT_VOCAB < <("$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["src_vocab"], m["tgt_vocab"])' "$PAIRS.json")

SIZES=(--pairs "$PAIRS" --src-vocab "$SRC_VOCAB" --tgt-vocab "$TGT_VOCAB" --embed "$EMBED" --enc-hidden "$ENC"
       --dec-hidden "$DEC" --batch "$BATCH" --warmup "$WARMUP" --steps "$STEPS" --seed "$SEED" --threads "$THREADS")
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS

# 4. Rounds. Each round starts a fresh DJL (JVM) and a fresh PyTorch process; the engine that goes
#    first alternates between rounds. With --block K > 0 the two processes run in lockstep: both
#    warm up, then they take turns every K timed steps (ABBA order), so a change in the machine's
#    background load hits both engines alike; the same step index is the same batch on both sides,
#    so each pair of blocks compares identical work done moments apart. --block 0 runs whole runs
#    one after the other instead (djl, pytorch, pytorch, djl, ...).
RUNS=$(mktemp)
trap 'rm -f "$RUNS"' EXIT
DJL_CMD=("${JAVA[@]}" "${SIZES[@]}")
PT_CMD=("$PY" benchmarks/train_throughput.py "${SIZES[@]}")
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2 == 1)); then FIRST=djl; else FIRST=pytorch; fi
  log "round $r/$ROUNDS (block $BLOCK, $FIRST first)"
  "$PY" - "$r" "$BLOCK" "$STEPS" "$FIRST" "$RUNS" "${#DJL_CMD[@]}" "${DJL_CMD[@]}" "${PT_CMD[@]}" <<'PYEOF'
import json, math, re, subprocess, sys, threading
rnd, block, steps, first, runs_file, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
cmds = {"djl": sys.argv[7:7 + n], "pytorch": sys.argv[7 + n:]}
NOISE = re.compile(r"^SLF4J|AutoNonVariableTypeMode")
def log(msg):
    print("[train-throughput]", msg, file=sys.stderr, flush=True)

class Proc:
    def __init__(self, engine, lockstep):
        self.engine = engine
        cmd = cmds[engine] + ["--lockstep", str(lockstep)]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        threading.Thread(target=self._stderr, daemon=True).start()
        self.blocks = []
    def _stderr(self):
        for line in self.p.stderr:
            if not NOISE.search(line):
                sys.stderr.write(f"  [{self.engine}] {line}")
    def read(self, key):
        for line in self.p.stdout:
            if line.startswith("{"):
                obj = json.loads(line)
                if key in obj:
                    return obj
        raise SystemExit(f"{self.engine} exited (rc {self.p.wait()}) before printing '{key}'")
    def go(self):
        self.p.stdin.write("go\n")
        self.p.stdin.flush()
        b = self.read("block")
        self.blocks.append(b)
        return b
    def finish(self):
        res = self.read("engine")
        rc = self.p.wait()
        if rc:
            raise SystemExit(f"{self.engine} failed with rc {rc}")
        return res

order = [first, "pytorch" if first == "djl" else "djl"]
results = {}
if block > 0:
    procs = {}
    for e in order:  # warm up one at a time
        procs[e] = Proc(e, block)
        procs[e].read("ready")
    for i in range(math.ceil(steps / block)):
        for e in (order if i % 2 == 0 else order[::-1]):
            procs[e].go()
        if (i + 1) % max(1, 10 // block) == 0:
            d, p = procs["djl"].blocks[-1], procs["pytorch"].blocks[-1]
            log(f"  block {i + 1}: djl {d['pairs'] / d['seconds']:.1f} w/s, pytorch {p['pairs'] / p['seconds']:.1f} w/s")
    for e in order:
        results[e] = (procs[e].finish(), procs[e].blocks)
else:
    for e in order:
        pr = Proc(e, 0)
        pr.p.stdin.close()
        results[e] = (pr.finish(), [])
with open(runs_file, "a") as f:
    for e in order:
        res, blocks = results[e]
        log(f"  {e}: {res['words_per_sec']:.1f} words/s ({res['words_per_cpu_sec']:.1f} per CPU-s), "
            f"loss {res['initial_loss']:.3f} -> {res['final_loss_avg10']:.3f}, params {res['params']}")
        f.write(json.dumps({"round": rnd, "result": res, "blocks": blocks}) + "\n")
PYEOF
done

# 5. Table + JSON.
mkdir -p "$OUT"
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
RESULT_FILE="$OUT/train-throughput-$STAMP.json"
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
DJL_LIBTORCH=$(ls -d "$HOME"/.djl.ai/pytorch/*/ 2>/dev/null | head -1)
DJL_BLAS="?"
if [[ -n $DJL_LIBTORCH && -f $DJL_LIBTORCH/libtorch_cpu.so ]]; then
  if grep -a -q -m1 'Intel(R) oneAPI Math Kernel Library' "$DJL_LIBTORCH/libtorch_cpu.so"; then
    DJL_BLAS="MKL (statically linked in $(basename "$DJL_LIBTORCH")/libtorch_cpu.so)"
  fi
fi
"$PY" - "$RUNS" "$RESULT_FILE" "$COMMAND" "$(nproc)" "$CPU_MODEL" "$LOAD" "$DJL_BLAS" "$THREADS" "$BLOCK" <<'PYEOF'
import json, statistics, sys
runs_file, out_file, command, nproc, cpu, load, djl_blas, threads, block = sys.argv[1:]
runs = [json.loads(l) for l in open(runs_file) if l.strip()]
rounds = sorted({r["round"] for r in runs})
get = lambda e, n: next(r for r in runs if r["round"] == n and r["result"]["engine"] == e)
med = lambda v: statistics.median(v)
per_round, block_ratios = [], []
for n in rounds:
    d, p = get("djl", n), get("pytorch", n)
    dr, pr = d["result"], p["result"]
    # Paired blocks: the same block index ran back to back on both engines.
    for bd, bp in zip(d["blocks"], p["blocks"]):
        block_ratios.append((bd["pairs"] / bd["seconds"]) / (bp["pairs"] / bp["seconds"]))
    per_round.append({
        "round": n, "djl": dr["words_per_sec"], "pytorch": pr["words_per_sec"],
        "ratio": dr["words_per_sec"] / pr["words_per_sec"],
        "djl_per_cpu_s": dr["words_per_cpu_sec"], "pytorch_per_cpu_s": pr["words_per_cpu_sec"],
        "cpu_ratio": dr["words_per_cpu_sec"] / pr["words_per_cpu_sec"],
        "max_step_loss_gap": max(abs(a - b) for a, b in zip(dr["losses"], pr["losses"])),
        "djl_loss": [dr["initial_loss"], dr["final_loss_avg10"]],
        "pytorch_loss": [pr["initial_loss"], pr["final_loss_avg10"]]})
m = {k: med([x[k] for x in per_round]) for k in ("djl", "pytorch", "djl_per_cpu_s", "pytorch_per_cpu_s")}
# Best of rounds per block: every round replays the same batches, so block i holds the same work in
# every round; its fastest time over the rounds is the run least disturbed by background load.
best = {}
for e in ("djl", "pytorch"):
    per_block = {}
    for n in rounds:
        for b in get(e, n)["blocks"]:
            t, pairs = per_block.get(b["block"], (float("inf"), b["pairs"]))
            per_block[b["block"]] = (min(t, b["seconds"]), pairs)
    if per_block:
        best[e] = sum(v[1] for v in per_block.values()) / sum(v[0] for v in per_block.values())
ratio = m["djl"] / m["pytorch"]
d0, p0 = get("djl", rounds[0])["result"], get("pytorch", rounds[0])["result"]
summary = {
    "command": command, "nproc": int(nproc), "cpu": cpu, "loadavg_at_end": load,
    "threads": int(threads), "interop_threads": d0["interop_threads"], "lockstep_block": int(block),
    "djl_engine": d0["engine_version"], "djl_blas": djl_blas,
    "torch_version": p0["torch_version"], "pytorch_blas": p0["blas"],
    "params": {"djl": d0["params"], "pytorch": p0["params"]},
    "median_words_per_sec": {"djl": m["djl"], "pytorch": m["pytorch"]},
    "ratio_djl_over_pytorch": ratio,
    "median_round_ratio": med([x["ratio"] for x in per_round]),
    "median_block_ratio": med(block_ratios) if block_ratios else None,
    "block_ratios": block_ratios,
    "median_words_per_cpu_sec": {"djl": m["djl_per_cpu_s"], "pytorch": m["pytorch_per_cpu_s"]},
    "ratio_per_cpu_sec": m["djl_per_cpu_s"] / m["pytorch_per_cpu_s"],
    "best_of_rounds_per_block_words_per_sec": best or None,
    "best_of_rounds_ratio": best["djl"] / best["pytorch"] if best else None,
    "per_round": per_round, "runs": runs,
}
with open(out_file, "w") as f:
    json.dump(summary, f, indent=1)
f1 = lambda x: f"{x:,.1f}"
print("## Training throughput: DJL trainer vs plain PyTorch (words/s = training pairs/s)\n")
print("| round | DJL words/s | PyTorch words/s | DJL / PyTorch | DJL words/CPU-s | PyTorch words/CPU-s | DJL / PyTorch (CPU) | DJL loss first -> last 10 | PyTorch loss first -> last 10 |")
print("|---:|---:|---:|---:|---:|---:|---:|---|---|")
for x in per_round:
    print(f"| {x['round']} | {f1(x['djl'])} | {f1(x['pytorch'])} | {x['ratio']:.2f} | {f1(x['djl_per_cpu_s'])} | "
          f"{f1(x['pytorch_per_cpu_s'])} | {x['cpu_ratio']:.2f} | {x['djl_loss'][0]:.3f} -> {x['djl_loss'][1]:.3f} | "
          f"{x['pytorch_loss'][0]:.3f} -> {x['pytorch_loss'][1]:.3f} |")
print(f"| **median** | **{f1(m['djl'])}** | **{f1(m['pytorch'])}** | **{ratio:.2f}** | **{f1(m['djl_per_cpu_s'])}** | "
      f"**{f1(m['pytorch_per_cpu_s'])}** | **{summary['ratio_per_cpu_sec']:.2f}** | | |")
if best:
    print(f"| **best of {len(rounds)} per block** | **{f1(best['djl'])}** | **{f1(best['pytorch'])}** | "
          f"**{best['djl'] / best['pytorch']:.2f}** | | | | | |")
print()
if block_ratios:
    q = statistics.quantiles(block_ratios, n=4) if len(block_ratios) > 1 else [block_ratios[0]] * 3
    print(f"- **paired {block}-step blocks** (same batches, engines alternating ABBA, moments apart): median "
          f"DJL/PyTorch ratio **{summary['median_block_ratio']:.2f}** over {len(block_ratios)} pairs "
          f"(quartiles {q[0]:.2f} / {q[2]:.2f}; min {min(block_ratios):.2f}, max {max(block_ratios):.2f})")
else:
    print("- whole runs alternating (--block 0)")
print(f"- machine: {nproc} CPUs, {cpu}; load average at end {load}")
print(f"- threads: {threads} intra-op, {d0['interop_threads']} inter-op, OMP_NUM_THREADS={threads} (both engines)")
print(f"- DJL: {d0['engine_version']}, BLAS {djl_blas}")
print(f"- PyTorch: {p0['torch_version']} (/usr/bin/python3, Debian python3-torch), {p0['blas']['config']}, "
      f"BLAS loaded: {', '.join(p0['blas']['libraries']) or '?'}")
print(f"- parameters: DJL {d0['params']:,}, PyTorch {p0['params']:,}"
      f"{'' if d0['params'] == p0['params'] else '  **MISMATCH**'}")
print(f"- per run: batch {d0['batch']}, warm-up {d0['warmup']} steps, {d0['steps']} timed steps, sizes {json.dumps(d0['sizes'])}")
print(f"- largest per-step loss difference between the engines (same batches, same seed): "
      f"{max(x['max_step_loss_gap'] for x in per_round):.4f}")
print(f"- command: `{command}`")
print(f"- results: {out_file}")
PYEOF
