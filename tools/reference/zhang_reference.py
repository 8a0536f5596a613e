"""Literal expectations for Dendrometer's `zhang` thinning (ThinningMethod.zhang), which must be
bit for bit `skimage.morphology.skeletonize` (2-D, Zhang–Suen with scikit-image's table).

1. The small fixtures of Tests/DendrometerSkeletonTests/SkeletonizeTests.swift (`Fixtures`) and a
   few more shapes, skeletonized by scikit-image, printed as Swift row literals.
2. For the real masks of /work/shared/data/real (the same selections as skeleton_real_masks.py):
   the skeleton's pixel count and FNV-1a 64 of its row-major 0/1 bytes (a literal fingerprint of
   the whole skeleton), and skan 0.13's total branch length on it.

Run: python3 tools/reference/zhang_reference.py   (scikit-image 0.26, skan 0.13, tifffile)
"""
import numpy as np
import skan
import tifffile
from skimage.morphology import skeletonize

FIXTURES = {
    "bar": [".......", ".#####.", ".#####.", ".#####.", "......."],
    "full": ["########"] * 6,
    "ring": ["...........", "...#####...", "..#######..", ".###...###.", ".##.....##.", ".##.....##.",
             ".##.....##.", ".###...###.", "..#######..", "...#####...", "..........."],
    "thickCross": ["....###....", "....###....", "....###....", "....###....", "###########", "###########",
                   "###########", "....###....", "....###....", "....###....", "....###...."],
    "ringWithTail": ["..........", "..#####...", ".##...##..", ".#.....#..", ".##...##..", "..#####...",
                     "....##....", "....##....", "....##....", "....##...."],
    "borderBlob": ["#####.....", "#####.....", "#####...##", "........##", "........##"],
    "block": ["....", ".##.", ".##.", "...."],
    "diagonalBand": ["#.........", "##........", "###.......", ".###......", "..###.....", "...###....",
                     "....###...", ".....###..", "......###.", ".......###"],
    "taperedFlame": ["....#....", "...###...", "...###...", "..#####..", "..#####..", ".#######.",
                     ".#######.", "#########", "#########"],
}


def parse(rows):
    return np.array([[c == "#" for c in r] for r in rows], bool)


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


REAL = "/work/shared/data/real/"
MASKS = [
    ("nist_grain_size_analysis_tools/sem_alpha_beta_ti_6al_4v_segmented.tif", None),
    ("nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", 2),
    ("nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", 2),
    ("nasa_pretrained_microscopy_models/EBC_050317-3_S0440016_annot.tif", None),
    ("nasa_pretrained_microscopy_models/EBC_111418-4_1426_100Cyc0034_annot.tif", None),
]

if __name__ == "__main__":
    for name, rows in FIXTURES.items():
        sk = skeletonize(parse(rows))
        lit = ", ".join('"' + "".join("#" if v else "." for v in r) + '"' for r in sk)
        print(f'("{name}", [{lit}]),')
    for path, value in MASKS:
        a = tifffile.imread(REAL + path)
        mask = a != 0 if value is None else a == value
        sk = skeletonize(mask)
        length = float(skan.summarize(skan.Skeleton(sk), separator="_").branch_distance.sum())
        print(f"{path} {'!=0' if value is None else '==' + str(value)}: {mask.shape[1]}x{mask.shape[0]}, "
              f"skeleton {int(sk.sum())} px, fnv1a64 {fnv1a64(sk.astype(np.uint8).tobytes())}, skan length {length:.3f} px")
