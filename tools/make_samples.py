#!/usr/bin/env python3
"""Writes the small sample micrographs in samples/ (run once; the outputs are committed).

Synthetic BSE cross-sections of an all-solid-state cell, each carrying a
different vendor's calibration convention, so the quick start exercises the
metadata readers:

- li-in_fei.tif      8-bit, FEI INI tag 34682 ([Scan] PixelWidth = 0.25 µm),
                     48-row data bar below [Image] ResolutionY = 512.
- li_imagej.tif      16-bit (12 significant bits), ImageJ calibration
                     (unit=micron, XResolution = 1 / 0.5 µm), dark Li needles.
- li-in_jeol.png     8-bit PNG with a JEOL .txt sidecar
                     (40 µm marker over 160 px at CM_FULL_SIZE width 1280, image
                     640 px wide → 40/160 × 1280/640 = 0.5 µm/px), 32-row data bar.

Requires numpy and tifffile. Deterministic (fixed seeds).
"""
import os
import numpy as np
import tifffile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "samples")


def cross_section(w, h, rng, anode_rows, dendrite_bright=True, n_dendrites=7, max_height=0.45):
    """Anode layer at the bottom, granular electrolyte above, dendrites rising."""
    img = np.full((h, w), 95.0)
    # electrolyte grains and pores
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(w * h // 400):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, 6)
        img[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] += rng.uniform(-25, 15)
    top_of_anode = h - anode_rows
    phase = 215.0 if dendrite_bright else 30.0
    img[top_of_anode:, :] = phase
    for _ in range(n_dendrites):
        x0 = rng.uniform(0.05 * w, 0.95 * w)
        height = rng.uniform(0.15, max_height) * h
        base_w = rng.uniform(6, 16) if dendrite_bright else rng.uniform(2, 4)
        for y in range(int(top_of_anode - height), top_of_anode):
            t = (top_of_anode - y) / height  # 0 at base, 1 at tip
            half = max(0.6, base_w * (1 - t) / 2)
            cx = x0 + 6 * np.sin(y / 17.0)
            lo, hi = int(max(0, cx - half)), int(min(w, cx + half + 1))
            img[y, lo:hi] = phase
    img += rng.normal(0, 9, img.shape)
    return img


def data_bar(img, rows, rng):
    h, w = img.shape
    img[h - rows:, :] = 0
    # white "text" blocks and a scale bar
    for i in range(10):
        x = 10 + i * 22
        img[h - rows + 12:h - rows + 26, x:x + 14] = 255
    img[h - 14:h - 10, w - 140:w - 20] = 255


def main():
    rng = np.random.default_rng(7)
    # FEI: 768 x (512 + 48)
    img = cross_section(768, 512, rng, anode_rows=90)
    full = np.zeros((560, 768))
    full[:512] = img
    data_bar(full, 48, rng)
    fei_ini = (
        "[User]\r\nDate=11/24/2026\r\n[Beam]\r\nHV=15000\r\n"
        "[Scan]\r\nPixelWidth=2.5e-007\r\nPixelHeight=2.5e-007\r\n"
        "[Image]\r\nResolutionX=768\r\nResolutionY=512\r\n"
    )
    tifffile.imwrite(
        os.path.join(OUT, "li-in_fei.tif"), np.clip(full, 0, 255).astype(np.uint8),
        extratags=[(34682, "s", 0, fei_ini, True)], photometric="minisblack")

    # ImageJ 16-bit (12 significant bits), Li dark needles, anode at the bottom
    img = cross_section(512, 384, rng, anode_rows=60, dendrite_bright=False, n_dendrites=12, max_height=0.6)
    img16 = np.clip(img * 16, 0, 4095).astype(np.uint16)
    tifffile.imwrite(os.path.join(OUT, "li_imagej.tif"), img16, imagej=True,
                     resolution=(1 / 0.5, 1 / 0.5), metadata={"unit": "micron"})

    # JEOL-style PNG + sidecar (640 x 480 image + 32-row bar, full size 1280 x 960)
    from PIL import Image  # noqa: PLC0415 (only needed here)
    img = cross_section(640, 480, rng, anode_rows=70)
    full = np.zeros((512, 640))
    full[:480] = img
    data_bar(full, 32, rng)
    Image.fromarray(np.clip(full, 0, 255).astype(np.uint8)).save(os.path.join(OUT, "li-in_jeol.png"))
    with open(os.path.join(OUT, "li-in_jeol.txt"), "w", encoding="latin-1") as f:
        f.write("$CM_FORMAT JEOL/SEM Compatible Image Data\n$CM_FULL_SIZE 1280 960\n"
                "$$SM_MICRON_BAR 160\n$$SM_MICRON_MARKER 40um\n$CM_MAG 3000\n")


if __name__ == "__main__":
    main()
