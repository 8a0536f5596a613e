#!/bin/bash
# Peak memory of `dendrometer merge` over many images, without analysing them all: one batch
# over samples/ (4 images), whose per-image records (json, branch table, overlay) are copied
# under N distinct names into 8 shard folders with a run record listing all N, then merged
# under /usr/bin/time -v.
#
#   tools/slurm/measure_merge_memory.sh [N=2000] [path/to/dendrometer]
#
# Prints the merge's summary line, its maximum resident set size and the sizes of report.html
# and of the merged folder. Needs GNU time (/usr/bin/time).
set -euo pipefail
N=${1:-2000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${2:-$ROOT/.build/release/dendrometer}")
SHARDS=8
T=$(mktemp -d /tmp/dendrometer-merge-memory.XXXXXX)
trap 'rm -rf "$T"' EXIT

"$BIN" batch "$ROOT/samples" --out "$T/base" > /dev/null 2>&1
mapfile -t BASE < <(cd "$T/base/json" && ls *.json | sed 's/\.json$//')
RUN="$T/run.txt"
{
    echo "dendrometer run 1"; echo "shards $SHARDS"; echo "inputs $N"
    for ((i = 0; i < N; i++)); do printf 'fab/%05d-%s\n' "$i" "${BASE[i % ${#BASE[@]}]}"; done | LC_ALL=C sort
} > "$RUN"
for ((i = 0; i < N; i++)); do
    src=${BASE[i % ${#BASE[@]}]}
    rel=$(printf 'fab/%05d-%s' "$i" "$src")
    shard="$T/shards/$((i % SHARDS))"
    mkdir -p "$shard/json/fab" "$shard/overlays/fab"
    sed "s|\"relative_path\" : \"$src\"|\"relative_path\" : \"$rel\"|" "$T/base/json/$src.json" > "$shard/json/$rel.json"
    cp "$T/base/json/$src.branches.csv" "$shard/json/$rel.branches.csv"
    cp "$T/base/overlays/$src.png" "$shard/overlays/$rel.png"
done
/usr/bin/time -v "$BIN" merge --run "$RUN" --out "$T/merged" "$T"/shards/* > "$T/merge.out" 2> "$T/merge.err" || true
cat "$T/merge.out"
grep -E "Maximum resident set size|Elapsed \(wall clock\)|Exit status" "$T/merge.err"
du -sh "$T/merged/report.html" "$T/merged"
