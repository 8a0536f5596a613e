#!/usr/bin/env bash
# Coverage-guided fuzzing of the image readers, the vendor metadata parsers, the ROI and
# polyline readers and the pixel-classifier model reader (with prediction) with libFuzzer
# (ships with the Swift toolchain) under AddressSanitizer.
#
# Usage: tools/fuzz/run.sh [MINUTES_PER_HARNESS] [image|metadata|geometry|model|all]   (default 10, all)
# libFuzzer stops at its first finding; fix it, add its regression test, and run again.
# Seeds: samples/, the project's own synthetic benchmark scenes, and ../shared/data when
# present. Findings go to tools/fuzz/findings/<harness>/ (crash-*, oom-*, timeout-*); each
# becomes a regression test with a tiny fixture made in the test. Prints, per harness, the
# executions, the coverage (libFuzzer's `cov:` edges and `ft:` features) and the findings.
set -euo pipefail
cd "$(dirname "$0")"
minutes="${1:-10}"
harnesses="${2:-all}"
[ "$harnesses" = all ] && harnesses="image metadata geometry model"
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >/dev/null
bin="$(swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)"
work="$(mktemp -d)"
mkdir -p "$work/image" "$work/metadata" "$work/geometry" "$work/model" findings/image findings/metadata findings/geometry findings/model
# Image seeds: tiny files of every layout the readers handle (make_seeds.py), plus the real
# microscope files under 64 KB when ../shared is there (small seeds keep the fuzzer fast).
python3 make_seeds.py "$work/image" || echo "run.sh: make_seeds.py needs numpy, tifffile and Pillow; seeding from files only" >&2
find ../../samples ../../../shared/data/real -type f \
    \( -name '*.tif' -o -name '*.tiff' -o -name '*.png' -o -name '*.bmp' \) -size -64k 2>/dev/null |
    while read -r f; do cp "$f" "$work/image/$(basename "$f")"; done
# Metadata seeds: 8 bytes of size/resolution, then a vendor block (sidecars, FEI/Zeiss text from the files).
for f in ../../samples/*.txt ../../../shared/data/validation/*.txt; do
    [ -f "$f" ] && { printf '\x02\x80\x02\x00\x00\x00\x00\x04'; cat "$f"; } > "$work/metadata/$(basename "$f")"
done
for f in "$work"/image/*.tif ../../samples/*.tif; do
    { printf '\x03\x00\x02\x40\x00\x00\x01\x00'; { strings -n 6 "$f" | head -200; } || true; } > "$work/metadata/$(basename "$f").txt"
done
# Geometry seeds: first byte 0 = ImageJ ROI, 1 = JSON polyline, 2 = CSV polyline. ROIs come from
# the ROI set an analysis of a sample writes (interface, front, regions), with the project's
# release tool when it is built (the quick start builds it); the text seeds need nothing.
seed_rois="$(mktemp -d)"
if ../../.build/release/dendrometer analyze ../../samples/li-in_fig3_fei.tif --overlay none --out "$seed_rois" >/dev/null 2>&1; then
    python3 - "$seed_rois/li-in_fig3_fei.rois.zip" "$work/geometry" <<'PY' || true
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for i, name in enumerate(z.namelist()):
    open(f"{sys.argv[2]}/roi{i}", "wb").write(b"\x00" + z.read(name))
PY
fi
printf '\x01[[0, 40.5], [63, 41.5]]' > "$work/geometry/json0"
printf '\x01{"points": [[0, 20], [31.5, 20.25]], "unit": "um"}' > "$work/geometry/json1"
printf '\x02x,y\n0,40.5\n63,41.5\n' > "$work/geometry/csv0"
printf '\x02x_um,y_um\n0,20\n31.5,20.25\n' > "$work/geometry/csv1"
# Model seeds: small models trained by the project's release tool (when built) on a 40 × 30
# disc image with a few labelled pixels: 1 and 3 trees, depth 2 and 4, calibrated or not.
seed_train="$(mktemp -d)"
if python3 - "$seed_train" <<'PY'
import sys
import numpy as np
from PIL import Image
d = sys.argv[1]
y, x = np.mgrid[0:30, 0:40]
img = np.where((x - 20) ** 2 + (y - 15) ** 2 < 64, 200, 90).astype(np.uint8)
lab = np.zeros((30, 40), np.uint8)
lab[15, 16:24] = 1; lab[2, 2:10] = 2; lab[27, 30:38] = 3
Image.fromarray(img).save(f"{d}/disc.png"); Image.fromarray(lab).save(f"{d}/labels.png")
PY
then
    for args in "--trees 1 --max-depth 2" "--trees 3 --max-depth 4" "--trees 3 --max-depth 4 --pixel-size 0.1um"; do
        name="model-$(tr -cd '0-9' <<< "$args")"
        # shellcheck disable=SC2086
        ../../.build/release/dendrometer train --image "$seed_train/disc.png" --labels "$seed_train/labels.png" \
            $args --out "$work/model/$name.dmpc" >/dev/null 2>&1 || true
    done
fi
for harness in $harnesses; do
    exe="$bin/Fuzz$(tr '[:lower:]' '[:upper:]' <<< "${harness:0:1}")${harness:1}"
    log="$work/$harness.log"
    set +e
    "$exe" "$work/$harness" -max_total_time=$((minutes * 60)) -rss_limit_mb=3072 -timeout=60 -max_len=65536 \
        -artifact_prefix="findings/$harness/" -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    runs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    secs=$(grep -E '^Done [0-9]+ runs in' "$log" | awk '{print $5}')
    echo "$harness: ${runs:-?} executions${secs:+ in $secs s} (limit $minutes min); last status line: $last; exit $status"
    ls findings/$harness | sed 's/^/  finding: /' || true
done
echo "logs and corpora in $work"
