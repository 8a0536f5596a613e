"""Reference values for Tests/DendrometerSkeletonTests (skimage 0.26, skan 0.13).

Run: python3 tools/reference/skeleton_fixtures.py
Prints, per fixture: skimage.morphology.thin(mask) rows (exact Guo-Hall A1),
skimage.morphology.skeletonize(mask) pixel count, and skan.summarize of the
skimage skeleton (branch counts by type, total branch_distance).
"""
import numpy as np
import skan
from skimage.morphology import thin, skeletonize

FIXTURES = {
    "bar": [".......", ".#####.", ".#####.", ".#####.", "......."],
    "full": ["########"] * 6,
    "ring": [
        "...........",
        "...#####...",
        "..#######..",
        ".###...###.",
        ".##.....##.",
        ".##.....##.",
        ".##.....##.",
        ".###...###.",
        "..#######..",
        "...#####...",
        "...........",
    ],
    "thickCross": [
        "....###....",
        "....###....",
        "....###....",
        "....###....",
        "###########",
        "###########",
        "###########",
        "....###....",
        "....###....",
        "....###....",
        "....###....",
    ],
    "ringWithTail": [
        "..........",
        "..#####...",
        ".##...##..",
        ".#.....#..",
        ".##...##..",
        "..#####...",
        "....##....",
        "....##....",
        "....##....",
        "....##....",
    ],
    "borderBlob": [
        "#####.....",
        "#####.....",
        "#####...##",
        "........##",
        "........##",
    ],
}


def to_array(rows):
    return np.array([[c == "#" for c in r] for r in rows])


def rows_of(a):
    return ["".join("#" if v else "." for v in r) for r in a]


for name, rows in FIXTURES.items():
    m = to_array(rows)
    t = thin(m)
    s = skeletonize(m)
    print(f"== {name}")
    print("thin rows:", rows_of(t))
    print("skeletonize count:", int(s.sum()), "rows:", rows_of(s))
    if s.sum() > 1:
        try:
            df = skan.summarize(skan.Skeleton(s), separator="_")
            print("skan types:", df.branch_type.value_counts().sort_index().to_dict(),
                  "total:", float(df.branch_distance.sum()))
        except Exception as e:  # skan fails on some tiny skeletons
            print("skan error:", e)
