"""Reference numbers for the skeleton stage on the real masks in
/work/shared/data/real (for the lead's integration test), two ways:

1. skan 0.13 on `skimage.morphology.skeletonize(mask)` (Zhang–Suen), skan's
   own junction convention (MST of junction clusters, every remaining pixel of
   degree ≥ 3 is a node).
2. An independent NumPy re-implementation of Dendrometer's conventions
   (DESIGN.md §4, Sources/DendrometerSkeleton):
   skeleton = repeat { skimage.morphology.thin (Guo–Hall A1, the same
   thinning) ; sequential raster clean-up of 8-simple, non-end pixels that
   have two 4-neighbours at a right angle } until stable; graph with 8-connected
   junction pixels merged into one node placed on the cluster pixel nearest the
   centroid; a one-pixel chain touching two adjacent pixels of one junction
   is part of that junction; branch length node to node; cycles = components −
   Euler number.

Run: python3 tools/reference/skeleton_real_masks.py  [also: --fixtures to print
the small fixtures' values with method 2]
"""
import sys

import numpy as np
import skan
import tifffile
from scipy import ndimage as ndi
from skimage.measure import euler_number
from skimage.morphology import skeletonize, thin

EIGHT = np.ones((3, 3), bool)
# neighbour code bit order: E, NE, N, NW, W, SW, S, SE (Guo & Hall x1..x8)
OFFS = [(0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1)]


def crossing(code):
    x = [(code >> k) & 1 for k in range(8)] + [code & 1]
    return sum(1 for i in range(4) if not x[2 * i] and (x[2 * i + 1] or x[2 * i + 2]))


def clean_lut():
    lut = np.zeros(256, bool)
    for c in range(256):
        E, N, W, S = c & 1, (c >> 2) & 1, (c >> 4) & 1, (c >> 6) & 1
        right = (E and N) or (N and W) or (W and S) or (S and E)
        lut[c] = crossing(c) == 1 and bin(c).count("1") >= 2 and right
    return lut


CLEAN = clean_lut()


def clean_up(sk):
    p = np.pad(sk, 1).astype(np.uint8)
    deleted = False
    ys, xs = np.nonzero(p)
    for y, x in zip(ys, xs):  # raster order
        if not p[y, x]:
            continue
        code = 0
        for k, (dy, dx) in enumerate(OFFS):
            code |= int(p[y + dy, x + dx]) << k
        if CLEAN[code]:
            p[y, x] = 0
            deleted = True
    return p[1:-1, 1:-1].astype(bool), deleted


def dendrometer_skeleton(mask):
    s = mask.astype(bool)
    while True:
        s = thin(s)
        s, deleted = clean_up(s)
        if not deleted:
            return s


def dendrometer_graph(sk):
    sk = sk.astype(bool)
    h, w = sk.shape
    k = np.ones((3, 3), int)
    k[1, 1] = 0
    deg = ndi.convolve(sk.astype(int), k, mode="constant") * sk
    jl, nj = ndi.label(sk & (deg >= 3), structure=EIGHT)
    ends = np.argwhere(sk & (deg == 1))
    # node id image: junction clusters 0..nj-1, then endpoints, then isolated pixels
    node = np.full(sk.shape, -1)
    node[jl > 0] = jl[jl > 0] - 1
    rep = {}
    kind = {}
    for lab, sl in enumerate(ndi.find_objects(jl)):
        pts = np.argwhere(jl[sl] == lab + 1) + [sl[0].start, sl[1].start]
        c = pts.mean(axis=0)
        d = ((pts - c) ** 2).sum(axis=1)
        # nearest to the centroid; ties: first in raster order (argwhere is row-major)
        best = min(range(len(pts)), key=lambda i: (round(d[i], 9), i))
        rep[lab] = tuple(pts[best])
        kind[lab] = "j"
    nid = nj
    for y, x in ends:
        node[y, x] = nid
        rep[nid] = (y, x)
        kind[nid] = "e"
        nid += 1
    for y, x in np.argwhere(sk & (deg == 0)):
        node[y, x] = nid
        rep[nid] = (y, x)
        kind[nid] = "i"
        nid += 1
    chain = sk & (deg == 2)
    cl, nc = ndi.label(chain, structure=EIGHT)
    sizes = np.bincount(cl.ravel(), minlength=nc + 1)
    pad_node = np.pad(node, 1, constant_values=-1)
    pad_cl = np.pad(cl, 1)
    # internal chain lengths: each adjacent pair once (E, S, SE, SW)
    internal = np.zeros(nc + 1)
    for dy, dx in [(0, 1), (1, 0), (1, 1), (1, -1)]:
        a = pad_cl[1:-1, 1:-1]
        b = pad_cl[1 + dy:h + 1 + dy, 1 + dx:w + 1 + dx]
        same = (a > 0) & (a == b)
        np.add.at(internal, a[same], np.hypot(dy, dx))
    # chain-to-node contacts
    contacts = {c: [] for c in range(1, nc + 1)}
    for dy, dx in OFFS:
        nb = pad_node[1 + dy:h + 1 + dy, 1 + dx:w + 1 + dx]
        m = (cl > 0) & (nb >= 0)
        for y, x in np.argwhere(m):
            contacts[cl[y, x]].append((nb[y, x], (y + dy, x + dx), np.hypot(dy, dx)))
    branches = []  # (src, dst, length)

    def off(n, p):
        return float(np.hypot(p[0] - rep[n][0], p[1] - rep[n][1]))

    for c in range(1, nc + 1):
        cs = contacts[c]
        if not cs:
            branches.append((None, None, internal[c]))  # isolated cycle
            continue
        assert len(cs) == 2, (c, cs)
        (n1, p1, s1), (n2, p2, s2) = cs
        if sizes[c] == 1 and n1 == n2 and max(abs(p1[0] - p2[0]), abs(p1[1] - p2[1])) <= 1:
            continue  # one-pixel bump on a junction (triangle): part of the junction
        branches.append((n1, n2, internal[c] + s1 + s2 + off(n1, p1) + off(n2, p2)))
    # direct node-node steps between different nodes
    for dy, dx in [(0, 1), (1, 0), (1, 1), (1, -1)]:
        a = pad_node[1:-1, 1:-1]
        b = pad_node[1 + dy:h + 1 + dy, 1 + dx:w + 1 + dx]
        m = (a >= 0) & (b >= 0) & (a != b)
        for y, x in np.argwhere(m):
            n1, n2 = a[y, x], b[y, x]
            branches.append((n1, n2, np.hypot(dy, dx) + off(n1, (y, x)) + off(n2, (y + dy, x + dx))))
    types = {0: 0, 1: 0, 2: 0, 3: 0}
    for s, d, _ in branches:
        if s is None or s == d:
            types[3] += 1
        else:
            tips = (kind[s] == "e") + (kind[d] == "e")
            types[{2: 0, 1: 1, 0: 2}[tips]] += 1
    comps = ndi.label(sk, structure=EIGHT)[1]
    return {
        "skeleton_px": int(sk.sum()),
        "branches": len(branches),
        "branch_types": types,
        "length_px": round(float(sum(b[2] for b in branches)), 3),
        "endpoints": int(len(ends)),
        "junctions": int(nj),
        "components": int(comps),
        "cycles": int(comps - euler_number(sk, connectivity=2)),
    }


def skan_summary(sk):
    s = skan.Skeleton(sk)
    df = skan.summarize(s, separator="_")
    return {
        "skeleton_px": int(sk.sum()),
        "branches": len(df),
        "branch_types": {int(k): int(v) for k, v in df.branch_type.value_counts().sort_index().items()},
        "length_px": round(float(df.branch_distance.sum()), 3),
        "endpoints(deg1 px)": int((s.degrees == 1).sum()),
        "junction_px(deg>2)": int((s.degrees > 2).sum()),
    }


REAL = "/work/shared/data/real/"
MASKS = [
    ("nist segmented (as given, non-zero)", "nist_grain_size_analysis_tools/sem_alpha_beta_ti_6al_4v_segmented.tif", lambda a: a != 0),
    ("EBC_050317 annot == 2 (cracks)", "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", lambda a: a == 2),
    ("EBC_111418 annot == 2 (cracks)", "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", lambda a: a == 2),
    ("EBC_050317 annot != 0", "nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", lambda a: a != 0),
    ("EBC_111418 annot != 0", "nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", lambda a: a != 0),
]

if __name__ == "__main__":
    if "--raw" in sys.argv:  # also dump masks as raw uint8 for a Swift cross-check
        out = sys.argv[sys.argv.index("--raw") + 1]
    else:
        out = None
    for i, (name, path, f) in enumerate(MASKS):
        mask = f(tifffile.imread(REAL + path))
        if out:
            mask.astype(np.uint8).tofile(f"{out}/mask{i}_{mask.shape[1]}x{mask.shape[0]}.raw")
        print(f"== {name}: {mask.shape[1]}x{mask.shape[0]} px, {int(mask.sum())} phase px")
        print("  skan on skimage.skeletonize:", skan_summary(skeletonize(mask)))
        print("  dendrometer conventions    :", dendrometer_graph(dendrometer_skeleton(mask)))
