"""Benchmark reference: skimage.morphology.skeletonize on a realistic 4096²
dendrite-like mask, and the mask itself for the Swift side.

Run: python3 tools/reference/bench_skeleton.py [/tmp/dendrites_4096.raw]
Writes the mask as raw uint8 0/1 bytes (row-major, 4096 × 4096) to the given
path, then times skimage's skeletonize (Zhang–Suen, Cython) once and prints
MPx/s; with --with-thin also skimage's thin (Guo–Hall, the algorithm
Dendrometer uses; NumPy, much slower).
The Swift side: DENDROMETER_BENCH_MASK=<path> swift test -c release
  -Xswiftc -enable-testing --scratch-path .build-skel --filter SkeletonBenchmark
"""
import sys
import time

import cv2
import numpy as np
from skimage.morphology import skeletonize, thin

N = 4096
rng = np.random.default_rng(20261124)
mask = np.zeros((N, N), np.uint8)


def grow(x, y, angle, length, radius, depth):
    """Random-walk a tapered dendrite upwards, branching now and then."""
    for step in range(int(length)):
        angle += rng.normal(0, 0.08)
        x += np.cos(angle) * 2
        y -= np.sin(angle) * 2
        r = max(1, int(round(radius * (1 - step / length) + 1)))
        if not (0 <= x < N and 0 <= y < N):
            return
        cv2.circle(mask, (int(x), int(y)), r, 1, -1)
        if depth < 3 and rng.random() < 0.004:
            grow(x, y, angle + rng.choice([-1, 1]) * rng.uniform(0.4, 1.0), length * 0.5, radius * 0.6, depth + 1)


for _ in range(70):  # flame / needle dendrites rising from the interface at the bottom
    grow(rng.uniform(0, N), N - 1, np.pi / 2 + rng.normal(0, 0.25), rng.uniform(300, 1500), rng.uniform(3, 14), 0)
for _ in range(900):  # a network band enclosing electrolyte particles
    x0, y0 = rng.uniform(0, N), rng.uniform(2600, 3600)
    a = rng.uniform(0, np.pi)
    L = rng.uniform(40, 200)
    cv2.line(mask, (int(x0), int(y0)), (int(x0 + L * np.cos(a)), int(y0 + L * np.sin(a))), 1, int(rng.integers(2, 7)))

args = [a for a in sys.argv[1:] if not a.startswith("--")]
path = args[0] if args else "/tmp/dendrites_4096.raw"
mask.tofile(path)
print(f"mask {N}x{N}, area fraction {mask.mean():.4f}, written to {path}")
b = mask.astype(bool)
for name, f in [("skeletonize", skeletonize)] + ([("thin", thin)] if "--with-thin" in sys.argv else []):
    t = time.perf_counter()
    s = f(b)
    dt = time.perf_counter() - t
    print(f"skimage {name}: {dt:.2f} s, {N * N / dt / 1e6:.1f} MPx/s, skeleton pixels {int(s.sum())}")
