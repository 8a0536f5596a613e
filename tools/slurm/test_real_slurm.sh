#!/bin/bash
# End-to-end test of batch-array.sbatch on a real one-node Slurm (Debian's slurm-wlm and munge).
#
#   sudo tools/slurm/test_real_slurm.sh [path/to/dendrometer]     (default: .build/release/dendrometer)
#
# Installs slurm-wlm and munge with apt-get when missing (needs root), writes a one-node
# configuration under a temporary folder (no cgroups, own ports, state and spool there), starts
# munged, slurmctld and slurmd, and stops them on exit. Then, over 13 images (the 4 in samples/
# and 9 renamed copies) given through a symbolic link, into output folders whose paths hold a
# space, with --array=0-15 (so some shards receive no image):
#   1. submits the array, cancels one task that holds images while it runs, and checks that the
#      merge job exits with 3 and lists exactly that shard's inputs (missing.csv, INCOMPLETE.txt);
#   2. resubmits the same command and checks the merge completes (exit 0);
#   3. in a second folder, cancels the same task again and resubmits only it (--array=K);
#   4. compares both merged folders with one plain `dendrometer batch` byte for byte
#      (images.csv, regions.csv, dendrites.csv, branches.csv, failures.csv, json/, overlays/);
#   5. checks that an input folder without images fails its tasks (exit 1), never green.
# Prints PASS and the time taken, or FAIL with the reason (exit status 1).
set -euo pipefail
START=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$(realpath "${1:-$ROOT/.build/release/dendrometer}")
SHARDS=16
SLOW=2   # seconds each task waits before analysing: a window to cancel it while it runs

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$BIN" ] || fail "$BIN: no such executable (build it: tools/release_build.sh --product dendrometer)"
[ "$(id -u)" = 0 ] || fail "run as root (installs packages, starts slurmd as root)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends slurm-wlm munge
fi

T=$(mktemp -d /tmp/dendrometer-slurm.XXXXXX)
cleanup() {
    set +e
    scancel --quiet --user=root 2>/dev/null
    for _ in $(seq 20); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.5; done
    # The daemons this script started, by the ids in their pid files: TERM, then KILL after 10 s.
    local pids=()
    for f in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munged.pid"; do
        [ -f "$f" ] && pids+=("$(cat "$f")")
    done
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    for _ in $(seq 50); do
        alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.2
    done
    [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT

# --- munge -------------------------------------------------------------------------------
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log"
chmod 700 "$T/munge"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
munged --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" \
    --pid-file="$T/munged.pid" --log-file="$T/log/munged.log" --seed-file="$T/munge/seed"

# --- one-node Slurm ----------------------------------------------------------------------
HOST=$(hostname -s)
NODE=$(slurmd -C | head -1 | sed 's/ UpTime=.*//')   # NodeName=HOST CPUs=… RealMemory=…
CPUS=$(nproc)
export SLURM_CONF="$T/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=dendrometer-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=sched_interval=1,bf_interval=1
MpiDefault=none
ReturnToService=2
MinJobAge=3600
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
    sinfo -h -o %T 2>/dev/null | grep -qx idle && break
    sleep 1
done
sinfo -h -o %T | grep -qx idle || { tail -20 "$T/log/slurmctld.log" "$T/log/slurmd.log" >&2; fail "the node did not come up"; }
echo "slurm up: $(sinfo -h -o '%N %c CPUs %T') ($(sinfo -V))"

# --- inputs: 13 images behind a symbolic link --------------------------------------------
IMAGES="$T/images"
mkdir -p "$IMAGES/edx" "$IMAGES/more"
cp "$ROOT"/samples/*.tif "$ROOT"/samples/*.png "$ROOT"/samples/*.txt "$IMAGES/"
rm -f "$IMAGES"/*.screenshot.png
cp "$ROOT"/samples/edx/* "$IMAGES/edx/"
n=0
for round in 1 2 3; do
    for f in li-in_fig3_fei.tif li-in_stripe_zeiss.tif li_vertical_imagej16.tif; do
        n=$((n + 1))
        cp "$IMAGES/$f" "$IMAGES/more/copy $round-$f"
    done
done
RELS=$(cd "$IMAGES" && find . -name '*.tif' -o -name '*.png' | grep -v '^./edx/' | sed 's|^\./||' | sort)
[ "$(echo "$RELS" | wc -l)" = 13 ] || fail "expected 13 images, got: $RELS"
ln -s "$IMAGES" "$T/input link"
INPUT="$T/input link"   # a symbolic link, no trailing slash

# Which shard (1-based) an input belongs to: FNV-1a 64 of its relative path mod SHARDS (16 divides 2^64).
shard_of() {
    local s=$1 h=-3750763034362895579 i c   # 0xcbf29ce484222325 as a signed 64-bit number
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        h=$(((h ^ c) * 1099511628211))
    done
    echo $(((h & (SHARDS - 1)) + 1))
}
declare -A COUNT
while IFS= read -r rel; do k=$(shard_of "$rel"); COUNT[$k]=$((${COUNT[$k]:-0} + 1)); done <<< "$RELS"
EMPTY=0; for k in $(seq $SHARDS); do if [ -z "${COUNT[$k]:-}" ]; then EMPTY=$((EMPTY + 1)); fi; done
# The task to cancel: the one holding most images (index = shard − 1).
CANCEL_SHARD=$(for k in "${!COUNT[@]}"; do echo "${COUNT[$k]} $k"; done | sort -k1,1nr -k2,2n | head -1 | cut -d' ' -f2)
CANCEL=$((CANCEL_SHARD - 1))
EXPECT_MISSING=$(while IFS= read -r rel; do if [ "$(shard_of "$rel")" = "$CANCEL_SHARD" ]; then echo "$rel"; fi; done <<< "$RELS" | LC_ALL=C sort)
echo "13 images over $SHARDS shards: $EMPTY empty; cancelling task $CANCEL (${COUNT[$CANCEL_SHARD]} images)"

# The binary behind a path with a space, waiting SLOW seconds in batch tasks (not in the merge).
mkdir -p "$T/bin dir"
cat > "$T/bin dir/dendrometer" <<WRAP
#!/bin/sh
[ "\$1" = batch ] && sleep $SLOW
exec "$BIN" "\$@"
WRAP
chmod +x "$T/bin dir/dendrometer"
export DENDROMETER="$T/bin dir/dendrometer"

# --- helpers -----------------------------------------------------------------------------
cd "$T"   # task logs land here
submit() {   # submit ARRAY OUT: prints the array job id
    sbatch --parsable --array="$1" --cpus-per-task=1 --mem=1G "$HERE/batch-array.sbatch" "$INPUT" "$2" --overlay preview
}
wait_idle() {   # until no job is pending or running
    for _ in $(seq 600); do
        [ -z "$(squeue -h -o %i)" ] && return 0
        sleep 1
    done
    fail "jobs still queued after 10 minutes: $(squeue)"
}
cancel_running() {   # cancel_running JOB TASK: cancels the task once it runs (or before, if it never gets to)
    local state
    for _ in $(seq 600); do
        state=$(squeue -h -r -j "$1_$2" -o %T 2>/dev/null || true)
        if [ "$state" = RUNNING ]; then sleep 0.5; scancel "$1_$2"; echo "cancelled task $2 while it ran"; return 0; fi
        [ -z "$state" ] && fail "task $2 ended before it could be cancelled (raise SLOW)"
        sleep 0.1
    done
    fail "task $2 never started"
}
exit_of() {   # exit status of a finished job, from scontrol (no accounting database here)
    scontrol show job "$1" | sed -n 's/.* ExitCode=\([0-9]*\):.*/\1/p' | head -1
}
merge_job() {   # the merge job of the newest submission into OUT, by its log name
    ls -t "$1"/merge-*.log | head -1 | sed 's/.*merge-\([0-9]*\)\.log/\1/'
}
same() {   # same A B: tables, json/ and overlays/ byte for byte
    local t
    for t in images.csv regions.csv dendrites.csv branches.csv failures.csv; do
        cmp "$1/$t" "$2/$t" || fail "$1/$t differs from $2/$t"
    done
    diff -r "$1/json" "$2/json" >/dev/null || fail "$1/json differs from $2/json"
    diff -r "$1/overlays" "$2/overlays" >/dev/null || fail "$1/overlays differs from $2/overlays"
}

# --- the reference: one plain batch ------------------------------------------------------
"$BIN" batch "$INPUT" --out "$T/plain" --overlay preview > "$T/log/plain.txt" 2>&1 || fail "plain batch: $(tail -3 "$T/log/plain.txt")"
[ "$(($(wc -l < "$T/plain/images.csv") - 1))" = 13 ] || fail "plain batch: expected 13 image rows"

# --- 1. cancel one task: the merge says what is missing ----------------------------------
A="$T/out dir/run A"
JOB=$(submit "0-$((SHARDS - 1))" "$A")
cancel_running "$JOB" "$CANCEL"
wait_idle
M=$(merge_job "$A")
[ "$(exit_of "$M")" = 3 ] || fail "merge $M of the cancelled run: expected exit 3, got $(exit_of "$M"): $(cat "$A/merge-$M.log")"
GOT=$(tail -n +2 "$A/merged/missing.csv")
[ "$GOT" = "$EXPECT_MISSING" ] || fail "missing.csv lists '$GOT', expected '$EXPECT_MISSING'"
[ -f "$A/merged/INCOMPLETE.txt" ] || fail "no INCOMPLETE.txt in the incomplete merge"
grep -q "not analysed by any shard yet" "$A/merge-$M.log" || fail "the merge log does not list the missing inputs"
echo "1. cancelled run: merge exit 3, missing: $(echo "$GOT" | tr '\n' ' ')"

# --- 2. the same command again completes it ----------------------------------------------
submit "0-$((SHARDS - 1))" "$A" > /dev/null
wait_idle
M=$(merge_job "$A")
[ "$(exit_of "$M")" = 0 ] || fail "merge $M after resubmission: expected exit 0, got $(exit_of "$M"): $(cat "$A/merge-$M.log")"
[ ! -e "$A/merged/INCOMPLETE.txt" ] && [ ! -e "$A/merged/missing.csv" ] || fail "the complete merge is still marked incomplete"
same "$A/merged" "$T/plain"
[ "$(ls "$A/shards" | wc -l)" = "$SHARDS" ] || fail "expected $SHARDS shard folders, empty ones included"
echo "2. same command resubmitted: merge exit 0, identical to the plain batch"

# --- 3. resubmitting only the cancelled task ---------------------------------------------
B="$T/out dir/run B"
JOB=$(submit "0-$((SHARDS - 1))" "$B")
cancel_running "$JOB" "$CANCEL"
wait_idle
[ "$(exit_of "$(merge_job "$B")")" = 3 ] || fail "merge of the second cancelled run: expected exit 3"
submit "$CANCEL" "$B" > /dev/null
wait_idle
M=$(merge_job "$B")
[ "$(exit_of "$M")" = 0 ] || fail "merge $M after resubmitting task $CANCEL: expected exit 0, got $(exit_of "$M"): $(cat "$B/merge-$M.log")"
same "$B/merged" "$T/plain"
echo "3. only task $CANCEL resubmitted (--array=$CANCEL): merge exit 0, identical to the plain batch"

# --- 4. no images: the tasks fail ---------------------------------------------------------
mkdir -p "$T/no images"
JOB=$(sbatch --parsable --array=0-1 --cpus-per-task=1 --mem=1G "$HERE/batch-array.sbatch" "$T/no images" "$T/out dir/run C")
wait_idle
for k in 0 1; do
    [ "$(exit_of "${JOB}_$k")" = 1 ] || fail "task $k over a folder without images: expected exit 1, got $(exit_of "${JOB}_$k")"
done
echo "4. a folder without images: tasks exit 1"

echo "PASS in $(($(date +%s) - START)) s"
