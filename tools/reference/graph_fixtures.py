"""skan reference values for the hand-checked graph fixtures in
Tests/DendrometerSkeletonTests/SkeletonGraphTests.swift (skan 0.13).

Run: python3 tools/reference/graph_fixtures.py
Prints skan.summarize(skan.Skeleton(mask), separator='_') per fixture: branch
type, branch_distance, node coordinates (row, col).
"""
import numpy as np
import pandas as pd
import skan

pd.set_option("display.width", 200)
FIXTURES = {
    "plus": ["...#...", "...#...", "...#...", "#######", "...#...", "...#...", "...#..."],
    "tee": ["#######", "...#...", "...#...", "...#..."],
    "H": ["#...#", "#...#", "#####", "#...#", "#...#"],
    "ladder": ["#.....#", "#.....#", "#######", "#.....#", "#.....#", "#.....#", "#######", "#.....#", "#.....#"],
    "twoTees": ["..#...#...", "..#...#...", "##########"],
    "diamondWithTails": ["#...#", ".#.#.", "..#..", ".#.#.", "#...#"],
}
for name, rows in FIXTURES.items():
    a = np.array([[c == "#" for c in r] for r in rows])
    df = skan.summarize(skan.Skeleton(a), separator="_")
    print("==", name, "total", float(df.branch_distance.sum()),
          "types", df.branch_type.value_counts().sort_index().to_dict())
    print(df[["node_id_src", "node_id_dst", "branch_type", "branch_distance",
              "coord_src_0", "coord_src_1", "coord_dst_0", "coord_dst_1"]].to_string())
