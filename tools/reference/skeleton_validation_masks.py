"""Skeleton length of Dendrometer against skan on scikit-image's skeleton, on the true dendrite
masks of the validation split (label DENDRITE of `<id>_labels.png`, README of the split).

For each scene: skan 0.13's total branch length on `skimage.morphology.skeletonize(mask)`, and
`dendrometer skeleton MASK --json` with `--thinning zhang` (its `length_px`, branches node to node
with junction clusters merged, and `skan_length_px`, skan's convention) and `--thinning guo-hall`
(no pruning).
Prints one row per scene and the worst relative differences.

Run: python3 tools/reference/skeleton_validation_masks.py [--binary .build/release/dendrometer]
     [--data /work/shared/data/validation]
"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
import skan
from skimage.morphology import skeletonize

from validation_common import DEFAULT_DATA, DENDRITE, load_manifest, read_png, write_png


def ours(binary, path, thinning):
    out = subprocess.run([binary, "skeleton", path, "--json", "--thinning", thinning], check=True,
                         capture_output=True, text=True).stdout
    s = json.loads(out)["skeleton"]
    return s["length_px"], s["skan_length_px"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "../../.build/release/dendrometer"))
    ap.add_argument("--data", default=DEFAULT_DATA)
    args = ap.parse_args()
    manifest = load_manifest(args.data)
    scenes = [s["id"] if isinstance(s, dict) else s for s in (manifest["scenes"] if isinstance(manifest, dict) else manifest)]
    worst = {"zhang": 0.0, "guo-hall": 0.0, "zhang skan_length_px": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'scene':34s} {'skan px':>10s} {'zhang length_px':>16s} {'Δ':>7s} {'skan_length_px':>15s} {'Δ':>7s} "
              f"{'guo-hall length_px':>19s} {'Δ':>7s}")
        for sid in scenes:
            labels = read_png(os.path.join(args.data, sid + "_labels.png"))
            mask = labels == DENDRITE
            if mask.sum() == 0:
                continue
            path = os.path.join(tmp, sid + "_dendrite.png")
            write_png(path, mask.astype(np.uint8) * 255)
            ref = float(skan.summarize(skan.Skeleton(skeletonize(mask)), separator="_").branch_distance.sum())
            (z, zs), (g, _) = ours(args.binary, path, "zhang"), ours(args.binary, path, "guo-hall")
            dz, dzs, dg = (z - ref) / ref, (zs - ref) / ref, (g - ref) / ref
            for key, d in (("zhang", dz), ("zhang skan_length_px", dzs), ("guo-hall", dg)):
                worst[key] = max(worst[key], abs(d))
            print(f"{sid:34s} {ref:10.1f} {z:16.1f} {100 * dz:+6.2f}% {zs:15.1f} {100 * dzs:+6.2f}% {g:19.1f} {100 * dg:+6.2f}%")
    print("worst |Δ| against skan: " + ", ".join(f"{k} {100 * v:.3f} %" for k, v in worst.items()))


if __name__ == "__main__":
    main()
