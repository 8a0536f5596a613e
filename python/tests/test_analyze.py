"""dendrometer.analyze against the real tool: JSON, masks and errors checked against each other."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import dendrometer
from dendrometer import DendrometerError, read_tiff
from tiffbytes import gray_tags, strips_of, write_tiff

FEI = "li-in_fig3_fei.tif"
MASK_NAMES = {"phase", "mask", "skeleton"}


@pytest.fixture(scope="module")
def fei(binary: str, samples: Path, tmp_path_factory: pytest.TempPathFactory) -> dendrometer.AnalysisResult:
    out = tmp_path_factory.mktemp("analyze-fei")
    return dendrometer.analyze(samples / FEI, out=out, save_masks=True)


def test_json_is_the_document_written(fei: dendrometer.AnalysisResult) -> None:
    assert fei.out is not None
    with open(fei.files["json"], encoding="utf-8") as f:
        assert fei.json == json.load(f)
    assert fei["tool_version"] == f"dendrometer {dendrometer.version()}"
    assert isinstance(fei["parameters"], dict) and fei["parameters"]
    assert fei.files["overlay"].name == "li-in_fig3_fei.overlay.png"
    # The FEI sample's metadata says 0.05 µm per pixel (samples/README.md).
    assert fei.pixel_size_um == pytest.approx(0.05)


def test_masks_have_the_image_shape_and_the_json_pixel_count(fei: dendrometer.AnalysisResult) -> None:
    assert MASK_NAMES <= set(fei.masks)
    for name in MASK_NAMES:
        m = fei.masks[name]
        assert m.shape == (fei["height"], fei["width"]), name
        assert m.dtype == np.uint8
        assert set(np.unique(m)) <= {0, 255}, name
    # The dendrite mask holds exactly the counted dendrites' pixels.
    counted = sum(d["area_px"] for d in fei["dendrites"] if d["counted"])
    assert counted > 0
    assert int(np.count_nonzero(fei.masks["mask"])) == counted
    # Dendrites are part of the segmented phase; the skeleton lies on the dendrites.
    assert not np.any((fei.masks["mask"] > 0) & (fei.masks["phase"] == 0))
    assert not np.any((fei.masks["skeleton"] > 0) & (fei.masks["mask"] == 0))


def test_masks_lie_in_the_full_raster(fei: dendrometer.AnalysisResult) -> None:
    mask = fei.masks["mask"] > 0
    bar = fei["data_bar"]
    assert bar is not None, "the FEI sample states its data bar"
    assert not mask[bar["y"]:bar["y"] + bar["h"], bar["x"]:bar["x"] + bar["w"]].any()
    # The union of the dendrites' boxes (full-raster px, [x, y, w, h]) is the mask's extent.
    boxes = np.array([d["bbox_px"] for d in fei["dendrites"] if d["counted"]])
    rows, cols = np.nonzero(mask)
    assert (rows.min(), cols.min()) == (boxes[:, 1].min(), boxes[:, 0].min())
    assert (rows.max() + 1, cols.max() + 1) == ((boxes[:, 1] + boxes[:, 3]).max(), (boxes[:, 0] + boxes[:, 2]).max())


def test_mask_files_carry_the_calibration(fei: dendrometer.AnalysisResult) -> None:
    for name in MASK_NAMES:
        page = read_tiff(fei.files[name])
        assert page.pixel_size_um == pytest.approx(fei.pixel_size_um, rel=1e-6)
        np.testing.assert_array_equal(page.data, fei.masks[name])


def test_reader_agrees_with_tifffile_on_the_tools_masks(fei: dendrometer.AnalysisResult) -> None:
    tifffile = pytest.importorskip("tifffile", reason="tifffile not installed: no second reader to compare with")
    for name in MASK_NAMES:
        np.testing.assert_array_equal(tifffile.imread(fei.files[name]), fei.masks[name])


def test_temporary_folder_is_removed_and_options_reach_the_tool(binary: str, samples: Path) -> None:
    r = dendrometer.analyze(samples / FEI, pixel_size="0.1um", overlay="none",
                            edx={"In": samples / "edx" / "li-in_fig3_fei_In.tif"})
    assert r.out is None and r.files == {} and r.masks == {}
    assert r["calibration"]["source"] == "user"
    assert r.pixel_size_um == pytest.approx(0.1)
    # µm values are the px values times the given pixel size.
    assert r["penetration"]["max_um"] == pytest.approx(0.1 * r["penetration"]["max_px"])
    assert "In" in r["quality"]["edx_agreement"]


def test_tiny_generated_image(binary: str, tmp_path: Path) -> None:
    # 80 × 60 px: electrolyte grey 100, an anode layer (200) in rows 50–59,
    # one bright bar (200) in rows 20–49, columns 30–35.
    a = np.full((60, 80), 100, dtype=np.uint8)
    a[50:, :] = 200
    a[20:50, 30:36] = 200
    write_tiff(tmp_path / "tiny.tif", [(strips_of(a, 16), gray_tags(80, 60, 8, 16))])
    r = dendrometer.analyze(tmp_path / "tiny.tif", pixel_size="0.1um", anode="bottom", phase="bright", save_masks=True)
    mask = r.masks["mask"] > 0
    assert mask.shape == a.shape
    assert r["anode_side"] == "bottom"
    assert mask[20:48, 30:36].all(), "the bar's body is dendrite"
    rows, cols = np.nonzero(mask)
    assert rows.min() == 20 and rows.max() <= 50 and cols.min() >= 28 and cols.max() <= 37
    # Depth is the distance to the interface, a straight line here: the bar's tip (row 20)
    # is the deepest pixel, at the interface's height minus 20.
    xs, ys = np.array(r["interface"]["points_px"]).T
    y_interface = float(np.interp(32.5, xs, ys))
    assert r["penetration"]["max_px"] == pytest.approx(y_interface - 20, abs=0.05)
    assert r["penetration"]["max_um"] == pytest.approx(0.1 * r["penetration"]["max_px"])


def test_missing_file_is_a_one_line_error(binary: str, tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.tif"
    with pytest.raises(DendrometerError) as caught:
        dendrometer.analyze(missing)
    e = caught.value
    assert e.status == 1
    assert str(e) == f"dendrometer: {missing}: no such file"
    assert "\n" not in str(e)


def test_bad_usage_is_status_64(binary: str, samples: Path) -> None:
    with pytest.raises(DendrometerError) as caught:
        dendrometer.analyze(samples / FEI, phase="nonsense")
    assert caught.value.status == 64
    assert str(caught.value).startswith("dendrometer: --phase expects")
    assert str(caught.value).endswith("(see dendrometer analyze --help)")


def test_out_and_json_are_the_wrappers_own(binary: str, samples: Path) -> None:
    with pytest.raises(TypeError, match="json"):
        dendrometer.analyze(samples / FEI, json=True)
