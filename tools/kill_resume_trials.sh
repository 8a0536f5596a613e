#!/usr/bin/env bash
# kill -9 trials: a batch killed at a random moment and resumed loses and duplicates nothing.
#
# Each trial starts `dendrometer batch IN --out OUT` on a fresh OUT, kills it (and its workers
# die with it) with SIGKILL after a random 0.1–DELAY s (the whole batch takes about 2 s), runs the batch again to completion, and
# checks: exit 0; images.csv has exactly one row per input image and no file twice; json/ holds
# one record per image; no temporary file (.NAME.tmp-*) is left anywhere in OUT.
#
#   tools/kill_resume_trials.sh [TRIALS=20] [DELAY=1.5]   (release build)
#
# The input is 12 images: the micrographs at the top of samples/, three copies each (with their
# sidecars), so a batch takes a few seconds and the kill lands anywhere in it.
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-20}" delay="${2:-1.5}"
bin="$(tools/release_build.sh --show-bin-path)/dendrometer"
[ -x "$bin" ] || { echo "build first: tools/release_build.sh --product dendrometer" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
input="$work/in"
for copy in a b c; do
    mkdir -p "$input/$copy"
    for f in samples/*.tif samples/*.png samples/*.txt; do
        case "$f" in *.screenshot.png) continue ;; esac
        cp "$f" "$input/$copy/"
    done
done
images=$(find "$input" -type f \( -name '*.tif' -o -name '*.png' \) | wc -l)
failed=0
for t in $(seq 1 "$trials"); do
    out="$work/out$t"
    wait_s=$(python3 -c "import random; print(round(random.uniform(0.1, $delay), 2))")
    "$bin" batch "$input" --out "$out" --jobs 2 >/dev/null 2>&1 & pid=$!
    sleep "$wait_s"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    at_kill=$( (find "$out/json" -name '*.json' 2>/dev/null || true) | wc -l)
    "$bin" batch "$input" --out "$out" --jobs 2 >/dev/null 2>&1 || { echo "trial $t: resume exited $?"; failed=1; continue; }
    rows=$(python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); f=[x['file'] for x in r]; print(len(f), len(set(f)))" "$out/images.csv")
    records=$(find "$out/json" -name '*.json' | wc -l)
    temps=$(find "$out" -name '.*.tmp-*' | wc -l)
    verdict=ok
    [ "$rows" = "$images $images" ] && [ "$records" = "$images" ] && [ "$temps" = 0 ] || { verdict=FAIL; failed=1; }
    echo "trial $t: killed after ${wait_s} s with $at_kill of $images records written; after the resume: rows (all, distinct) $rows, json $records, temp files $temps, expected $images: $verdict"
done
[ "$failed" = 0 ] && echo "all $trials trials: nothing lost, nothing duplicated, no temp file left" || { echo "FAILED"; exit 1; }
