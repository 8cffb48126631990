#!/usr/bin/env bash
# End-to-end check of the model lifecycle with the real CLI on a tiny model (configs/tiny/: a
# synthetic 500-word lexicon, G2P only, ~15 s of training per model on 2 cores):
#   1. train + register a candidate, promote it through configs/gate.json  -> must succeed (exit 0)
#   2. train + register a deliberately worse candidate (30 optimiser steps) -> promote must REFUSE
#      (exit 3) and production must not move
#   3. retrain the good model (bit-identical: 1 thread, same seed) and promote it -> production moves
#   4. rollback -> production back to the previous production version
#   5. the event log holds exactly the expected events; gc --dry-run / gc keep what is referenced
#   6. the same for the second model family (a partitioned VAE, configs/tiny/pvae-*.json: espeak-ng
#      digits and MNIST; measured on the 2 shared cores at load ~30: train 40 s wall / 10 s CPU, promote
#      28 s wall / 7.5 s CPU): train + promote through configs/tiny/gate-pvae.json,
#      a worse PVAE (one epoch at a tiny learning rate) is refused (exit 3), history lists both decisions
# Needs the built trainer (scripts/crossmodal: trainer-service/target/classpath.txt).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cli="$root/scripts/crossmodal"
work="$(mktemp -d "${TMPDIR:-/tmp}/promotion-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
reg="$work/registry"
export CROSSMODAL_REGISTRY_DIR="$reg"
export CROSSMODAL_ACTOR="${CROSSMODAL_ACTOR:-promotion-check}"
model=tiny-g2p
gate="$root/configs/gate.json"

fail() { echo "promotion-check: FAILED: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }
alias_of() { cat "$reg/$model/aliases/$1" 2>/dev/null | tr -d '[:space:]' || true; }
# a copy of a tiny config with its own run directory and an absolute lexicon path
config() {
  sed -e "s#\"runDir\": \"[^\"]*\"#\"runDir\": \"$work/runs/$2\"#" \
      -e "s#\"source\": \"configs/#\"source\": \"$root/configs/#" "$root/configs/tiny/$1.json" > "$work/$2.json"
  echo "$work/$2.json"
}
promote() { # expected exit code, candidate ref
  set +e
  "$cli" promote --registry "$reg" --model "$model" --candidate "$2" --gate "$gate" 2> "$work/promote.err"
  local rc=$?
  set -e
  [ "$rc" -eq "$1" ] || { cat "$work/promote.err" >&2; fail "promote $2 exited $rc, expected $1"; }
}

start=$(date +%s)
step "1. train the first candidate and promote it (no production yet: absolute thresholds only)"
"$cli" train --config "$(config good good)" | tail -3
[ "$(alias_of candidate)" = 1 ] || fail "candidate alias should point at 1"
promote 0 candidate
[ "$(alias_of production)" = 1 ] || fail "production should be 1"

step "2. train a deliberately worse candidate (30 steps) and check that the gate refuses it"
"$cli" train --config "$(config worse worse)" | tail -3
[ "$(alias_of candidate)" = 2 ] || fail "candidate alias should point at 2"
promote 3 candidate
[ "$(alias_of production)" = 1 ] || fail "production moved to $(alias_of production) after a refusal"
ls "$reg/$model/decisions/" | grep -q -- "-promote-v2-" || fail "no decision record for the refusal"
grep -q '"decision" : "refused"' "$reg/$model/decisions/"*-promote-v2-*.json || fail "decision record does not say refused"

step "3. retrain the good model (identical weights) and promote it"
"$cli" train --config "$(config good good-again)" | tail -3
promote 0 3
[ "$(alias_of production)" = 3 ] || fail "production should be 3"

step "4. roll back"
"$cli" rollback --registry "$reg" --model "$model" --reason "promotion-check"
[ "$(alias_of production)" = 1 ] || fail "rollback should re-point production to 1, got $(alias_of production)"
set +e; "$cli" rollback --registry "$reg" --model "$model" 2> /dev/null; rc=$?; set -e
[ "$rc" -ne 0 ] || fail "a rollback past the first production version must fail"

step "5. event log, history, gc"
types=$(cat "$reg"/.events/*.json | grep -o '"type":"[A-Za-z]*"' | cut -d'"' -f4 | tr '\n' ' ')
[ "$types" = "ModelRegistered ModelPromoted ModelRegistered ModelRegistered ModelPromoted ModelRolledBack " ] \
  || fail "unexpected event sequence: $types"
"$cli" history --registry "$reg" --model "$model"
"$cli" gc --registry "$reg" --model "$model" --dry-run | tee "$work/gc.txt"
grep -q "would delete $model/2" "$work/gc.txt" || fail "gc --dry-run should offer to delete the refused version 2"
[ -d "$reg/$model/2" ] || fail "gc --dry-run deleted something"
"$cli" gc --registry "$reg" --model "$model"
[ ! -d "$reg/$model/2" ] && [ -d "$reg/$model/1" ] && [ -d "$reg/$model/3" ] || fail "gc kept/deleted the wrong versions"

step "6. a PVAE: train, promote, refuse a worse one (family pvae through the same commands and gate code)"
pmodel=tiny-digits
pgate="$root/configs/tiny/gate-pvae.json"
palias() { cat "$reg/$pmodel/aliases/$1" 2>/dev/null | tr -d '[:space:]' || true; }
ppromote() { # expected exit code, candidate ref
  set +e
  "$cli" promote --registry "$reg" --model "$pmodel" --candidate "$2" --gate "$pgate" 2> "$work/promote.err"
  local rc=$?
  set -e
  [ "$rc" -eq "$1" ] || { cat "$work/promote.err" >&2; fail "promote $pmodel $2 exited $rc, expected $1"; }
}
"$cli" train --config "$(config pvae-good pvae-good)" | tail -3
[ "$(palias candidate)" = 1 ] || fail "$pmodel candidate alias should point at 1"
ppromote 0 candidate
[ "$(palias production)" = 1 ] || fail "$pmodel production should be 1"
"$cli" train --config "$(config pvae-worse pvae-worse)" | tail -3
ppromote 3 candidate
[ "$(palias production)" = 1 ] || fail "$pmodel production moved to $(palias production) after a refusal"
grep -q '"decision" : "refused"' "$reg/$pmodel/decisions/"*-promote-v2-*.json || fail "no refused decision record for $pmodel/2"
"$cli" history --registry "$reg" --model "$pmodel"

echo
echo "promotion-check: OK ($(( $(date +%s) - start )) s): promoted 1, refused 2 (exit 3), promoted 3, rolled back to 1, gc removed 2; PVAE promoted 1, refused 2"
