#!/usr/bin/env python3
"""Independent reference for DendrometerCalibration.

Prints, for every real file in ../shared/data/real (or $DENDROMETER_REAL),
the vendor metadata excerpt, the pixel size by the PROVENANCE.md rules
(computed here in Python from tifffile's own parsing), and the data-bar rows
measured from the pixels (rows whose most common grey level covers >= 50 % of
the row, contiguous from the bottom edge). Also dumps each tag text to
/tmp/calib-tags/<name>.<tag>.txt so the Swift parsers can be run on it.

Usage: python3 tools/reference/calibration_expectations.py
"""
import os, re, sys
import numpy as np
import tifffile
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.environ.get("DENDROMETER_REAL", os.path.join(HERE, "..", "..", "..", "shared", "data", "real"))
OUT = "/tmp/calib-tags"
os.makedirs(OUT, exist_ok=True)
UM = {"nm": 1e-3, "µm": 1.0, "um": 1.0, "mm": 1e3, "pm": 1e-6, "fm": 1e-9, "m": 1e6}


def raw_tag(tf, page, code):
    tag = page.tags.get(code)
    if tag is None:
        return None
    fh = tf.filehandle
    fh.seek(tag.valueoffset)
    return fh.read(tag.count).rstrip(b"\0").decode("latin-1")


def bar_rows(a):
    """Rows of a bottom data bar by row-mode share (the Swift rule, simplified)."""
    if a.ndim == 3:
        a = a[..., 0]
    h = a.shape[0]
    share = []
    for r in a:
        _, c = np.unique(r, return_counts=True)
        share.append(c.max() / r.size)
    i = 0
    while i <= 3 and share[h - 1 - i] < 0.5:
        i += 1
    first = i
    while i < h and share[h - 1 - i] >= 0.5:
        i += 1
    if i - first < 2 or i > 0.3 * h:
        return None
    return (h - i, h - 1)


def main():
    rows = []
    for rel in ["rosettasciio/FEI-Helios-Ebeam-8bits.tif", "rosettasciio/FEI-Helios-Ebeam-16bits.tif",
                "rosettasciio/FEI-Helios-navcam-with-no-IRBeam-bad-floats.tif",
                "kit_tomo_mapper/SEM_Image-SliceImage-001.tif",
                "rosettasciio/test_tiff_Zeiss_SEM_1k.tif", "rosettasciio/test_tiff_Zeiss_SEM_512pix.tif",
                "rosettasciio/ZEISS_SEM_multipage.tif", "nist_grain_size_analysis_tools/sem_alpha_beta_ti_6al_4v.tif",
                "rosettasciio/test_loading_image_saved_with_imageJ.tif",
                "rosettasciio/test_loading_image_saved_with_imageJ_no_scale.tif",
                "probelab_reimager/jeol/image000.tif", "probelab_reimager/thermo_nss_eds/MonzogabbroExample_Grey.sitif"]:
        p = os.path.join(REAL, rel)
        tf = tifffile.TiffFile(p)
        pg = tf.pages[0]
        h, w = pg.shape[:2]
        name = os.path.basename(rel)
        px, key, excerpt = None, "none", ""
        for code in (270, 34682, 34680, 34683, 34118, 50431):
            t = raw_tag(tf, pg, code)
            if t is not None:
                open(os.path.join(OUT, f"{name}.{code}.txt"), "w", encoding="latin-1").write(t)
        fei = tf.fei_metadata
        if fei:
            for sec in ("Scan", "EScan"):
                v = fei.get(sec, {}).get("PixelWidth")
                if isinstance(v, (int, float)) and v > 0:
                    px, key = v * 1e6, f"[{sec}] PixelWidth={v}"
                    break
            ry = fei.get("Image", {}).get("ResolutionY")
            excerpt = f"ResolutionY={ry}"
        sem = tf.sem_metadata
        if sem and px is None:
            if "ap_image_pixel_size" in sem:
                _, v, u = sem["ap_image_pixel_size"]
                px, key = v * UM[u], f"Image Pixel Size = {v} {u}"
            elif "ap_width" in sem:
                _, v, u = sem["ap_width"]
                px, key = v * UM[u] / w, f"Width = {v} {u} / {w}"
            excerpt = f"Pixel Size = {sem.get('ap_pixel_size', ('', '', ''))[1:]}"
        ij = tf.imagej_metadata
        if ij is not None and px is None:
            if ij.get("unit") in ("micron", "um", "µm"):
                x = pg.tags[282].value
                px, key = x[1] / x[0], f"unit={ij['unit']} XResolution={x[0]}/{x[1]}"
            else:
                key = "ImageJ without unit"
        a = pg.asarray()
        print(f"{rel}\t{w}x{h}\t{key}\t{excerpt}\tpx_um={px}\tbar_rows={bar_rows(a)}")

    for rel in ["probelab_reimager/jeol/image000.txt", "probelab_reimager/jeol/Standard_BSE_640-800.txt",
                "probelab_reimager/jeol/jeol-images_1.txt"]:
        t = open(os.path.join(REAL, rel), encoding="latin-1").read()
        f = dict(l.split(" ", 1) for l in t.splitlines() if l.startswith("$") and " " in l)
        m = re.match(r"([\d.]+)\s*(\w+)", f["$$SM_MICRON_MARKER"])
        fw, fh = map(int, f["$CM_FULL_SIZE"].split()[:2])
        img = rel.replace(".txt", {"image000": ".tif", "Standard_BSE_640-800": ".bmp", "jeol-images_1": ".png"}[os.path.basename(rel)[:-4]])
        im = Image.open(os.path.join(REAL, img))
        w, h = im.size
        px = float(m.group(1)) * UM[m.group(2)] / int(f["$$SM_MICRON_BAR"]) * fw / w
        rows = round(fh * w / fw)
        print(f"{rel}\t{w}x{h}\tmarker={f['$$SM_MICRON_MARKER'].strip()} bar={f['$$SM_MICRON_BAR'].strip()} full={fw}x{fh}\tpx_um={px}\tbar_rows={(rows, h - 1) if h > rows else None}\tpixel_bar={bar_rows(np.asarray(im.convert('L')))}")
    t = open(os.path.join(REAL, "kit_tomo_mapper/tescan-minimal.hdr"), encoding="latin-1").read()
    v = float(re.search(r"PixelSizeX=(\S+)", t).group(1))
    print(f"kit_tomo_mapper/tescan-minimal.hdr\t-\tPixelSizeX={v}\tpx_um={v * 1e6}")


if __name__ == "__main__":
    sys.exit(main())
