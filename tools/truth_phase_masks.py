#!/usr/bin/env python3
"""Phase masks of the project's own benchmark scenes from their ground truth, for `--mask`.

`dendrometer-synth benchmark-set --truth-out TRUTH` writes each scene's true dendrite mask
(`<stem>.mask.png`) and its true interface (`interface.points_px`, anode side). A user's mask
marks the dendrite phase *including the anode layer* (docs/REFERENCE.md §6), so the mask made
here is the true dendrites plus every pixel of the scanned field on the anode's side of the true
interface (the polyline interpolated linearly along the edge; beyond its ends, its end values).
With it, `analyze --mask` measures the scene with a perfect segmentation: what is left is the
metrology (interface, depth, labels), as `tools/validation_benchmark.py --mode mask` does for
the validation split with its label images.

Usage::

    python3 tools/truth_phase_masks.py TRUTH_DIR OUT_DIR

writes OUT_DIR/<stem>.phase.png (0 / 255) for every TRUTH_DIR/<stem>.truth.json. Needs numpy
and Pillow.
"""
import json
import os
import sys

try:
    import numpy as np
    from PIL import Image
except ImportError as missing:
    sys.exit(f"truth_phase_masks: needs numpy and Pillow ({missing}): pip install numpy pillow")


def anode_side_of(points, side, height, width):
    """Boolean (height, width): pixels whose centre lies on the anode's side of the polyline
    `points` ([[x, y], ...], pixel-centre coordinates), the anode along edge `side`."""
    pts = np.asarray(points, dtype=float)
    rows, cols = np.mgrid[0:height, 0:width]
    if side in ("bottom", "top"):
        order = np.argsort(pts[:, 0])
        edge = np.interp(np.arange(width), pts[order, 0], pts[order, 1])[None, :]
        return rows > edge if side == "bottom" else rows < edge
    order = np.argsort(pts[:, 1])
    edge = np.interp(np.arange(height), pts[order, 1], pts[order, 0])[:, None]
    return cols > edge if side == "right" else cols < edge


def phase_mask(truth, truth_dir):
    """The true dendrites plus the anode layer inside the scanned field, uint8 0 / 255."""
    dendrites = np.array(Image.open(os.path.join(truth_dir, truth["mask"]))) > 0
    height, width = dendrites.shape
    field = np.zeros_like(dendrites)
    f = truth["scanned_field"]
    field[f["y"]:f["y"] + f["h"], f["x"]:f["x"] + f["w"]] = True
    anode = anode_side_of(truth["interface"]["points_px"], truth["anode_side"], height, width)
    return ((dendrites | anode) & field).astype(np.uint8) * 255


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[0] + "\nusage: truth_phase_masks.py TRUTH_DIR OUT_DIR")
    truth_dir, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(truth_dir)):
        if not name.endswith(".truth.json"):
            continue
        truth = json.load(open(os.path.join(truth_dir, name)))
        if not truth.get("interface") or not truth.get("mask"):
            continue
        stem = name[: -len(".truth.json")]
        Image.fromarray(phase_mask(truth, truth_dir)).save(os.path.join(out, stem + ".phase.png"))


if __name__ == "__main__":
    main()
