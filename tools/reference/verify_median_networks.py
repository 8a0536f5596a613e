#!/usr/bin/env python3
"""Exhaustively verifies the median selection networks used by
Sources/DendrometerFilters/MedianNetworks.swift with the 0-1 principle
(Knuth TAOCP vol. 3, 5.3.4): a comparator network selects the median of all
inputs iff it does so for every 0/1 input. Bit-sliced: each wire is a bit
vector over all 2^n inputs; compare-swap is (AND, OR).

The networks are N. Devillard's "Fast median search" (1998) opt_med9 and
opt_med25 (after Paeth, Graphics Gems / Smith 1997). Also prints the Swift
compare-swap lines pasted into MedianNetworks.swift.

Run: python3 tools/reference/verify_median_networks.py
"""
import numpy as np

MED9 = [(1,2),(4,5),(7,8),(0,1),(3,4),(6,7),(1,2),(4,5),(7,8),(0,3),(5,8),(4,7),
        (3,6),(1,4),(2,5),(4,7),(4,2),(6,4),(4,2)]
MED25 = [(0,1),(3,4),(2,4),(2,3),(6,7),(5,7),(5,6),(9,10),(8,10),(8,9),(12,13),(11,13),
         (11,12),(15,16),(14,16),(14,15),(18,19),(17,19),(17,18),(21,22),(20,22),(20,21),
         (23,24),(2,5),(3,6),(0,6),(0,3),(4,7),(1,7),(1,4),(11,14),(8,14),(8,11),(12,15),
         (9,15),(9,12),(13,16),(10,16),(10,13),(20,23),(17,23),(17,20),(21,24),(18,24),
         (18,21),(19,22),(8,17),(9,18),(0,18),(0,9),(10,19),(1,19),(1,10),(11,20),(2,20),
         (2,11),(12,21),(3,21),(3,12),(13,22),(4,22),(4,13),(14,23),(5,23),(5,14),(15,24),
         (6,24),(6,15),(7,16),(7,19),(13,21),(15,23),(7,13),(7,15),(1,9),(3,11),(5,17),
         (11,17),(9,17),(4,10),(6,12),(7,14),(4,6),(4,7),(12,14),(10,14),(6,7),(10,12),
         (6,10),(6,17),(12,17),(7,17),(7,10),(12,18),(7,12),(10,18),(12,20),(10,20),(10,12)]

def verify(net, n):
    total = 1 << n
    idx = np.arange(total, dtype=np.uint32)
    wires = [((idx >> i) & 1).astype(bool) for i in range(n)]
    for a, b in net:
        lo = wires[a] & wires[b]
        hi = wires[a] | wires[b]
        wires[a], wires[b] = lo, hi
    ones = np.zeros(total, dtype=np.uint8)
    for i in range(n):
        ones += ((idx >> i) & 1).astype(np.uint8)
    expected = ones > n // 2          # median of 0/1 values
    return bool(np.array_equal(wires[n // 2], expected))

print("med9 ok:", verify(MED9, 9), "comparators:", len(MED9))
print("med25 ok:", verify(MED25, 25), "comparators:", len(MED25))
for name, net in (("med9", MED9), ("med25", MED25)):
    print(f"// {name}")
    print(" ".join(f"cs(&p{a}, &p{b});" for a, b in net))
