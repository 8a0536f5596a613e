#!/usr/bin/env python3
"""Times scikit-image / scipy / OpenCV filters on a generated 4096x4096 image
and prints MPx/s, for comparison with FilterBenchmarks.run (same kernels).

Run: python3 tools/reference/bench_filters.py [SIZE] [NAME-SUBSTRING]
Best of up to 3 runs; slow kernels (> 3 s) run once. OpenCV uses its own
thread pool (all cores); scikit-image / scipy are single-threaded.
"""
import sys, time
import numpy as np
import cv2
import skimage
from skimage import filters, feature

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
only = sys.argv[2] if len(sys.argv) > 2 else None
rng = np.random.default_rng(1)
y, x = np.mgrid[0:n, 0:n].astype(np.float64)
img = 128 + 60 * np.sin(x * 0.45 + y * 0.25) + 40 * np.sin((x + 2 * y) * 0.05) + rng.integers(-20, 21, size=(n, n))
u8 = np.clip(img, 0, 255).astype(np.uint8)
u16 = u8.astype(np.uint16) * 257
mpx = n * n / 1e6

def bench(name, fn, reps=3):
    if only and only not in name:
        return
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter(); fn(); dt = time.perf_counter() - t
        best = min(best, dt)
        if dt > 3: break
    print(f"{name:<58} {mpx / best:9.1f} MPx/s  {best * 1000:9.1f} ms", flush=True)

print(f"{n}x{n}, scikit-image {skimage.__version__}, OpenCV {cv2.__version__}, threads cv2={cv2.getNumThreads()}")
R = cv2.BORDER_REFLECT  # 'fedcba|abcdefgh' = scipy 'reflect'
for s in (1.0, 2.0, 5.0):
    k = 2 * int(4 * s + 0.5) + 1   # same 4-sigma truncation as Dendrometer
    bench(f"cv2.GaussianBlur u8 sigma={s} ksize={k}", lambda: cv2.GaussianBlur(u8, (k, k), s, borderType=R))
bench("cv2.GaussianBlur u16 sigma=2 ksize=17", lambda: cv2.GaussianBlur(u16, (17, 17), 2.0, borderType=R))
for s in (1.0, 2.0, 5.0):
    bench(f"skimage.filters.gaussian u8 sigma={s} (float64 out)",
          lambda: filters.gaussian(u8, sigma=s, mode='reflect', truncate=4.0, preserve_range=True))
bench("skimage.filters.gaussian u8 sigma=2 float32 in",
      lambda: filters.gaussian(u8.astype(np.float32), sigma=2, mode='reflect', truncate=4.0, preserve_range=True))
for r in (1, 2, 5):
    bench(f"cv2.medianBlur u8 ksize={2 * r + 1}", lambda: cv2.medianBlur(u8, 2 * r + 1))
bench("cv2.medianBlur u16 ksize=3", lambda: cv2.medianBlur(u16, 3))
for r in (1, 2, 5):
    fp = np.ones((2 * r + 1, 2 * r + 1), bool)
    bench(f"skimage.filters.median u8 {2 * r + 1}x{2 * r + 1}", lambda: filters.median(u8, footprint=fp, mode='reflect'), reps=1 if r > 2 else 3)
for rho in (2.0, 4.0):
    def st():
        A = feature.structure_tensor(u8.astype(np.float32), sigma=rho, mode='reflect', order='rc')
        return feature.structure_tensor_eigenvalues(A)
    bench(f"skimage structure_tensor+eigenvalues sigma={rho}", st, reps=2)
