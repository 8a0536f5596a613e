"""Shared helpers for scripts that score against the validation split
(/work/shared/data/validation, see its README.md): reading a scene, the true interface,
depth of pixels below it, and the release tolerance on depth.

Conventions of the split (README.md): x is the column, y the row, pixel centres at integer
coordinates, rectangles [x0, y0, x1, y1] half-open; `interface.polyline_px` has one vertex per
pixel column (anode top/bottom) or per pixel row (anode left/right).
"""
import json
import os

import numpy as np
import scipy.ndimage as ndi
from scipy.spatial import cKDTree

DEFAULT_DATA = "/work/shared/data/validation"

# Labels of the split (gt['labels_legend']).
MOUNT, STEEL, ANODE, ELECTROLYTE, PORE, DENDRITE, CRACK, CATHODE_MATRIX, CATHODE_PARTICLE, DATA_BAR = range(10)


def load_manifest(data_dir):
    with open(os.path.join(data_dir, "manifest.json")) as f:
        return json.load(f)


def load_gt(data_dir, scene_id):
    with open(os.path.join(data_dir, scene_id + "_gt.json")) as f:
        return json.load(f)


def read_image(path):
    """First page of a TIFF (or any image Pillow reads) as a 2-D numpy array, native dtype."""
    if path.lower().endswith((".tif", ".tiff")):
        import tifffile
        with tifffile.TiffFile(path) as t:
            a = t.pages[0].asarray()
    else:
        from PIL import Image
        a = np.asarray(Image.open(path))
    if a.ndim == 3:  # RGB(A) saved by mistake: take the first channel
        a = a[..., 0]
    return a


def read_png(path):
    from PIL import Image
    return np.asarray(Image.open(path))


def write_png(path, array):
    from PIL import Image
    Image.fromarray(np.ascontiguousarray(array)).save(path)


def scan_mask(gt, shape):
    """True inside the scanned field `image.scan_area_px` (the data bar is outside it)."""
    x0, y0, x1, y1 = gt["image"]["scan_area_px"]
    m = np.zeros(shape, bool)
    m[y0:y1, x0:x1] = True
    return m


def normalise_percentile(img, lo=0.5, hi=99.5, mask=None):
    """Float32 in [0, 1]: (img - p_lo) / (p_hi - p_lo), clipped; percentiles over `mask` (or all)."""
    a = img.astype(np.float32)
    vals = a[mask] if mask is not None else a
    p0, p1 = np.percentile(vals, [lo, hi])
    if p1 <= p0:
        p1 = p0 + 1.0
    return np.clip((a - np.float32(p0)) / np.float32(p1 - p0), 0.0, 1.0).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Interface geometry

def _axis(anode_side):
    """(along, across): the polyline's vertex index runs `along` (x for top/bottom)."""
    if anode_side in ("top", "bottom"):
        return 0, 1
    if anode_side in ("left", "right"):
        return 1, 0
    raise ValueError("anode side %r" % anode_side)


def interface_profile(gt, n, extended=True):
    """Interface position `across` for every integer `along` coordinate 0..n-1.

    From `polyline_px` (exact at its integer vertices). Where `polyline_px` does not cover a
    column/row (the interface leaves the field through the anode-side edge on tilted or curved
    scenes), `polyline_extended_px` (the same curve continued outside the field) is used when
    present, otherwise the end value is held."""
    side = gt["orientation"]["anode_side"]
    a, c = _axis(side)
    pl = np.asarray(gt["interface"]["polyline_px"], float)
    order = np.argsort(pl[:, a])
    xs, ys = pl[order, a], pl[order, c]
    t = np.arange(n, dtype=float)
    prof = np.interp(t, xs, ys)
    ext = gt["interface"].get("polyline_extended_px") if extended else None
    outside = (t < xs[0]) | (t > xs[-1])
    if ext and outside.any():
        pe = np.asarray(ext, float)
        oe = np.argsort(pe[:, a])
        prof[outside] = np.interp(t[outside], pe[oe, a], pe[oe, c])
    return prof


def electrolyte_side_mask(gt, shape):
    """Pixel centre strictly on the electrolyte side of the true interface."""
    h, w = shape
    side = gt["orientation"]["anode_side"]
    if side in ("top", "bottom"):
        prof = interface_profile(gt, w)[None, :]          # y of the interface per column
        yy = np.arange(h, dtype=float)[:, None]
        return yy > prof if side == "top" else yy < prof
    prof = interface_profile(gt, h)[:, None]              # x of the interface per row
    xx = np.arange(w, dtype=float)[None, :]
    return xx > prof if side == "left" else xx < prof


def beyond_cathode_mask(labels, electrolyte_side, anode_side):
    """Pixels at or beyond the cathode, from the TRUE labels: on each line across the interface
    (column for anode top/bottom, row for left/right), the first electrolyte-side pixel, going
    away from the anode, whose true label is cathode matrix (7), cathode particle (8) or steel
    (1: the collector behind the cathode), and every pixel after it on that line."""
    hit = electrolyte_side & np.isin(labels, (STEEL, CATHODE_MATRIX, CATHODE_PARTICLE))
    # orient so that index 0 along axis `k` is the anode side
    if anode_side == "top":
        h2, k, flip = hit, 0, False
    elif anode_side == "bottom":
        h2, k, flip = hit[::-1, :], 0, True
    elif anode_side == "left":
        h2, k, flip = hit, 1, False
    else:
        h2, k, flip = hit[:, ::-1], 1, True
    out = np.maximum.accumulate(h2, axis=k)
    if flip:
        out = out[::-1, :] if k == 0 else out[:, ::-1]
    return out


class PolylineDistance:
    """Exact Euclidean distance from points to a polyline (segments between consecutive vertices).

    A KD-tree on the vertices finds the nearest vertex; the exact point-to-segment distance is
    then the minimum over the `reach` segments on either side of it (vectorised). With vertices
    about 1 px apart, as in the split, the foot of the perpendicular lies on one of those
    segments, so the result is the exact distance to the curve (checked against the true masks:
    the split's max and p95 are reproduced to 1e-3 px)."""

    def __init__(self, vertices, reach=3, workers=2):
        v = np.asarray(vertices, float)
        if len(v) < 2:
            raise ValueError("polyline needs two vertices")
        self.p0, self.p1 = v[:-1], v[1:]
        self.nseg = len(v) - 1
        self.reach = reach
        self.workers = workers
        # unbalanced: about twice as fast for queries far from a nearly straight line
        self.tree = cKDTree(v, balanced_tree=False, compact_nodes=False)

    def _seg_dist(self, q, s):
        a, b = self.p0[s], self.p1[s]
        ab = b - a
        den = np.einsum("ij,ij->i", ab, ab)
        num = np.einsum("ij,ij->i", q - a, ab)
        t = np.clip(np.divide(num, den, out=np.zeros_like(num), where=den > 0), 0.0, 1.0)
        return np.hypot(q[:, 0] - (a[:, 0] + ab[:, 0] * t), q[:, 1] - (a[:, 1] + ab[:, 1] * t))

    def __call__(self, xy, chunk=1 << 20):
        xy = np.asarray(xy, float).reshape(-1, 2)
        out = np.empty(len(xy))
        for i in range(0, len(xy), chunk):
            q = xy[i:i + chunk]
            _, j = self.tree.query(q, workers=self.workers)
            best = np.full(len(q), np.inf)
            # vertex j starts segment j and ends segment j-1
            for o in range(-self.reach, self.reach):
                best = np.minimum(best, self._seg_dist(q, np.clip(j + o, 0, self.nseg - 1)))
            out[i:i + chunk] = best
        return out


def remove_small_components(mask, min_area_px):
    """Drop 8-connected components with fewer than `min_area_px` pixels (float allowed)."""
    if min_area_px <= 1:
        return mask.copy()
    lab, n = ndi.label(mask, structure=np.ones((3, 3), bool))
    if n == 0:
        return mask.copy()
    sizes = np.bincount(lab.ravel())
    keep = sizes >= min_area_px - 1e-9
    keep[0] = False
    return keep[lab]


def interface_curve(gt):
    """Vertices of the true interface curve for distances: `polyline_extended_px` (the same curve
    continued past the field, what the split's depths are measured to: near the field's lateral
    edges the nearest point of the curve can lie outside the field) when present, else
    `polyline_px`."""
    i = gt["interface"]
    return i.get("polyline_extended_px") or i["polyline_px"]


def depth_pixels(mask, gt, dist=None):
    """Depth in px (distance from pixel centre to the true interface curve) of every True pixel."""
    if dist is None:
        dist = PolylineDistance(interface_curve(gt))
    ys, xs = np.nonzero(mask)
    return dist(np.column_stack([xs, ys]).astype(float))


def depth_stats(depths):
    """max and p95 (numpy percentile, linear) in px; None when there are no pixels."""
    if len(depths) == 0:
        return None, None
    return float(depths.max()), float(np.percentile(depths, 95))


def truth_depth_px(gt):
    ps = gt["pixel_size_um"]
    pen = gt["dendrite"]["penetration"]
    return pen["max_um"] / ps, pen["p95_um"] / ps


def depth_ok(value_px, truth_px, rel=0.05, abs_px=4.0):
    """Release tolerance: within max(4 px, 5 %) of the truth."""
    if value_px is None or truth_px is None:
        return False
    return abs(value_px - truth_px) <= max(abs_px, rel * abs(truth_px))
