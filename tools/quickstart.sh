#!/usr/bin/env bash
# Quick start on a fresh Debian/Ubuntu machine with Swift 6:
#   1. installs libtiff-dev, libpng-dev, zlib1g-dev and pkg-config with apt when missing,
#   2. builds the `dendrometer` tool (release, self-contained: tools/release_build.sh),
#   3. runs the main job on samples/.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libtiff-4 2>/dev/null || missing+=(libtiff-dev)
pkg-config --exists libpng 2>/dev/null || missing+=(libpng-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "quickstart: installing ${missing[*]} with apt"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

tools/release_build.sh --product dendrometer
bin="$(tools/release_build.sh --show-bin-path)/dendrometer"

echo "quickstart: batch analysis of samples/ (tables, JSON, overlays and report.html in out/)"
"$bin" inspect samples/*.tif samples/*.png
"$bin" batch samples --out out
echo "quickstart: open out/report.html in a browser"
