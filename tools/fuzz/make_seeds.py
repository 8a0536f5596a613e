#!/usr/bin/env python3
"""Writes small seed files for tools/fuzz/run.sh into the folder given: tiny TIFFs (uint8, uint16,
float32, RGB, palette; none, deflate, LZW, PackBits; strips and tiles; FEI, Zeiss and ImageJ
metadata), PNGs (gray 8/16, RGB, palette, 1-bit) and a BMP. Needs numpy, tifffile and Pillow."""
import os
import sys

import numpy as np
import tifffile
from PIL import Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
g8 = rng.integers(0, 255, (24, 32), dtype=np.uint8)
g16 = (g8.astype(np.uint16) * 257)
f32 = g8.astype(np.float32) / 255
rgb = np.stack([g8, g8[::-1], g8[:, ::-1]], -1)
fei = "[Scan]\r\nPixelWidth=5e-08\r\nPixelHeight=5e-08\r\n[Image]\r\nResolutionX=32\r\nResolutionY=20\r\n"
zeiss = "AP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = 2.615 \xb5m\r\n"
for name, data, kw in [
    ("u8.tif", g8, {}), ("u16_deflate.tif", g16, {"compression": "zlib"}), ("f32.tif", f32, {}),
    ("u8_lzw.tif", g8, {"compression": "lzw"}), ("u8_packbits.tif", g8, {"compression": "packbits"}),
    ("u8_tiled.tif", np.pad(g8, ((0, 8), (0, 0))), {"tile": (16, 16)}), ("rgb.tif", rgb, {"photometric": "rgb"}),
    ("fei.tif", g8, {"extratags": [(34682, "s", 0, fei, True)]}),
    ("zeiss.tif", g8, {"extratags": [(34118, "B", len(zeiss), zeiss.encode("latin-1"), True)]}),
]:
    tifffile.imwrite(os.path.join(out, name), data, **kw)
tifffile.imwrite(os.path.join(out, "imagej.tif"), g8, imagej=True, resolution=(4.0, 4.0), metadata={"unit": "micron"})
tifffile.imwrite(os.path.join(out, "pages.tif"), np.stack([g8, g8]))
Image.fromarray(g8).save(os.path.join(out, "g8.png"))
Image.fromarray(g16).save(os.path.join(out, "g16.png"))
Image.fromarray(rgb).save(os.path.join(out, "rgb.png"))
Image.fromarray(g8).convert("P").save(os.path.join(out, "palette.png"))
Image.fromarray(g8 > 128).save(os.path.join(out, "bits.png"))
Image.fromarray(g8).save(os.path.join(out, "g8.bmp"))
Image.fromarray(rgb).save(os.path.join(out, "rgb.bmp"))
