#!/usr/bin/env python3
"""Times the scikit-image / scikit-learn peer of Dendrometer's pixel classifier
(DendrometerLearning) on one synthetic 2048² scene, per megapixel.

The peer, as named in the project's issue:
    features = skimage.feature.multiscale_basic_features(img, intensity=True, edges=True,
                   texture=True, sigma_min=0.5, sigma_max=16)          # 6 scales × 4 = 24 planes
    clf = RandomForestClassifier(n_estimators=TREES, n_jobs=2, max_depth=10, max_samples=0.05)
    skimage.future.predict_segmenter(features, clf)
with TREES = --trees (default 100, the tree count of Dendrometer's default model: the issue
compares at the same tree count).

The scene is the one of Tests/DendrometerLearningTests/TimingTests.swift and of `dendrometer
bench`'s pixel-classifier cases (discs = class 1,
bands = class 3, background = class 2, Gaussian noise σ 0.08); 10⁵ pixels at random
positions carry their true label for training. When the Swift benchmark has written the
scene (`--scene /tmp/bench_scene_2048.f32`, raw little-endian float32, row-major), that
exact image is used; otherwise it is regenerated here with NumPy's generator (another noise
realisation of the same scene: timings do not depend on it).

    python3 tools/bench_pixel_classifier.py [--size 2048] [--trees 100] [--scene PATH] [--repeat 2]
                                            [--dendrometer .build/release/dendrometer]

Prints wall-clock seconds and s/MPx (best of --repeat runs) for features, prediction and
both; the machine is shared and noisy, so treat the numbers as ±20 %. When the dendrometer
binary is there (a release build), the same run then times `dendrometer bench --kernel
pixel-classifier` on the same scene size (the same scene rule, 10⁵ training pixels, 100 trees,
the default 49-plane bank) and prints the ratio of features + prediction against the peer:
`pixel-classifier-classes` is what `analyze --model` runs (the class map),
`pixel-classifier-probabilities` adds the probabilities (`--save-probabilities`).
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np


def scene(size, rng):
    y, x = np.mgrid[0:size, 0:size]
    cx, cy = (x % 128) - 64.0, (y % 128) - 64.0
    disc = cx * cx + cy * cy < 30 * 30
    band = ~disc & ((y % 200) < 12)
    grey = np.where(disc, 0.75, np.where(band, 0.15, 0.45))
    truth = np.where(disc, 1, np.where(band, 3, 2)).astype(np.uint8)
    return (grey + 0.08 * rng.standard_normal((size, size))).astype(np.float32), truth


def best(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--scene", default=None, help="raw float32 image written by the Swift benchmark")
    ap.add_argument("--dendrometer", default=".build/release/dendrometer", help="release binary for the ratio")
    args = ap.parse_args()

    from skimage.feature import multiscale_basic_features
    from skimage.future import fit_segmenter, predict_segmenter
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(1)
    n = args.size
    img, truth = scene(n, rng)
    path = args.scene or f"/tmp/bench_scene_{n}.f32"
    if os.path.exists(path):
        img = np.fromfile(path, dtype="<f4").reshape(n, n)
        print(f"scene: {path}")
    labels = np.zeros((n, n), np.uint8)
    idx = rng.choice(n * n, size=min(100_000, n * n // 20), replace=False)
    labels.flat[idx] = truth.flat[idx]
    mpx = n * n / 1e6

    def features():
        return multiscale_basic_features(img, intensity=True, edges=True, texture=True, sigma_min=0.5, sigma_max=16)

    t_feat, feats = best(features, args.repeat)
    clf = RandomForestClassifier(n_estimators=args.trees, n_jobs=2, max_depth=10, max_samples=0.05, random_state=0)
    t0 = time.perf_counter()
    clf = fit_segmenter(labels, feats, clf)
    t_train = time.perf_counter() - t0
    t_pred, seg = best(lambda: predict_segmenter(feats, clf), args.repeat)
    acc = float((seg == truth).mean())
    print(f"peer {n}², {feats.shape[-1]} feature planes, {args.trees} trees (max_depth 10, max_samples 0.05), n_jobs 2")
    print(f"  training (fit_segmenter, features given): {t_train:.3f} s")
    print(f"  features   {t_feat:.3f} s = {t_feat / mpx:.3f} s/MPx")
    print(f"  prediction {t_pred:.3f} s = {t_pred / mpx:.3f} s/MPx")
    print(f"  total      {t_feat + t_pred:.3f} s = {(t_feat + t_pred) / mpx:.3f} s/MPx   (accuracy {acc:.4f})")
    if os.path.exists(args.dendrometer):
        out = subprocess.run([args.dendrometer, "bench", "--kernel", "pixel-classifier", "--size", f"{n}x{n}",
                              "--repeat", str(args.repeat), "--json"], check=True, capture_output=True, text=True).stdout
        for r in json.loads(out):
            t = r["seconds"]
            print(f"dendrometer {r['kernel']} {n}² (features + forest, 100 trees): {t:.3f} s = {t / mpx:.3f} s/MPx, "
                  f"{(t_feat + t_pred) / t:.2f}× the peer")


if __name__ == "__main__":
    main()
