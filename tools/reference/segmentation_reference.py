#!/usr/bin/env python3
"""Reference values for Tests/DendrometerSegmentationTests.

Run once:  python3 tools/reference/segmentation_reference.py
and paste the printed Swift literals into ReferenceValues.swift.
Versions used: scikit-image 0.26.0, scipy 1.17.1, numpy 2.4.6.

Fixtures are generated with SplitMix64 (same constants as DendrometerCore's
SplitMix64) so the Swift tests rebuild the identical arrays from the seed.
"""
import warnings
import numpy as np
import scipy.ndimage as ndi
from skimage import filters, measure, morphology

warnings.filterwarnings("ignore", category=FutureWarning)
M = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)


def random_mask(seed, w, h, percent):
    """Row-major: bit = next() % 100 < percent (same as the Swift helper)."""
    r = SplitMix64(seed)
    return np.array([r.next() % 100 < percent for _ in range(w * h)], bool).reshape(h, w)


def bimodal_u8(seed, w, h):
    r = SplitMix64(seed)
    out = []
    for _ in range(w * h):
        if r.next() % 3 == 0:
            out.append(60 + r.next() % 40)
        else:
            out.append(150 + r.next() % 60)
    return np.array(out, np.uint8).reshape(h, w)


def trimodal_u16(seed, w, h):
    """12-bit values in three clusters (more than 256 distinct values)."""
    r = SplitMix64(seed)
    out = []
    for _ in range(w * h):
        c = r.next() % 4
        base = (300, 1800, 3200, 3200)[c]
        out.append(base + r.next() % 700)
    return np.array(out, np.uint16).reshape(h, w)


def bimodal_float(seed, w, h, bins=4096):
    """Float32 values on the centres of `bins` bins over [0, 1] (0 and 1 included)."""
    r = SplitMix64(seed)
    out = []
    for _ in range(w * h):
        if r.next() % 3 == 0:
            i = 700 + r.next() % 900
        else:
            i = 2500 + r.next() % 1200
        out.append((i + 0.5) / bins)
    a = np.array(out, np.float32)
    a[0] = 0.0
    a[-1] = 1.0
    return a.reshape(h, w)


def hexbits(mask):
    return np.packbits(mask.astype(np.uint8).ravel()).tobytes().hex()


def swift_list(values, fmt="{}"):
    return "[" + ", ".join(fmt.format(v) for v in values) + "]"


def thresholds():
    print("// ---- thresholds ----")
    u8 = bimodal_u8(7, 40, 30)
    print("// bimodal_u8(seed 7, 40x30)")
    print(f"// threshold_otsu(u8) = {filters.threshold_otsu(u8)}")
    print(f"// threshold_multiotsu(u8, classes=3) = {list(filters.threshold_multiotsu(u8, classes=3))}")
    print(f"// threshold_li(u8) = {filters.threshold_li(u8)!r}")
    print(f"// threshold_triangle(u8) = {filters.threshold_triangle(u8)}")
    s = filters.threshold_sauvola(u8, window_size=5, k=0.2)
    print(f"// threshold_sauvola(u8, window_size=5, k=0.2) mean = {s.mean()!r}, "
          f"[0,0] = {s[0,0]!r}, [29,39] = {s[29,39]!r}, [12,17] = {s[12,17]!r}, count(u8 > s) = {(u8 > s).sum()}")
    s = filters.threshold_sauvola(u8, window_size=9, k=0.3, r=100)
    print(f"// threshold_sauvola(u8, window_size=9, k=0.3, r=100) mean = {s.mean()!r}, "
          f"[0,0] = {s[0,0]!r}, [29,0] = {s[29,0]!r}, [3,38] = {s[3,38]!r}, count(u8 > s) = {(u8 > s).sum()}")
    u16 = trimodal_u16(11, 40, 30)
    print("// trimodal_u16(seed 11, 40x30)")
    print(f"// threshold_otsu(u16) = {filters.threshold_otsu(u16)}")
    print(f"// threshold_multiotsu(u16, classes=3) = {list(filters.threshold_multiotsu(u16, classes=3))}")
    print(f"// threshold_li(u16) = {filters.threshold_li(u16)!r}")
    print(f"// threshold_triangle(u16) = {filters.threshold_triangle(u16)}")
    s = filters.threshold_sauvola(u16, window_size=7, k=0.2)
    print(f"// threshold_sauvola(u16, window_size=7, k=0.2) mean = {s.mean()!r}, [5,5] = {s[5,5]!r}, count = {(u16 > s).sum()}")
    f = bimodal_float(5, 40, 30)
    print("// bimodal_float(seed 5, 40x30)")
    print(f"// threshold_otsu(f, nbins=4096) = {filters.threshold_otsu(f, nbins=4096)!r}")
    print(f"// threshold_multiotsu(f, classes=3, nbins=4096) = {list(filters.threshold_multiotsu(f, classes=3, nbins=4096))}")
    print(f"// threshold_li(f) = {filters.threshold_li(f)!r}")
    print(f"// threshold_triangle(f, nbins=4096) = {filters.threshold_triangle(f, nbins=4096)!r}")
    s = filters.threshold_sauvola(f, window_size=5, k=0.2)
    print(f"// threshold_sauvola(f, window_size=5, k=0.2) mean = {s.astype(np.float64).mean()!r}, [7,9] = {s[7,9]!r}, count = {(f > s).sum()}")


def blob_mask(seed, w=24, h=20):
    """Discs, punched single-pixel holes and specks (same as the Swift helper):
    6 discs (cx = next % w, cy = next % h, radius = 1 + next % 5, offsets with
    dx^2 + dy^2 <= radius^2), then 10 pixels cleared and 8 pixels set at
    (next % w, next % h)."""
    r = SplitMix64(seed)
    m = np.zeros((h, w), bool)
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(6):
        cx = r.next() % w
        cy = r.next() % h
        rad = 1 + r.next() % 5
        m |= (xx - cx) ** 2 + (yy - cy) ** 2 <= rad * rad
    for _ in range(10):
        x = r.next() % w
        y = r.next() % h
        m[y, x] = False
    for _ in range(8):
        x = r.next() % w
        y = r.next() % h
        m[y, x] = True
    return m


def mask_reference(name, m, seed):
    lab8 = measure.label(m, connectivity=2)
    lab4 = measure.label(m, connectivity=1)
    props = measure.regionprops(lab8)
    edt = ndi.distance_transform_edt(m)
    an = ndi.distance_transform_edt(m, sampling=(1.5, 0.5))  # (row spacing, column spacing)
    ops = {k: [] for k in ("dilation", "erosion", "opening", "closing")}
    for r in (1, 2, 3, 4):
        fp = morphology.disk(r)
        ops["dilation"].append(hexbits(morphology.binary_dilation(m, fp)))
        ops["erosion"].append(hexbits(morphology.binary_erosion(m, fp)))
        ops["opening"].append(hexbits(morphology.binary_opening(m, fp)))
        ops["closing"].append(hexbits(morphology.binary_closing(m, fp)))
    q = lambda xs: "[" + ", ".join(f'"{x}"' for x in xs) + "]"
    print(f"        // {name}(seed {seed})")
    print(f"        MaskReference(kind: .{name}, seed: {seed},")
    print(f"            components8: {lab8.max()}, components4: {lab4.max()}, euler8: {measure.euler_number(m, connectivity=2)},")
    print(f"            areas8: {swift_list([int(p.area) for p in props])},")
    print(f"            bboxes8: {swift_list([(int(p.bbox[1]), int(p.bbox[0]), int(p.bbox[3] - p.bbox[1]), int(p.bbox[2] - p.bbox[0])) for p in props], '[{0[0]}, {0[1]}, {0[2]}, {0[3]}]')},")
    print(f"            centroids8: {swift_list([(float(p.centroid[1]), float(p.centroid[0])) for p in props], '[{0[0]!r}, {0[1]!r}]')},")
    print(f"            areas4: {swift_list(np.bincount(lab4.ravel())[1:].tolist())},")
    print(f"            edtSquared: {swift_list(np.rint(edt ** 2).astype(int).ravel().tolist())},")
    print(f"            anisotropicSum: {float(an.sum())!r}, anisotropicMax: {float(an.max())!r},")
    print(f"            dilation: {q(ops['dilation'])},")
    print(f"            erosion: {q(ops['erosion'])},")
    print(f"            opening: {q(ops['opening'])},")
    print(f"            closing: {q(ops['closing'])},")
    print(f"            filled: \"{hexbits(ndi.binary_fill_holes(m))}\",")
    print(f"            withoutSmall3: \"{hexbits(morphology.remove_small_objects(m, max_size=2, connectivity=2))}\"),")


def masks():
    print("// ---- masks ----")
    print("// labels: skimage.measure.label(m, connectivity=2|1); areas/bbox/centroid: regionprops (bbox as [x, y, w, h], centroid as [x, y])")
    print("// euler8: skimage.measure.euler_number(m, connectivity=2)")
    print("// edtSquared: np.rint(scipy.ndimage.distance_transform_edt(m) ** 2), row-major")
    print("// anisotropic: scipy.ndimage.distance_transform_edt(m, sampling=(1.5, 0.5)).sum() / .max()")
    print("// morphology: skimage.morphology.binary_{dilation,erosion,opening,closing}(m, disk(r)) for r = 1...4, np.packbits(...).hex()")
    print("// filled: scipy.ndimage.binary_fill_holes(m); withoutSmall3: skimage.morphology.remove_small_objects(m, max_size=2, connectivity=2)")
    for seed in (1, 2, 3, 4, 5):
        mask_reference("blob", blob_mask(seed), seed)
    for seed in (1, 2, 3):
        mask_reference("noise", random_mask(seed, 16, 12, 55), seed)


if __name__ == "__main__":
    thresholds()
    masks()
