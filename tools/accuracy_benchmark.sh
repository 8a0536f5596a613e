#!/usr/bin/env bash
# Accuracy benchmark: the project's own synthetic set (34 scenes rendered by
# dendrometer-synth, scored against its exact ground truth) and, when the
# folder is there, the independent validation split (../shared/data/validation,
# scored by tools/validation_benchmark.py), each analysed three times: fully
# automatic, with the facts a scientist knows given (--phase, --anode), and
# with the true phase as --mask (a perfect segmentation, as a user's mask from
# ilastik or Fiji would be at best: what is left is the metrology; own set's
# masks from tools/truth_phase_masks.py, which needs numpy and Pillow).
# Prints the figures of both sets and all modes side by side:
#   calibration read, anode side right, max and p95 depth within
#   max(4 px, 5 %), region labels right, short circuit right (own set), and how far
#   the found interface lies from the true one (RMS px, mean over scenes).
#
# Usage: tools/accuracy_benchmark.sh [WORKDIR] [--given | --auto | --mask]
#   (release build; about 3 minutes for everything)
#   --given / --auto / --mask: only that mode, own set only, with the scorer's full listing.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
only="${2:-}"
tools/release_build.sh --product dendrometer >/dev/null
tools/release_build.sh --product dendrometer-synth >/dev/null
bin="$(tools/release_build.sh --show-bin-path)"
mkdir -p "$work"
rm -rf "$work/scenes" "$work/truth"
"$bin/dendrometer-synth" benchmark-set --out "$work/scenes" --truth-out "$work/truth" >/dev/null

# own_set MODE: analyse every scene (MODE auto, given or mask) into $work/results-MODE, score into $work/own-MODE.txt.
own_set() {
    local mode="$1" results="$work/results-$1"
    rm -rf "$results"
    if [ "$mode" = mask ] && ! compgen -G "$work/masks/*.phase.png" >/dev/null; then
        : > "$work/own-mask.txt"
        return
    fi
    for truth in "$work"/truth/*.truth.json; do
        stem="$(basename "$truth" .truth.json)"
        image=""
        for ext in tif png bmp; do [ -f "$work/scenes/$stem.$ext" ] && image="$work/scenes/$stem.$ext" && break; done
        hints=()
        if [ "$mode" != auto ]; then
            read -r side phase < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["anode_side"], d["phase"])' "$truth")
            hints=(--anode "$side" --phase "$phase")
        fi
        if [ "$mode" = mask ]; then
            [ -f "$work/masks/$stem.phase.png" ] || continue
            hints+=(--mask "$work/masks/$stem.phase.png")
        fi
        "$bin/dendrometer" analyze "$image" --out "$results" "${hints[@]}" >/dev/null || echo "analyze failed: $image" >&2
    done
    "$bin/dendrometer-synth" score --truth "$work/truth" --results "$results" > "$work/own-$mode.txt"
}

if [ "$only" = --mask ] || [ -z "$only" ]; then
    rm -rf "$work/masks"
    python3 tools/truth_phase_masks.py "$work/truth" "$work/masks" \
        || echo "accuracy_benchmark: no truth masks (numpy and Pillow needed); own mask column left empty" >&2
fi
if [ -n "$only" ]; then
    own_set "${only#--}"
    cat "$work/own-${only#--}.txt"
    exit 0
fi
own_set auto
own_set given
own_set mask
validation="../shared/data/validation"
if [ -f "$validation/manifest.json" ]; then
    python3 tools/validation_benchmark.py --data "$validation" --dendrometer "$bin/dendrometer" \
        --mode auto --mode given --mode mask --json-out "$work/validation.json" > "$work/validation.txt"
else
    echo "accuracy_benchmark: $validation not found; validation columns left empty" >&2
fi

python3 - "$work" <<'EOF'
import json, os, re, sys
work = sys.argv[1]

def own(mode):
    """{figure: (right, total)} from the scorer's listing."""
    out = {}
    for line in open(os.path.join(work, f"own-{mode}.txt")):
        m = re.match(r"(calibration read|anode side right|max depth within tol|p95 depth within tol|region labels right|short circuit right)\s+(\d+)/(\d+)", line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out

def validation(mode):
    path = os.path.join(work, "validation.json")
    if not os.path.exists(path):
        return {}
    rows = [r for r in json.load(open(path)) if r["mode"] == mode and "error" not in r]
    view = [r for r in rows if r["in_view"]]
    labels = [l for r in rows for l in r["labels"]]
    within = lambda got, truth: got is not None and abs(got - truth) <= max(4, 0.05 * truth)
    return {
        "calibration read": (sum(r["calibration_ok"] for r in rows), len(rows)),
        "anode side right": (sum(r["side_ok"] for r in view), len(view)),
        "max depth within tol": (sum(within(r["max_px"], r["truth_max_px"]) for r in view), len(view)),
        "p95 depth within tol": (sum(within(r["p95_px"], r["truth_p95_px"]) for r in view), len(view)),
        "max and p95 both": (sum(r["depth_ok"] for r in view), len(view)),
        "region labels right": (sum(w == g for w, g in labels), len(labels)),
        "wrong depth flagged": (sum(1 for r in view if not r["depth_ok"] and r["review"]),
                                sum(1 for r in view if not r["depth_ok"])),
    }

sys.path.insert(0, os.path.join(os.getcwd(), "tools"))
from validation_benchmark import interface_error

def own_interface(mode):
    """Mean RMS distance, px, of the found interface from the true one (scenes with the side right)."""
    rms = []
    for truth in sorted(f for f in os.listdir(os.path.join(work, "truth")) if f.endswith(".truth.json")):
        stem = truth[: -len(".truth.json")]
        t = json.load(open(os.path.join(work, "truth", truth)))
        path = os.path.join(work, f"results-{mode}", stem + ".json")
        if not t.get("interface") or not os.path.exists(path):
            continue
        found = json.load(open(path))
        if found.get("anode_side") != t["anode_side"] or not found.get("interface"):
            continue
        error = interface_error(found["interface"]["points_px"], t["interface"]["points_px"], t["anode_side"])
        if error:
            rms.append(error[0])
    return rms

def validation_interface(mode):
    path = os.path.join(work, "validation.json")
    if not os.path.exists(path):
        return []
    return [r["interface_rms_px"] for r in json.load(open(path))
            if r["mode"] == mode and r.get("interface_rms_px") is not None]

modes = ("auto", "given", "mask")
cols = [own(m) for m in modes] + [validation(m) for m in modes]
for c, rms in zip(cols, [own_interface(m) for m in modes] + [validation_interface(m) for m in modes]):
    if rms:
        c["interface RMS, mean px"] = sum(rms) / len(rms)
rows = ["calibration read", "anode side right", "max depth within tol", "p95 depth within tol", "max and p95 both",
        "region labels right", "short circuit right", "wrong depth flagged", "interface RMS, mean px"]
def cell(c, k):
    if k not in c:
        return "-"
    if isinstance(c[k], float):
        return f"{c[k]:.2f} px"
    return f"{c[k][0]}/{c[k][1]} {100 * c[k][0] / c[k][1]:5.1f} %" if c[k][1] else f"{c[k][0]}/0"
print(f"{'':24}{'own set (dendrometer-synth)':^54}{'validation split (independent)':^54}")
print(f"{'':24}" + f"{'automatic':>18}{'given':>18}{'true mask':>18}" * 2)
for k in rows:
    print(f"{k:24}" + "".join(f"{cell(c, k):>18}" for c in cols))
print("depth tolerance: max(4 px, 5 % of truth); given = the true --phase and --anode; true mask = given, and the")
print("true phase (dendrites and anode layer) as --mask: the metrology alone;")
print("wrong depth flagged = scenes with a wrong depth that carry a quality.review reason;")
print("interface RMS = distance of the found interface from the true one across the image, scenes with the side right")
EOF
