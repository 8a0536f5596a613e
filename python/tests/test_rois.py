"""The ROI set of an analysis, read with roifile (an independent ImageJ ROI reader).

Opened in Fiji over the original, the ROIs must lie where the JSON says: the interface polyline on
``interface.points_px`` (ImageJ puts pixel centres at +0.5), the regions on their ``bbox_px``,
also when the data bar is at the top of the image.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dendrometer
from dendrometer import read_tiff
from tiffbytes import gray_tags, strips_of, write_tiff

roifile = pytest.importorskip("roifile")


@pytest.fixture(scope="module", params=["original", "flipped"])
def analysis(request, binary: str, samples: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("rois")
    image = samples / "li-in_fig3_fei.tif"
    options = {}
    if request.param == "flipped":                  # data bar at the top
        pixels = np.ascontiguousarray(read_tiff(image).data[::-1])
        image = folder / "flipped.tif"
        write_tiff(image, [(strips_of(pixels, 16), gray_tags(pixels.shape[1], pixels.shape[0], 8, 16))])
        options["pixel_size"] = "0.05um"
    return dendrometer.analyze(image, out=folder, overlay="none", **options)


def test_rois_lie_on_the_json_geometry(analysis) -> None:
    rois = roifile.roiread(analysis.files["rois"])
    by_name = {r.name: r for r in rois}
    interface = by_name["interface"]
    assert interface.roitype == roifile.ROI_TYPE.POLYLINE and interface.subpixelresolution
    expected = np.asarray(analysis["interface"]["points_px"]) + 0.5
    assert np.allclose(interface.subpixel_coordinates, expected, atol=1e-4)
    front = by_name["dendrite front"]
    assert front.roitype == roifile.ROI_TYPE.POLYLINE and front.n_coordinates > 1
    regions = analysis["regions"]
    assert len(rois) == 2 + len(regions)
    for region in regions:
        r = by_name[f"region {region['name']}: {region['morphology']['label']}"]
        x, y, w, h = region["bbox_px"]
        assert r.roitype == roifile.ROI_TYPE.RECT
        assert (r.left, r.top, r.right, r.bottom) == (x, y, x + w, y + h)
