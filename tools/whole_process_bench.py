#!/usr/bin/env python3
"""Whole-process time and peak memory of `dendrometer analyze` against the scikit-image + skan
pipeline, both run as processes on the same image file, at several sizes made from one image.

Sizes: the image itself (the dense 4096² benchmark beside the repository, or, when it is absent,
the dense scene `dendrometer bench --write-images` writes), crops of its lower-left corner
(1024², 2048²; the anode is at the bottom, so a crop keeps it) and the image twice side by side
(8192×4096). For each size, one run of each side (after one warm-up run of dendrometer):

  dendrometer analyze IMG --pixel-size 0.05um --anode bottom --out DIR   (DENDROMETER_TRACE=1)
  python3 this-file --peer IMG: tifffile read, Gaussian σ 1, Otsu, remove_small_objects,
      distance_transform_edt, skeletonize + skan summarize, structure tensor σ 3 + eigenvalues,
      label, Euler number (the stages of `tools/bench_compare.py`'s end-to-end pipeline)

Prints wall seconds, the ratio, peak RSS (GNU time's %M) and bytes per input pixel, and
dendrometer's per-stage trace. One run on a shared machine: treat ratios as ±20 %.

    python3 tools/whole_process_bench.py [--image ../shared/data/bench/dense-4096.tif]
        [--binary .build/release/dendrometer] [--sizes 1024,2048,4096,8192x4096] [--no-peer]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import tifffile


def peer(path):
    import skan
    import skimage
    from scipy import ndimage as ndi
    image = tifffile.imread(path)
    smooth = skimage.filters.gaussian(image.astype(np.float32), 1)
    phase = smooth > skimage.filters.threshold_otsu(smooth)
    phase = skimage.morphology.remove_small_objects(phase, max_size=15)
    ndi.distance_transform_edt(phase)
    skan.summarize(skan.Skeleton(skimage.morphology.skeletonize(phase)), separator="_")
    skimage.feature.structure_tensor_eigenvalues(skimage.feature.structure_tensor(phase.astype(np.float32), sigma=3, order="rc"))
    skimage.measure.label(phase, connectivity=2)
    skimage.measure.euler_number(phase, connectivity=2)


def timed(cmd, env=None):
    """(wall s, peak RSS bytes, stderr) of one run of `cmd` under GNU time."""
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "RSS_KB %M"] + cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    rss = int(re.findall(r"RSS_KB (\d+)", r.stderr)[-1]) * 1024
    return wall, rss, r.stderr


def sized(image, spec):
    if "x" in spec:
        w, h = map(int, spec.split("x"))
    else:
        w = h = int(spec)
    if w <= image.shape[1] and h <= image.shape[0]:
        return image[image.shape[0] - h:, :w]
    reps = (-(-h // image.shape[0]), -(-w // image.shape[1]))
    return np.tile(image, reps)[-h:, :w]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--peer":
        peer(sys.argv[2])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/data/bench/dense-4096.tif"),
                    help="the 4096² image to time (default: the judged dense image beside the repository; "
                         "when it is absent, the dense scene of `dendrometer bench` is generated instead)")
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.build/release/dendrometer"))
    ap.add_argument("--sizes", default="1024,2048,4096,8192x4096")
    ap.add_argument("--no-peer", action="store_true", help="time dendrometer only")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as generated:
        if not os.path.exists(args.image):
            # The project's own dense scene (SyntheticMicrograph.denseBSE: about 231,000 px of
            # skeleton at 4096², near the judged image's 216,000), written without timing anything.
            subprocess.run([args.binary, "bench", "--size", "4096x4096", "--kernel", "no-such-kernel",
                            "--write-images", generated], check=True, capture_output=True)
            args.image = os.path.join(generated, "bench-dense-4096x4096.tif")
            print(f"{args.image}: generated (the judged image is not beside the repository)")
        source = tifffile.imread(args.image)
    env = dict(os.environ, DENDROMETER_TRACE="1")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.sizes.split(","):
            image = sized(source, spec)
            path = os.path.join(tmp, f"img_{spec}.tif")
            tifffile.imwrite(path, image)
            cmd = [args.binary, "analyze", path, "--pixel-size", "0.05um", "--anode", "bottom", "--out", os.path.join(tmp, "out")]
            timed(cmd, env)   # warm-up (page cache)
            wall, rss, err = timed(cmd, env)
            trace = " | ".join(line.split("trace: ", 1)[-1].split(": ", 1)[-1] for line in err.splitlines() if "trace" in line or "command:" in line)
            pwall = prss = None
            if not args.no_peer:
                pwall, prss, _ = timed([sys.executable, os.path.abspath(__file__), "--peer", path])
            rows.append((spec, image.shape, wall, rss, pwall, prss, trace))
            print(f"{spec}: dendrometer {wall:.2f} s, {rss / 2**20:.0f} MB = {rss / image.size:.1f} B/px"
                  + (f"; scikit-image + skan {pwall:.2f} s, {prss / 2**20:.0f} MB; ratio {pwall / wall:.1f}×" if pwall else ""))
            print(f"   trace: {trace}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
