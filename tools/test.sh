#!/usr/bin/env bash
# The test suite: the Swift tests, then the Python package's tests against the release tool.
#   1. swift test
#   2. builds the release tool (a no-op after the quick start) and finds it,
#   3. makes sure numpy, pandas, pytest, tifffile, roifile, imagecodecs and Pillow are importable (installs just those with pip if not),
#   4. python3 -m pytest -q python/tests with DENDROMETER set to the release tool.
# Exits non-zero when either suite fails; pytest collecting no tests (status 5) is a failure too.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
swift test || { echo "test.sh: swift test failed" >&2; status=1; }

if ! tools/release_build.sh --product dendrometer; then
    echo "test.sh: the release build of dendrometer failed" >&2
    exit 1
fi
bin="$(tools/release_build.sh --show-bin-path)/dendrometer"
if [ ! -x "$bin" ]; then
    echo "test.sh: $bin: expected the release dendrometer tool, found none" >&2
    exit 1
fi

# tifffile and roifile are the independent readers the frame and ROI tests check the outputs with;
# tifffile writes PackBits and deflate strips through imagecodecs (its own fallback lacks PackBits
# since 2026); Pillow is what tools/robustness_probe.py (tested here) reads label images with.
if ! python3 -c 'import numpy, pandas, pytest, tifffile, roifile, imagecodecs, PIL' 2>/dev/null; then
    echo "test.sh: installing the Python test dependencies (numpy, pandas, pytest, tifffile, roifile, imagecodecs, pillow) with pip"
    python3 -m pip install --quiet numpy pandas pytest tifffile roifile imagecodecs pillow \
        || { echo "test.sh: pip could not install numpy, pandas, pytest, tifffile, roifile, imagecodecs, pillow" >&2; exit 1; }
fi

DENDROMETER="$bin" python3 -m pytest -q python/tests
py=$?
if [ "$py" -eq 5 ]; then
    echo "test.sh: pytest collected no tests in python/tests" >&2
    status=1
elif [ "$py" -ne 0 ]; then
    echo "test.sh: Python tests failed (pytest status $py)" >&2
    status=1
fi
exit "$status"
