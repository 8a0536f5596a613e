#!/usr/bin/env bash
# Quick start on a fresh Debian/Ubuntu machine with Swift 6:
#   1. installs libtiff-dev, libpng-dev and pkg-config with apt when missing,
#   2. builds the `dendrometer` tool (release),
#   3. runs the main job on samples/.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libtiff-4 2>/dev/null || missing+=(libtiff-dev)
pkg-config --exists libpng 2>/dev/null || missing+=(libpng-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "quickstart: installing ${missing[*]} with apt"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

swift build -c release --product dendrometer
bin="$(swift build -c release --show-bin-path)/dendrometer"

echo "quickstart: inspecting and analysing samples/ (results in out/)"
"$bin" inspect samples/*.tif samples/*.png
for image in samples/*.tif samples/*.png; do
    stem="$(basename "${image%.*}")"
    edx=()
    for map in samples/edx/"$stem"_*.tif; do
        [ -e "$map" ] || continue
        element="${map##*_}"; element="${element%.tif}"
        edx+=(--edx "$element=$map")
    done
    "$bin" analyze "$image" --out out "${edx[@]}"
done
