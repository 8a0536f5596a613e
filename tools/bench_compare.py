#!/usr/bin/env python3
"""Times the same steps in Python (tifffile, scikit-image, scipy, skan, OpenCV)
on the same generated images as `dendrometer bench`, and prints the ratio.

    pip install scikit-image skan opencv-python-headless tifffile
    tools/release_build.sh --product dendrometer
    python3 tools/bench_compare.py [--size 4096x4096] [--kernel gaussian]

The script runs `dendrometer bench --json --write-images DIR`, reads the images
it wrote, times the Python equivalent of every kernel it knows (the best run of
at least 3 and of 0.2 s of repeats, on both sides; one thread where the library
allows, as noted) and prints one table:
kernel, size, Dendrometer MPx/s, Python MPx/s, ratio, and what ran in Python.
Ratios are from one run on a shared, noisy machine: treat them as ±20 %.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def best_of(fn, repeat=3, min_time=0.2):
    """Best run of at least `repeat`, repeated (up to 1000) until `min_time` s were
    spent: the same rule as `dendrometer bench --repeat 3 --min-time 0.2`."""
    best, spent, runs = float("inf"), 0.0, 0
    while runs < repeat or (spent < min_time and runs < 1000):
        t = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
    return best


def python_equivalents(image, tmp, w, h):
    """Map kernel name -> (description, zero-argument callable)."""
    eq = {}
    try:
        import tifffile
        for name, comp in [("tiff-decode-none", None), ("tiff-decode-lzw", "lzw"), ("tiff-decode-deflate", "zlib")]:
            path = os.path.join(tmp, f"py-{name}-{w}x{h}.tif")
            try:
                tifffile.imwrite(path, image, compression=comp, rowsperstrip=64)
            except (KeyError, ValueError) as err:  # LZW needs the imagecodecs package
                print(f"note: {name} skipped in Python: {err}", file=sys.stderr)
                continue
            eq[name] = (f"tifffile.imread ({comp or 'none'})", lambda p=path: tifffile.imread(p))
    except ImportError:
        pass
    try:
        import cv2
        cv2.setNumThreads(1)
        eq["gaussian-u8-sigma2"] = ("cv2.GaussianBlur σ=2 (1 thread)", lambda: cv2.GaussianBlur(image, (0, 0), 2))
        eq["median-3x3-u8"] = ("cv2.medianBlur 3 (1 thread)", lambda: cv2.medianBlur(image, 3))
        eq["median-5x5-u8"] = ("cv2.medianBlur 5 (1 thread)", lambda: cv2.medianBlur(image, 5))
        eq["median-11x11-u8"] = ("cv2.medianBlur 11 (1 thread)", lambda: cv2.medianBlur(image, 11))
        eq["gaussian-u8-sigma1"] = ("cv2.GaussianBlur σ=1 (1 thread)", lambda: cv2.GaussianBlur(image, (0, 0), 1))
        disk3 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
        eq["dilation-disk-r3"] = ("cv2.dilate 7×7 ellipse (1 thread)", lambda: cv2.dilate(np.ascontiguousarray((image > 150).astype(np.uint8)), disk3))
        eq["otsu-u8"] = ("cv2.threshold OTSU (1 thread)", lambda: cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU))
        mask8 = np.ascontiguousarray((image > 150).astype(np.uint8))
        eq["edt"] = ("cv2.distanceTransform L2 5×5 mask (approximate, 1 thread)", lambda: cv2.distanceTransform(mask8, cv2.DIST_L2, cv2.DIST_MASK_5))
        eq["label-8"] = ("cv2.connectedComponentsWithStats 8 (1 thread)", lambda: cv2.connectedComponentsWithStats(mask8, connectivity=8))
    except ImportError:
        pass
    try:
        import skimage.filters
        import skimage.feature
        import skimage.measure
        import skimage.morphology
        import scipy.ndimage as ndi
        mask = image > 150
        eq["skimage:gaussian-u8-sigma2"] = ("skimage.filters.gaussian σ=2", lambda: skimage.filters.gaussian(image, 2))
        eq["skimage:otsu-u8"] = ("skimage.filters.threshold_otsu", lambda: skimage.filters.threshold_otsu(image))
        eq["skimage:gaussian-u8-sigma1"] = ("skimage.filters.gaussian σ=1", lambda: skimage.filters.gaussian(image, 1))
        eq["skimage:gaussian-float-sigma2"] = ("scipy.ndimage.gaussian_filter σ=2 (float32)", lambda: ndi.gaussian_filter(image.astype(np.float32), 2))
        eq["skimage:sauvola-w15"] = ("skimage.filters.threshold_sauvola window 15", lambda: skimage.filters.threshold_sauvola(image, window_size=15))
        eq["skimage:dilation-disk-r3"] = ("skimage.morphology.binary_dilation disk(3)", lambda: skimage.morphology.binary_dilation(mask, skimage.morphology.disk(3)))
        eq["skimage:fill-holes"] = ("scipy.ndimage.binary_fill_holes", lambda: ndi.binary_fill_holes(mask))
        eq["skimage:remove-small-objects"] = ("skimage.morphology.remove_small_objects", lambda: skimage.morphology.remove_small_objects(mask, max_size=15))
        eq["skimage:euler-number"] = ("skimage.measure.euler_number connectivity=2", lambda: skimage.measure.euler_number(mask, connectivity=2))
        eq["skimage:structure-tensor"] = ("skimage.feature.structure_tensor σ=1.5 + eigenvalues",
                                          lambda: skimage.feature.structure_tensor_eigenvalues(
                                              skimage.feature.structure_tensor(image.astype(np.float32), sigma=1.5, order="rc")))
        eq["skimage:skeletonize"] = ("skimage.morphology.skeletonize", lambda: skimage.morphology.skeletonize(mask))
        eq["skimage:edt"] = ("scipy.ndimage.distance_transform_edt", lambda: ndi.distance_transform_edt(mask))
        eq["skimage:label-8"] = ("skimage.measure.label connectivity=2", lambda: skimage.measure.label(mask, connectivity=2))
        eq["skimage:median-3x3-u8"] = ("skimage.filters.median 3x3", lambda: skimage.filters.median(image, np.ones((3, 3), bool)))

        def pipeline(image=image):
            # The same stages as `dendrometer analyze`: denoise, threshold, clean,
            # distance transform, skeleton + graph, structure tensor, topology.
            smooth = skimage.filters.gaussian(image.astype(np.float32), 1)
            phase = smooth > skimage.filters.threshold_otsu(smooth)
            phase = skimage.morphology.remove_small_objects(phase, max_size=15)
            ndi.distance_transform_edt(phase)
            skel = skimage.morphology.skeletonize(phase)
            try:
                import skan
                skan.summarize(skan.Skeleton(skel), separator="_")
            except ImportError:
                pass
            skimage.feature.structure_tensor_eigenvalues(
                skimage.feature.structure_tensor(phase.astype(np.float32), sigma=3, order="rc"))
            skimage.measure.label(phase, connectivity=2)
            skimage.measure.euler_number(phase, connectivity=2)

        eq["skimage:analyze-end-to-end"] = ("scikit-image + skan pipeline (gaussian, otsu, clean, EDT, skeleton + skan summarize, structure tensor, label, Euler)", pipeline)
        # The same pipeline on the dense scene `dendrometer bench --write-images` writes beside it.
        dense_path = os.path.join(tmp, f"bench-dense-{w}x{h}.tif")
        if os.path.exists(dense_path):
            dense = tifffile.imread(dense_path)
            eq["skimage:analyze-dense"] = ("the same scikit-image + skan pipeline on the dense scene (bench-dense)",
                                           lambda: pipeline(dense))
        # The same output bit for bit (Zhang–Suen with scikit-image's table).
        eq["skimage:skeletonize-zhang"] = ("skimage.morphology.skeletonize", lambda: skimage.morphology.skeletonize(mask))
    except ImportError:
        pass
    return eq


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", action="append", help="WxH (repeatable); default 1024x1024 and 4096x4096")
    ap.add_argument("--kernel", action="append", default=[], help="only kernels containing this text")
    ap.add_argument("--binary", default=None, help="path to a release dendrometer binary")
    args = ap.parse_args()
    sizes = args.size or ["1024x1024", "4096x4096"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary = args.binary or os.path.join(root, ".build", "release", "dendrometer")
    if not os.path.exists(binary):
        sys.exit(f"{binary} not found: run `tools/release_build.sh --product dendrometer` first")
    import tifffile
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [binary, "bench", "--json", "--repeat", "3", "--min-time", "0.2", "--write-images", tmp]
        for s in sizes:
            cmd += ["--size", s]
        for k in args.kernel:
            cmd += ["--kernel", k]
        swift = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(f"{'kernel':28} {'size':>11} {'Swift MPx/s':>12} {'Python MPx/s':>13} {'ratio':>7}  python")
        for s in sizes:
            w, h = (int(v) for v in s.lower().split("x"))
            image = tifffile.imread(os.path.join(tmp, f"bench-{w}x{h}.tif"))
            eq = python_equivalents(image, tmp, w, h)
            for r in (r for r in swift if r["width"] == w and r["height"] == h):
                for key in (r["kernel"], "skimage:" + r["kernel"]):
                    if key not in eq:
                        continue
                    desc, fn = eq[key]
                    try:
                        t = best_of(fn)
                    except Exception as err:  # a library version without this call
                        print(f"note: {key} failed in Python: {err}", file=sys.stderr)
                        continue
                    py = w * h / 1e6 / t
                    print(f"{r['kernel']:28} {s:>11} {r['megapixels_per_second']:12.1f} {py:13.1f} "
                          f"{r['megapixels_per_second'] / py:7.1f}  {desc}")


if __name__ == "__main__":
    main()
