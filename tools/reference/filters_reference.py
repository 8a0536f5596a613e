#!/usr/bin/env python3
"""Reference values for Tests/DendrometerFiltersTests, computed once with
scipy.ndimage and pasted into the tests as literals (each test names the call).

Run: python3 tools/reference/filters_reference.py
"""
import numpy as np
from scipy import ndimage as ndi

np.set_printoptions(precision=6, suppress=True, linewidth=200)

def lit(a, fmt="{:.6f}"):
    return "[" + ", ".join(fmt.format(v) for v in np.asarray(a).ravel()) + "]"

A = np.array([[3, 0, 7, 1, 9],
              [2, 8, 4, 6, 0],
              [5, 1, 3, 9, 2],
              [7, 4, 0, 2, 6]], dtype=np.float64)
B = np.array([[1, 5, 2],
              [0, 9, 4]], dtype=np.float64)

print("# gaussian_filter(A, sigma=1.0, mode='reflect', truncate=4.0)")
print(lit(ndi.gaussian_filter(A, 1.0, mode='reflect', truncate=4.0)))
print("# gaussian_filter(A, sigma=0.7, mode='reflect', truncate=4.0)")
print(lit(ndi.gaussian_filter(A, 0.7, mode='reflect', truncate=4.0)))
print("# gaussian_filter(B, sigma=3.0, mode='reflect', truncate=4.0)  (kernel 25 wide, image 3x2)")
print(lit(ndi.gaussian_filter(B, 3.0, mode='reflect', truncate=4.0)))
print("# gaussian_filter(A, sigma=1.0, order=(0,1), mode='reflect')  d/dx")
print(lit(ndi.gaussian_filter(A, 1.0, order=(0, 1), mode='reflect')))
print("# gaussian_filter(A, sigma=1.0, order=(1,0), mode='reflect')  d/dy")
print(lit(ndi.gaussian_filter(A, 1.0, order=(1, 0), mode='reflect')))
print("# gaussian_filter(np.array([[0,3,0]],float), 1.0, mode='reflect')")
print(lit(ndi.gaussian_filter(np.array([[0, 3, 0]], float), 1.0, mode='reflect')))

rng = np.random.default_rng(1)
M8 = rng.integers(0, 256, size=(7, 6)).astype(np.uint8)
print("# M8 = np.random.default_rng(1).integers(0, 256, size=(7, 6)).astype(np.uint8)")
print(lit(M8, "{}"))
for size in (3, 5, 7, 9):
    print(f"# median_filter(M8, size={size}, mode='reflect')")
    print(lit(ndi.median_filter(M8, size=size, mode='reflect'), "{}"))
M16 = rng.integers(0, 65536, size=(6, 5)).astype(np.uint16)
print("# M16 = (same rng, next draw).integers(0, 65536, size=(6, 5)).astype(np.uint16)")
print(lit(M16, "{}"))
for size in (3, 5, 7):
    print(f"# median_filter(M16, size={size}, mode='reflect')")
    print(lit(ndi.median_filter(M16, size=size, mode='reflect'), "{}"))
MF = np.round(rng.normal(size=(5, 6)), 3).astype(np.float32)
print("# MF = np.round((same rng).normal(size=(5, 6)), 3).astype(np.float32)")
print(lit(MF, "{:.3f}"))
for size in (3, 5):
    print(f"# median_filter(MF, size={size}, mode='reflect')")
    print(lit(ndi.median_filter(MF, size=size, mode='reflect'), "{:.3f}"))

# Structure tensor with Dendrometer's definition (Gaussian-derivative gradients).
S = A
sigma, rho = 1.0, 1.5
Ix = ndi.gaussian_filter(S, sigma, order=(0, 1), mode='reflect')
Iy = ndi.gaussian_filter(S, sigma, order=(1, 0), mode='reflect')
Jxx = ndi.gaussian_filter(Ix * Ix, rho, mode='reflect')
Jxy = ndi.gaussian_filter(Ix * Iy, rho, mode='reflect')
Jyy = ndi.gaussian_filter(Iy * Iy, rho, mode='reflect')
theta_g = 0.5 * np.degrees(np.arctan2(2 * Jxy, Jxx - Jyy))   # gradient direction, image coords (y down)
orient = np.mod(90.0 - theta_g, 180.0)                          # structure direction, y up
energy = Jxx + Jyy
coh = np.sqrt((Jxx - Jyy) ** 2 + 4 * Jxy ** 2) / energy
print("# structure tensor of A, sigma=1, rho=1.5: orientation (deg), coherence, energy")
print(lit(orient, "{:.4f}"))
print(lit(coh, "{:.5f}"))
print(lit(energy, "{:.5f}"))
