#!/usr/bin/env python3
"""Scores `dendrometer analyze` on perturbed copies of a validation split.

The validation split (``../shared/data/validation``) is one draw of an independent
generator; a larger split with other seeds, and real microscopes, decide releases.
This probe asks how far the figures hold when the same scenes are seen a little
differently, as another microscope or session would show them:

- ``mirror``: left and right swapped (the data bar stays at the bottom); the
  truth follows (anode side, region rectangles). Nothing may depend on the side.
- ``rotate``: the scanned field alone (the data bar cut off) turned 90 degrees
  anticlockwise, so an anode at the top is now on the left, one on the left at the bottom,
  and so on; the truth follows (anode side, region rectangles, interface line). Every
  side's code path sees every kind of scene, as another split's draw of sides would show.
- ``bin2``: every 2 x 2 block of pixels averaged into one (the same field at half the
  magnification: pixel size doubled, thin tips and pores half as many px across, the noise
  halved); the truth follows (pixel size, region rectangles, interface line; depths in um
  are unchanged, so in px they halve). Rules written in px rather than um show here.
- ``noise3``, ``noise5``, ``noise10``: zero-mean Gaussian noise of 3 / 5 / 10 % of the
  field's grey range (0.5 to 99.5 percentile) added to every pixel of the scanned field
  (a faster scan, a smaller aperture; 3 % is within what one session differs from the next);
- ``highnoise``: the split's low-noise scenes (``spec.noise.preset`` "low") given the noise of
  its high-noise ones: shot-like noise whose variance grows with the grey level,
  sigma^2 = 0.0127 x + 0.00036 for grey x in [0, 1] of the sample range (x read from the
  image smoothed with sigma 1 px), which raises the electrolyte's pixel noise from the low
  preset's 0.029 to the high preset's 0.074 of full scale, as measured on the split
  (horizontal neighbour differences inside the electrolyte, label 3). The other scenes are
  copied unchanged. Another draw of the generator may give any scene either preset.
- ``gamma``: grey values mapped through t^0.7 over that range (a detector's
  non-linear response, brightness/contrast set differently);
- ``blur``: Gaussian blur with sigma 1.5 px (a larger probe or defocus);
- ``gradient``: brightness multiplied by a ramp from 0.9 to 1.1 across the field
  (detector shading, charging); values clipped to the sample type.
- ``substrate``: the anode (label 2) given a grey of its own, on the other side of the
  electrolyte's grey from the dendrites (label 5): every anode pixel is shifted by the same
  amount, so that the anode's median lies half the dendrites' contrast beyond the
  electrolyte's (label 3), on the other side (electrolyte - (dendrites - electrolyte) / 2),
  its texture and noise kept (half, so that it stays within the sample range). This is
  an electrode of another material than the dendrites (a collector they were plated on) or
  secondary-electron contrast; the truth is unchanged. The analysis must find the layer as an
  anode of its own grey (``SubstrateLayer``).
- ``tilt``: the scanned field alone (the data bar cut off) turned 8 degrees anticlockwise about
  its centre (grey values interpolated bilinearly, labels from the nearest pixel) and cropped to
  the largest centred rectangle of the same shape that lies wholly inside the turned field: a
  section cut or mounted at an angle, whose anode layer may now leave the field at one end while
  the dendrites carry on along the edge beyond it. The truth follows: the interface line turns
  with the field; the penetration is measured again, over the dendrite pixels left in view (label
  5), as the distance from each pixel centre to that line, continued straight beyond its ends
  (the README's definition); region rectangles are dropped (an upright rectangle no longer
  lies inside a turned band), so labels are not scored.

The data bar (label 9 of ``<id>_labels.png``) is left as it was: a microscope draws
it after the scan. The copies are written without vendor metadata, so the scorer
passes each scene's calibration as ``--pixel-size`` (and none where the convention
is ``none``). Depth, side and labels are scored exactly as ``validation_benchmark.py``
scores the split (its README), and every scene whose depth, side or labels differ
from the unperturbed run is listed, with whether the result carries a review reason.

The random perturbations (the noises) are one draw each; ``--repeat K`` draws K of them
(seeds SEED, SEED + 1, ...), scores each, and ends with each one's totals over the K draws:
a scene that holds on one draw may not on the next, as a split with other seeds would show.

Usage::

    python3 tools/robustness_probe.py WORKDIR [--data ../shared/data/validation]
           [--perturb noise10 --perturb gamma ...] [--mode auto --mode given] [--seed 12345]
           [--repeat K]

Needs numpy, tifffile and Pillow (``pip install numpy tifffile pillow``) and a
release build of ``dendrometer``; about 30 s per perturbation and mode.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import tifffile
    from PIL import Image
except ImportError as missing:
    sys.exit(f"robustness_probe: needs numpy, tifffile and Pillow ({missing}): pip install numpy tifffile pillow")

PERTURBATIONS = ("mirror", "rotate", "bin2", "noise3", "noise5", "noise10", "highnoise", "gamma", "blur", "gradient",
                 "substrate", "tilt")
ANODE_LABEL, ELECTROLYTE_LABEL, DENDRITE_LABEL = 2, 3, 5
# Perturbations that draw random numbers (``--repeat`` draws them again with other seeds).
RANDOM_PERTURBATIONS = ("noise3", "noise5", "noise10", "highnoise")
# Shot-like noise added to a low-noise scene to give it the high preset's noise (see highnoise).
HIGH_NOISE_SLOPE, HIGH_NOISE_FLOOR = 0.0127, 0.00036
DATA_BAR_LABEL = 9
MIRRORED_SIDE = {"left": "right", "right": "left", "top": "top", "bottom": "bottom"}
# Where each side goes when the field turns 90 degrees anticlockwise (numpy's rot90).
ROTATED_SIDE = {"top": "left", "left": "bottom", "bottom": "right", "right": "top"}
# The tilt perturbation's angle, degrees anticlockwise on screen.
TILT_DEGREES = 8.0
# How far the interface line is continued straight beyond its ends for the tilt's depth truth, px
# (further than any field is long).
LINE_CONTINUATION_PX = 1e6


def rotated(image, labels, gt):
    """The scanned field of `image` and `labels` turned 90 degrees anticlockwise, without the
    data bar, and `gt` (changed in place) following it: anode side, regions, interface line.
    A point (x, y) of the field of width W goes to (y, W - 1 - x); a pixel rectangle
    [x0, y0, x1, y1) to [y0, W - x1, y1, W - x0)."""
    x0, y0, x1, y1 = gt["image"]["scan_area_px"]
    image, labels = image[y0:y1, x0:x1], labels[y0:y1, x0:x1]
    width = x1 - x0
    gt["orientation"]["anode_side"] = ROTATED_SIDE[gt["orientation"]["anode_side"]]
    for r in gt["regions"]:
        if r.get("rect_px"):
            a, b, c, d = r["rect_px"]
            a, c = max(a, x0) - x0, min(c, x1) - x0
            b, d = max(b, y0) - y0, min(d, y1) - y0
            r["rect_px"] = [b, width - c, d, width - a]
    line = gt["interface"].get("polyline_px")
    if line:
        gt["interface"]["polyline_px"] = [[y - y0, width - 1 - (x - x0)] for x, y in line]
    h, w = labels.shape
    gt["image"]["scan_area_px"] = [0, 0, h, w]
    gt["image"]["width"], gt["image"]["height"] = h, w
    return np.rot90(image), np.rot90(labels)


def tilt_crop(width, height, degrees):
    """The largest centred rectangle of the field's shape, [x0, y0, x1, y1) in the turned
    field's pixels, every pixel centre of which maps back inside the field (see ``tilted``)."""
    a = np.deg2rad(abs(degrees))
    # A centred rectangle of half-sizes (k W / 2, k H / 2) turned back by a stays inside the
    # field's half-sizes ((W - 1) / 2, (H - 1) / 2) when both bounds below hold.
    half_w, half_h = (width - 1) / 2, (height - 1) / 2
    k = min(half_w / (half_w * np.cos(a) + half_h * np.sin(a)), half_h / (half_w * np.sin(a) + half_h * np.cos(a)))
    mx, my = int(np.ceil(half_w * (1 - k))), int(np.ceil(half_h * (1 - k)))
    return [mx, my, width - mx, height - my]


def turned_points(points, width, height, degrees, crop):
    """`points` (N x 2, x y) of a width x height field in the turned, cropped field's pixels: turned
    by `degrees` anticlockwise on screen (y down) about the field's centre, then shifted by the crop."""
    a = np.deg2rad(degrees)
    c = np.array([(width - 1) / 2, (height - 1) / 2])
    turn = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return (np.asarray(points, dtype=np.float64) - c) @ turn.T + c - [crop[0], crop[1]]


def distances_to_line(points, line, coarse=16):
    """Distance from each of `points` (N x 2) to the polyline `line` (M x 2), continued straight
    beyond both ends by ``LINE_CONTINUATION_PX``. Each point's nearest segment is sought among the
    `coarse`-vertex stretches' chords first, then among the segments of the nearest stretch and its
    neighbours (an interface line is smooth at that scale: one vertex per pixel column). On the
    validation split turned 8 degrees, every scene's max and p95 are within 0.003 px of the
    exhaustive search over all segments, in a small fraction of its time."""
    line = np.asarray(line, dtype=np.float64)
    first, last = line[1] - line[0], line[-1] - line[-2]
    line = np.vstack([line[0] - first / np.linalg.norm(first) * LINE_CONTINUATION_PX, line,
                      line[-1] + last / np.linalg.norm(last) * LINE_CONTINUATION_PX])
    segments = len(line) - 1
    # Stretch k runs over segments cuts[k] ..< cuts[k + 1]; the two continuations are stretches
    # of their own.
    cuts = np.unique(np.concatenate([[0, 1], np.arange(1, segments, coarse), [segments - 1, segments]]))

    def nearest(p, a, b):
        ab = b - a
        length2 = np.maximum((ab ** 2).sum(axis=-1), 1e-12)
        t = np.clip(((p - a) * ab).sum(axis=-1) / length2, 0, 1)
        return ((p - (a + t[..., None] * ab)) ** 2).sum(axis=-1)

    width = 3 * coarse + 2
    best = np.empty(len(points))
    for start in range(0, len(points), 4096):
        p = np.asarray(points[start:start + 4096], dtype=np.float64)
        k = nearest(p[:, None, :], line[cuts[:-1]], line[cuts[1:]]).argmin(axis=1)
        lo = cuts[np.maximum(k - 1, 0)]
        index = np.minimum(lo[:, None] + np.arange(width), segments - 1)
        best[start:start + 4096] = nearest(p[:, None, :], line[index], line[index + 1]).min(axis=1)
    return np.sqrt(best)


def tilted(image, labels, gt, degrees=TILT_DEGREES):
    """The scanned field of `image` and `labels` turned `degrees` anticlockwise about its centre
    and cropped inside (``tilt_crop``), without the data bar, and `gt` (changed in place)
    following: size, scanned field, interface line, penetration (measured again over the
    dendrite pixels in view); region rectangles dropped."""
    x0, y0, x1, y1 = gt["image"]["scan_area_px"]
    image, labels = image[y0:y1, x0:x1], labels[y0:y1, x0:x1]
    h, w = labels.shape
    crop = tilt_crop(w, h, degrees)
    a = np.deg2rad(degrees)
    c = np.array([(w - 1) / 2, (h - 1) / 2])
    ys, xs = np.mgrid[crop[1]:crop[3], crop[0]:crop[2]].astype(np.float64)
    # Each output pixel's centre turned back (the inverse of ``turned_points``) into the field.
    dx, dy = xs - c[0], ys - c[1]
    sx = np.clip(dx * np.cos(a) - dy * np.sin(a) + c[0], 0, w - 1)
    sy = np.clip(dx * np.sin(a) + dy * np.cos(a) + c[1], 0, h - 1)
    ix, iy = np.minimum(np.floor(sx).astype(int), w - 2), np.minimum(np.floor(sy).astype(int), h - 2)
    fx, fy = sx - ix, sy - iy
    v = image.astype(np.float64)
    grey = ((1 - fy) * ((1 - fx) * v[iy, ix] + fx * v[iy, ix + 1]) + fy * ((1 - fx) * v[iy + 1, ix] + fx * v[iy + 1, ix + 1]))
    limit = np.iinfo(image.dtype).max
    out = np.clip(np.rint(grey), 0, limit).astype(image.dtype)
    lab = labels[np.rint(sy).astype(int), np.rint(sx).astype(int)]
    gt["image"]["width"], gt["image"]["height"] = crop[2] - crop[0], crop[3] - crop[1]
    gt["image"]["scan_area_px"] = [0, 0, crop[2] - crop[0], crop[3] - crop[1]]
    for r in gt["regions"]:
        r["rect_px"] = None
    line = gt["interface"].get("polyline_px")
    if line:
        turned = turned_points(np.asarray(line, dtype=np.float64) - [x0, y0], w, h, degrees, crop)
        gt["interface"]["polyline_px"] = turned.tolist()
        rows, cols = np.nonzero(lab == DENDRITE_LABEL)
        pen = gt["dendrite"]["penetration"]
        if len(rows) > 0:
            depth = distances_to_line(np.stack([cols, rows], axis=1), turned) * gt["pixel_size_um"]
            pen["max_um"], pen["p95_um"] = float(depth.max()), float(np.percentile(depth, 95))
        else:
            pen["max_um"] = pen["p95_um"] = 0.0
    return out, lab


def binned(image, labels, gt):
    """`image` with every 2 x 2 block averaged (an odd last row or column dropped), `labels`
    sampled at each block's first pixel, and `gt` (changed in place) following: pixel size,
    size, scanned field, region rectangles and interface line (pixel (i, j) of the copy is the
    block of pixels 2i, 2i + 1 and 2j, 2j + 1, so a pixel centre x goes to x / 2 - 0.25)."""
    h, w = (image.shape[0] // 2) * 2, (image.shape[1] // 2) * 2
    blocks = image[:h, :w].astype(np.float64).reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    out = np.clip(np.rint(blocks), 0, np.iinfo(image.dtype).max).astype(image.dtype)
    gt["pixel_size_um"] *= 2
    if gt["calibration"].get("encoded_pixel_size_um"):
        gt["calibration"]["encoded_pixel_size_um"] *= 2
    gt["image"]["width"], gt["image"]["height"] = w // 2, h // 2
    x0, y0, x1, y1 = gt["image"]["scan_area_px"]
    gt["image"]["scan_area_px"] = [x0 // 2, y0 // 2, min(w, x1) // 2, min(h, y1) // 2]
    for r in gt["regions"]:
        if r.get("rect_px"):
            a, b, c, d = r["rect_px"]
            r["rect_px"] = [a // 2, b // 2, min(w // 2, -(-c // 2)), min(h // 2, -(-d // 2))]
    line = gt["interface"].get("polyline_px")
    if line:
        gt["interface"]["polyline_px"] = [[x / 2 - 0.25, y / 2 - 0.25] for x, y in line]
    return out, labels[:h:2, :w:2]


def substrate(image, labels):
    """`image` (2-D, float) with the anode's pixels shifted so that their median lies half the
    dendrites' contrast beyond the electrolyte's, on the other side (see ``substrate`` above);
    unchanged when the scene lacks an anode, electrolyte or dendrite pixel."""
    anode, electrolyte, dendrite = (labels == ANODE_LABEL), (labels == ELECTROLYTE_LABEL), (labels == DENDRITE_LABEL)
    if not (anode.any() and electrolyte.any() and dendrite.any()):
        return image
    grey = np.median(image[electrolyte])
    target = grey - (np.median(image[dendrite]) - grey) / 2
    return np.where(anode, image + (target - np.median(image[anode])), image)


def gaussian_blur(a, sigma):
    """Separable Gaussian (kernel truncated at 4 sigma), borders reflected."""
    r = int(np.ceil(4 * sigma))
    x = np.arange(-r, r + 1)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    k /= k.sum()
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r, r)
        p = np.pad(a, pad, mode="symmetric")
        a = sum(k[i] * np.take(p, np.arange(i, i + a.shape[axis]), axis=axis) for i in range(2 * r + 1))
    return a


def perturbed(kind, image, field, rng, full_scale):
    """`image` (2-D, float) with `kind` applied inside `field` (bool, the scanned field)."""
    lo, hi = np.percentile(image[field], [0.5, 99.5])
    span = max(hi - lo, 1e-9)
    if kind == "highnoise":
        x = np.clip(gaussian_blur(image, 1.0) / full_scale, 0, 1)
        out = image + full_scale * rng.normal(0.0, 1.0, image.shape) * np.sqrt(HIGH_NOISE_SLOPE * x + HIGH_NOISE_FLOOR)
    elif kind.startswith("noise"):
        out = image + rng.normal(0.0, float(kind[5:]) / 100 * span, image.shape)
    elif kind == "gamma":
        out = lo + span * np.clip((image - lo) / span, 0, 1) ** 0.7
    elif kind == "blur":
        out = gaussian_blur(image, 1.5)
    elif kind == "gradient":
        out = image * np.linspace(0.9, 1.1, image.shape[1])[None, :]
    else:
        raise ValueError(kind)
    return np.where(field, out, image)


def write_copy(kind, data, out, seed):
    """The split under `data`, perturbed by `kind`, written to `out` (manifest, images, labels, truth)."""
    os.makedirs(out, exist_ok=True)
    manifest = json.load(open(os.path.join(data, "manifest.json")))
    rng = np.random.default_rng(seed)
    for scene in manifest["scenes"]:
        files = scene["files"]
        image = tifffile.imread(os.path.join(data, files["image"]))
        labels = np.array(Image.open(os.path.join(data, files["labels"])))
        gt = json.load(open(os.path.join(data, files["gt"])))
        if image.ndim != 2 or image.shape != labels.shape:
            sys.exit(f"{files['image']}: expected a 2-D image the size of its labels")
        if kind == "mirror":
            image, labels = image[:, ::-1], labels[:, ::-1]
            width = labels.shape[1]
            gt["orientation"]["anode_side"] = MIRRORED_SIDE[gt["orientation"]["anode_side"]]
            for r in gt["regions"]:
                if r.get("rect_px"):
                    x0, y0, x1, y1 = r["rect_px"]
                    r["rect_px"] = [width - x1, y0, width - x0, y1]
        elif kind == "rotate":
            image, labels = rotated(image, labels, gt)
        elif kind == "bin2":
            image, labels = binned(image, labels, gt)
        elif kind == "tilt":
            image, labels = tilted(image, labels, gt)
        elif kind == "substrate":
            limit = np.iinfo(image.dtype).max
            image = np.clip(np.rint(substrate(image.astype(np.float64), labels)), 0, limit).astype(image.dtype)
        elif kind != "highnoise" or gt["spec"]["noise"]["preset"] == "low":
            limit = np.iinfo(image.dtype).max
            bits = gt["spec"].get("adc_bits") or gt["spec"].get("bit_depth") or 8 * image.dtype.itemsize
            values = perturbed(kind, image.astype(np.float64), labels != DATA_BAR_LABEL, rng, float(2 ** int(bits) - 1))
            image = np.clip(np.rint(values), 0, limit).astype(image.dtype)
        tifffile.imwrite(os.path.join(out, files["image"]), np.ascontiguousarray(image))
        Image.fromarray(np.ascontiguousarray(labels)).save(os.path.join(out, files["labels"]))
        json.dump(gt, open(os.path.join(out, files["gt"]), "w"))
    shutil.copy(os.path.join(data, "manifest.json"), os.path.join(out, "manifest.json"))


def score(scorer, binary, data, modes, json_out):
    args = [sys.executable, scorer, "--data", data, "--dendrometer", binary, "--json-out", json_out,
            "--pixel-size-from-truth"]
    for m in modes:
        args += ["--mode", m]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return {(r["id"], r["mode"]): r for r in json.load(open(json_out))}


def summary(rows, mode):
    view = [r for (i, m), r in rows.items() if m == mode and "error" not in r and r["in_view"]]
    labels = [l for (i, m), r in rows.items() if m == mode and "error" not in r for l in r["labels"]]
    wrong = [r for r in view if not r["depth_ok"] or not r["side_ok"]]
    return (f"side {sum(r['side_ok'] for r in view):2d}/{len(view)}  depth {sum(r['depth_ok'] for r in view):2d}/{len(view)}  "
            f"labels {sum(w == g for w, g in labels):2d}/{len(labels)}  wrong flagged {sum(1 for r in wrong if r['review'])}/{len(wrong)}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("work", help="folder for the perturbed copies and the scores")
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "validation"))
    ap.add_argument("--dendrometer", default=os.path.join(here, "..", ".build", "release", "dendrometer"))
    ap.add_argument("--perturb", action="append", choices=PERTURBATIONS)
    ap.add_argument("--mode", action="append", choices=("auto", "given"))
    ap.add_argument("--seed", type=int, default=12345, help="noise seed (default 12345)")
    ap.add_argument("--repeat", type=int, default=1, metavar="K",
                    help="draw each noise perturbation K times, seeds SEED ... SEED + K - 1 (default 1)")
    a = ap.parse_args()
    if a.repeat < 1:
        sys.exit(f"robustness_probe: --repeat must be at least 1, got {a.repeat}")
    if not os.path.isfile(os.path.join(a.data, "manifest.json")):
        sys.exit(f"robustness_probe: {a.data}: no manifest.json (the validation split is not there)")
    kinds = a.perturb or list(PERTURBATIONS)
    modes = a.mode or ["auto", "given"]
    scorer = os.path.join(here, "validation_benchmark.py")
    os.makedirs(a.work, exist_ok=True)
    # The unperturbed split, scored the same way (calibration passed in as for the copies).
    base = score(scorer, a.dendrometer, a.data, modes, os.path.join(a.work, "original.json"))
    print(f"{'original':9} " + "   ".join(f"{m}: {summary(base, m)}" for m in modes))
    totals = []
    for kind in kinds:
        draws = range(a.repeat) if kind in RANDOM_PERTURBATIONS else range(1)
        held = {m: [0, 0] for m in modes}
        for draw in draws:
            name = kind if len(draws) == 1 else f"{kind}@{a.seed + draw}"
            rows = probe(kind, name, a, scorer, modes, a.seed + draw)
            for (sid, m), r in rows.items():
                if "error" not in r and r["in_view"]:
                    held[m][0] += r["depth_ok"] and r["side_ok"]
                    held[m][1] += 1
            report_changes(rows, base)
        if len(draws) > 1:
            totals.append(f"{kind:9} x{len(draws)} " + "   ".join(f"{m}: side and depth held {h}/{n}" for m, (h, n) in held.items()))
    for line in totals:
        print(line)


def probe(kind, name, a, scorer, modes, seed):
    """Writes the copy `name` of the split perturbed by `kind` with `seed`, scores it, prints its line."""
    copy = os.path.join(a.work, name)
    write_copy(kind, a.data, copy, seed)
    rows = score(scorer, a.dendrometer, copy, modes, os.path.join(a.work, f"{name}.json"))
    print(f"{name:9} " + "   ".join(f"{m}: {summary(rows, m)}" for m in modes))
    return rows


def report_changes(rows, base):
    """Lists every scene whose depth, side or labels differ from the unperturbed run."""
    for key in sorted(rows):
        r, b = rows[key], base.get(key)
        if b is None or "error" in r or "error" in b:
            if "error" in r:
                print(f"    {key[1]:5} {key[0]:34} ERROR {r['error']}")
            continue
        # A copy whose region rectangles were dropped (tilt) scores no labels: not a change.
        labels_changed = bool(r["labels"]) and r["labels"] != b["labels"]
        if (r["depth_ok"], r["side_ok"]) == (b["depth_ok"], b["side_ok"]) and not labels_changed:
            continue
        fmt = lambda v: "-" if v is None else f"{v:.0f}"
        wrong_labels = sum(w != g for w, g in r["labels"])
        print(f"    {key[1]:5} {key[0]:34} side {r['side'] or '-':6} max {fmt(r['max_px'])}/{r['truth_max_px']:.0f} "
              f"p95 {fmt(r['p95_px'])}/{r['truth_p95_px']:.0f} {'ok' if r['depth_ok'] else 'MISS'}"
              f"{f' labels wrong {wrong_labels}' if wrong_labels else ''}{' REVIEW' if r['review'] else ' (no review)'}")


if __name__ == "__main__":
    main()
