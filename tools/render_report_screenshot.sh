#!/usr/bin/env bash
# Renders a batch report (and optionally a comparison) in headless Chromium and
# checks that the screenshots are real pictures, not blank pages.
#
#   tools/render_report_screenshot.sh DIR OUT.png [CMPDIR CMPOUT.png]
#
# DIR/report.html -> OUT.png; CMPDIR/compare.html -> CMPOUT.png when given.
# Installs Debian's `chromium` with apt when no Chromium is on PATH.
# Exit status: 0 screenshots written and not blank; 1 otherwise; 64 bad usage.
set -euo pipefail

usage() { echo "usage: $0 DIR OUT.png [CMPDIR CMPOUT.png]" >&2; exit 64; }
[[ $# -eq 2 || $# -eq 4 ]] || usage

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
if [[ -z $browser ]]; then
    echo "installing chromium with apt-get…" >&2
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium >&2
    browser=$(command -v chromium)
fi

# check_png FILE: a PNG over 20 kB whose decoded pixels are not one flat colour.
check_png() {
    local file=$1
    [[ -f $file ]] || { echo "$file: no screenshot written" >&2; return 1; }
    if [[ $(head -c 8 "$file" | od -An -tx1 | tr -d ' \n') != 89504e470d0a1a0a ]]; then
        echo "$file: expected a PNG, got something else" >&2; return 1
    fi
    local size; size=$(stat -c %s "$file")
    (( size > 20000 )) || { echo "$file: expected more than 20 kB for a rendered report, got $size bytes (blank page?)" >&2; return 1; }
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$file" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, idat, width, height, channels = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype, 1)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = width * channels
rows, prev = [], bytearray(stride)
for y in range(height):   # undo PNG filters (8-bit samples)
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - channels] if i >= channels else 0
        b, c = prev[i], (prev[i - channels] if i >= channels else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
pixels = set()
ink = 0
for line in rows[::4]:
    for x in range(0, stride, channels * 4):
        px = bytes(line[x:x + 3]); pixels.add(px)
        ink += px != b"\xff\xff\xff"
total = len(rows[::4]) * len(range(0, stride, channels * 4))
print(f"{sys.argv[1]}: {width}x{height}, {len(pixels)} distinct colours, {100 * ink / total:.1f} % non-white (sampled)")
sys.exit(0 if len(pixels) >= 16 and ink / total > 0.02 else 1)
PY
    fi
}

# shoot HTML OUT.png
shoot() {
    local html; html=$(readlink -f "$1")
    [[ -f $html ]] || { echo "$1: not found" >&2; return 1; }
    rm -f "$2"
    timeout 180 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --run-all-compositor-stages-before-draw --virtual-time-budget=5000 --window-size=1280,1600 \
        --screenshot="$(readlink -f "$(dirname "$2")")/$(basename "$2")" "file://$html" >/dev/null 2>&1 || true
    check_png "$2"
}

shoot "$1/report.html" "$2"
if [[ $# -eq 4 ]]; then shoot "$3/compare.html" "$4"; fi
