#!/usr/bin/env bash
# Accuracy benchmark (issue 4): renders the fixed synthetic benchmark set,
# analyses every scene with `dendrometer analyze`, and scores the results
# against the generator's exact ground truth:
#   calibration read %, anode side right %, max and p95 depth within
#   max(4 px, 5 %) %, region labels right %.
# Usage: tools/accuracy_benchmark.sh [WORKDIR] [--given]   (release build; ~1 minute)
#   --given: pass each scene's true --phase and --anode (the facts a scientist knows).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
given=0
[ "${2:-}" = "--given" ] && given=1
swift build -c release --product dendrometer >/dev/null
swift build -c release --product dendrometer-synth >/dev/null
bin="$(swift build -c release --show-bin-path)"
rm -rf "$work/scenes" "$work/truth" "$work/results"
"$bin/dendrometer-synth" benchmark-set --out "$work/scenes" --truth-out "$work/truth" >/dev/null
for truth in "$work"/truth/*.truth.json; do
    stem="$(basename "$truth" .truth.json)"
    image=""
    for ext in tif png bmp; do [ -f "$work/scenes/$stem.$ext" ] && image="$work/scenes/$stem.$ext" && break; done
    hints=()
    if [ "$given" = 1 ]; then
        read -r side phase < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["anode_side"], d["phase"])' "$truth")
        hints=(--anode "$side" --phase "$phase")
    fi
    "$bin/dendrometer" analyze "$image" --out "$work/results" "${hints[@]}" >/dev/null || echo "analyze failed: $image" >&2
done
"$bin/dendrometer-synth" score --truth "$work/truth" --results "$work/results"
