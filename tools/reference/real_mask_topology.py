#!/usr/bin/env python3
"""Components / holes / Euler number of the real masks in /work/shared/data/real,
for the lead's integration test (DESIGN §4: phase 8-connected, background
4-connected, holes = components - Euler number).

    python3 tools/reference/real_mask_topology.py [DATA_ROOT]

Phase rules (first page, as decoded by tifffile):
- gray label images (`*_annot.tif`, values 0/1/2; NIST `*_segmented.tif`, 0/255):
  phase = value != 0; for the annot files also per label (== 1, == 2).
- RGBA Photoshop masks (`*_mask.tif`): the annotation is pure blue paint over a
  gray copy of the micrograph, so "any channel non-zero" would be every pixel.
  Rule used: phase = (R == 0) & (G == 0) & (B != 0) (alpha ignored). Super4 also
  has pure red paint (R != 0, G == 0, B == 0), reported as a second rule.
Calls: skimage.measure.label(phase, connectivity=2).max(),
skimage.measure.euler_number(phase, connectivity=2).
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import tifffile
from skimage import measure

warnings.filterwarnings("ignore")
root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/real")


def summary(name, rule, phase):
    comps = int(measure.label(phase, connectivity=2).max())
    euler = int(measure.euler_number(phase, connectivity=2))
    print(f"| {name} | {rule} | {phase.shape[1]}x{phase.shape[0]} | {int(phase.sum())} | {comps} | {comps - euler} | {euler} |")


print("| file | phase rule | w x h | area px | components | holes | euler |")
print("|---|---|---|---|---|---|---|")
nasa = root / "nasa_pretrained_microscopy_models"
for f in sorted(nasa.glob("*_annot.tif")):
    a = tifffile.imread(f)
    summary(f.name, "value != 0", a != 0)
    summary(f.name, "value == 1", a == 1)
    summary(f.name, "value == 2", a == 2)
for f in sorted(nasa.glob("*_mask.tif")):
    a = tifffile.imread(f)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    summary(f.name, "R==0 & G==0 & B!=0 (blue)", (r == 0) & (g == 0) & (b != 0))
    red = (r != 0) & (g == 0) & (b == 0)
    if red.any():
        summary(f.name, "R!=0 & G==0 & B==0 (red)", red)
nist = root / "nist_grain_size_analysis_tools" / "sem_alpha_beta_ti_6al_4v_segmented.tif"
a = tifffile.imread(nist)
summary(nist.name, "value != 0", a != 0)
