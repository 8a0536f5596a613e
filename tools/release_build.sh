#!/usr/bin/env bash
# Builds the release tools the way the quick start, the test script and every benchmark build them,
# so that they share one build (switching flags would recompile the whole package).
#   tools/release_build.sh --product dendrometer     builds the command-line tool
#   tools/release_build.sh --show-bin-path           prints the folder the tools are in
#
# --static-swift-stdlib: the tool carries its own Swift runtime and Foundation. It then runs on a
# cluster node or a lab PC without a Swift toolchain, and each process maps only the runtime code it
# uses instead of whole shared libraries: about 6 MiB less resident memory per analysis (issue #13).
# System libraries (libtiff, libpng, zlib) stay shared. A plain `swift build -c release` works too;
# its tool needs the toolchain's runtime libraries at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --static-swift-stdlib "$@"
