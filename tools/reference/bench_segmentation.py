#!/usr/bin/env python3
"""Throughput of the scikit-image / scipy counterparts of DendrometerSegmentation
on a 4096 x 4096 synthetic image, in MPx/s (best of 3).

    python3 tools/reference/bench_segmentation.py [SIZE]

Image: u8 = clip(128 + 90 sin(0.05 x) sin(0.07 y) + 25 N(0,1)), mask = u8 > 128
(the Swift benchmark, Tests/DendrometerSegmentationTests/BenchmarkTests.swift,
builds the same pattern with SplitMix64 noise).
"""
import sys
import time
import warnings

import numpy as np
import scipy.ndimage as ndi
from skimage import filters, measure, morphology

warnings.filterwarnings("ignore")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
y, x = np.mgrid[0:n, 0:n].astype(np.float32)
rng = np.random.default_rng(1)
u8 = np.clip(128 + 90 * np.sin(0.05 * x) * np.sin(0.07 * y) + 25 * rng.standard_normal((n, n)), 0, 255).astype(np.uint8)
u16 = u8.astype(np.uint16) * 257
mask = u8 > 128
mpx = n * n / 1e6


def bench(name, f, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    print(f"{name:45s} {mpx / best:10.1f} MPx/s  ({best * 1e3:8.1f} ms)")


bench("threshold_otsu u8", lambda: filters.threshold_otsu(u8))
bench("threshold_otsu u16", lambda: filters.threshold_otsu(u16))
bench("threshold_li u8", lambda: filters.threshold_li(u8))
bench("threshold_triangle u8", lambda: filters.threshold_triangle(u8))
bench("threshold_multiotsu u8", lambda: filters.threshold_multiotsu(u8))
bench("threshold_sauvola u8 w=15", lambda: filters.threshold_sauvola(u8, window_size=15), 1)
bench("u8 > t", lambda: u8 > 128)
bench("distance_transform_edt", lambda: ndi.distance_transform_edt(mask), 1)
bench("binary_dilation disk(3)", lambda: morphology.binary_dilation(mask, morphology.disk(3)), 1)
bench("binary_erosion disk(3)", lambda: morphology.binary_erosion(mask, morphology.disk(3)), 1)
bench("isotropic_dilation r=10", lambda: morphology.isotropic_dilation(mask, 10), 1)
bench("label connectivity=2", lambda: measure.label(mask, connectivity=2), 1)
bench("euler_number connectivity=2", lambda: measure.euler_number(mask, connectivity=2), 1)
bench("binary_fill_holes", lambda: ndi.binary_fill_holes(mask), 1)
bench("remove_small_objects max_size=63", lambda: morphology.remove_small_objects(mask, max_size=63, connectivity=2), 1)
