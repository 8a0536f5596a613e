"""Every output lies on the original raster, also when the SEM data bar is at the top.

The FEI sample turned upside down puts its data bar at the top, so the analysed field starts below
row 0. Read with this package's own TIFF reader (and tifffile when installed), independently of
the tool's writer: the masks and depth map of the flipped image, flipped back, must equal the
original's pixel for pixel, and every branch of branches.csv must end on skeleton pixels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dendrometer
from dendrometer import read_tiff
from tiffbytes import gray_tags, strips_of, write_tiff

FEI = "li-in_fig3_fei.tif"


@pytest.fixture(scope="module")
def pair(binary: str, samples: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("frames")
    original = read_tiff(samples / FEI).data
    flipped = np.ascontiguousarray(original[::-1])
    h, w = flipped.shape
    path = folder / "flipped.tif"
    write_tiff(path, [(strips_of(flipped, 16), gray_tags(w, h, 8, 16))])
    a = dendrometer.analyze(samples / FEI, out=folder / "a", save_masks=True, overlay="none")
    b = dendrometer.analyze(path, out=folder / "b", save_masks=True, overlay="none", pixel_size="0.05um")
    return a, b


def test_the_data_bar_is_at_the_top(pair) -> None:
    a, b = pair
    assert a["data_bar"]["y"] > 0
    assert b["data_bar"]["y"] == 0 and b["data_bar"]["h"] == a["data_bar"]["h"]


def test_masks_and_depth_flipped_back_equal_the_originals(pair) -> None:
    a, b = pair
    for name in ("phase", "mask"):
        assert a.masks[name].shape == b.masks[name].shape
        assert np.array_equal(a.masks[name], b.masks[name][::-1]), name
    depth_a, depth_b = a.masks["depth"], b.masks["depth"][::-1]
    assert depth_a.dtype == np.float32
    assert np.array_equal(np.isnan(depth_a), a.masks["mask"] == 0)
    assert np.allclose(depth_a, depth_b, equal_nan=True, atol=1e-4)
    assert float(np.nanmax(depth_a)) == pytest.approx(a["penetration"]["max_um"], abs=1e-4)
    # The skeleton is thinned in raster order, so it is not mirror-symmetric: not compared.


def test_branches_end_on_skeleton_pixels_in_the_full_raster(pair) -> None:
    for result in pair:
        branches, skeleton = result.branches, result.masks["skeleton"]
        assert branches is not None and len(branches) == result["skeleton"]["branches"] > 0
        assert set(branches["unit"]) == {"um"}
        for end in ("src", "dst"):
            rows = branches[f"image_coord_{end}_0"].to_numpy(int)
            cols = branches[f"image_coord_{end}_1"].to_numpy(int)
            assert (skeleton[rows, cols] > 0).all(), end
            # skan's convention: coord = image_coord × spacing.
            assert np.allclose(branches[f"coord_{end}_0"], rows * 0.05)
        assert np.allclose(branches["branch_distance"], branches["branch_distance_px"] * 0.05)
        # The JSON's depths went through float32 pixel depths; a branch's is computed in float64.
        assert branches["max_depth"].max() <= result["penetration"]["max_um"] * (1 + 1e-6)


def test_tifffile_reads_the_same_pixels(pair) -> None:
    tifffile = pytest.importorskip("tifffile")
    a, _ = pair
    for name in ("mask", "depth"):
        other = tifffile.imread(a.files[name])
        assert np.array_equal(other, a.masks[name], equal_nan=True), name


def test_overlay_tiff_is_calibrated_and_draws_the_interface_on_its_points(binary: str, tmp_path: Path, pair) -> None:
    tifffile = pytest.importorskip("tifffile")
    _, flipped = pair
    image = Path(flipped.command[flipped.command.index("analyze") + 1])
    result = dendrometer.analyze(image, out=tmp_path, overlay_format="tiff", pixel_size="0.05um")
    with tifffile.TiffFile(result.files["overlay"]) as tif:
        page = tif.pages[0]
        assert page.photometric == tifffile.PHOTOMETRIC.PALETTE
        assert page.shape == (result["height"], result["width"])
        assert tif.imagej_metadata["unit"] == "micron"
        x_resolution = page.tags["XResolution"].value
        assert x_resolution[1] / x_resolution[0] == pytest.approx(0.05)
        rgb = (page.colormap[:, page.asarray()] // 257).transpose(1, 2, 0)
    # The interface line is drawn in its colour (Palette.interface, Okabe–Ito reddish purple) through the JSON's points.
    points = np.asarray(result["interface"]["points_px"])
    inner = points[(points[:, 0] > 5) & (points[:, 0] < result["width"] - 5)]
    hits = [tuple(rgb[int(round(y)), int(round(x))]) == (0xCC, 0x79, 0xA7) for x, y in inner]
    assert len(hits) > 5 and all(hits)
