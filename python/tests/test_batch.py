"""dendrometer.batch / read_batch against the real tool: every table checked against the per-image JSON."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any, List

import pandas as pd
import pytest

import dendrometer
from dendrometer import DendrometerError, flatten

SAMPLE_IMAGES = ["li-in_fig3_fei.tif", "li-in_fig3_jeol_left.png", "li-in_stripe_zeiss.tif", "li_vertical_imagej16.tif"]
# A file name a spreadsheet would run as a formula; the tool writes it as '=HYPERLINK(…).
FORMULA_NAME = '=HYPERLINK("x").tif'


@pytest.fixture(scope="module")
def sample_batch(binary: str, samples: Path, tmp_path_factory: pytest.TempPathFactory) -> dendrometer.BatchResult:
    out = tmp_path_factory.mktemp("batch-samples")
    # The sample files themselves (the folder also holds truth masks); JEOL's sidecar is found beside its image.
    return dendrometer.batch([samples / name for name in SAMPLE_IMAGES], out, jobs=2)


def same(cell: Any, value: Any) -> bool:
    """A table cell equals the JSON value it was flattened from."""
    missing = cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell))
    if value is None or value == "":
        return missing or cell == ""
    if missing:
        return False
    if isinstance(value, bool):
        return bool(cell) is value
    if isinstance(value, (int, float)):
        return float(cell) == float(value)  # the CSV holds the JSON's own number text
    return str(cell) == str(value)


def test_one_image_row_per_sample(sample_batch: dendrometer.BatchResult) -> None:
    assert sample_batch.status == 0
    assert sorted(sample_batch.images["file"]) == sorted(SAMPLE_IMAGES)
    assert sample_batch.failures.empty
    assert sorted(sample_batch.records) == sorted(SAMPLE_IMAGES)


def test_image_rows_match_their_json(sample_batch: dendrometer.BatchResult) -> None:
    images = sample_batch.images
    for _, row in images.iterrows():
        record = sample_batch.json(row["file"])
        keys = flatten(record)
        # images.csv columns are flattened JSON keys; compare every column that is one.
        shared: List[str] = [c for c in images.columns if c in keys and c != "file"]
        mismatched = [(c, row[c], keys[c]) for c in shared if not same(row[c], keys[c])]
        assert not mismatched, f"{row['file']}: {mismatched[:5]}"
        assert len(shared) >= 20, f"{row['file']}: only {len(shared)} columns found in the JSON"
        assert "penetration.max_um" in shared
        assert row["penetration.max_um"] == record["penetration"]["max_um"]


def test_values_by_name(sample_batch: dendrometer.BatchResult) -> None:
    # samples/README.md: the FEI sample is calibrated at 0.05 µm/px, the ImageJ one at 0.25 µm/px (16-bit).
    fei = sample_batch.json("li-in_fig3_fei.tif")
    assert fei["calibration"]["pixel_size_um"] == pytest.approx(0.05)
    assert sample_batch.json("li_vertical_imagej16")["calibration"]["pixel_size_um"] == pytest.approx(0.25)
    # µm depth = px depth × pixel size.
    row = sample_batch.images.set_index("file").loc["li-in_fig3_fei.tif"]
    assert row["penetration.max_um"] == pytest.approx(0.05 * fei["penetration"]["max_px"])


def test_region_rows_match_their_json(sample_batch: dendrometer.BatchResult) -> None:
    regions = sample_batch.regions
    for file, record in sample_batch.records.items():
        rows = regions[regions["file"] == file]
        assert len(rows) == len(record["regions"])
        for (_, row), region in zip(rows.iterrows(), record["regions"]):
            # Columns named like the region's flattened keys (area_fraction, features.*) hold its values.
            keys = flatten(region)
            shared = [c for c in regions.columns if c in keys]
            assert len(shared) >= 5, f"{file} {region['name']}: only {shared} found in the JSON"
            mismatched = [(c, row[c], keys[c]) for c in shared if not same(row[c], keys[c])]
            assert not mismatched, f"{file} {region['name']}: {mismatched[:5]}"
            names = [v for v in row.values if isinstance(v, str)]
            assert region["name"] in names and region["morphology"]["label"] in names


def test_branch_and_dendrite_rows_per_image(sample_batch: dendrometer.BatchResult) -> None:
    branches = sample_batch.branches.groupby("file").size()
    for file, record in sample_batch.records.items():
        assert branches.get(file, 0) == record["skeleton"]["branches"], file
        if not sample_batch.dendrites.empty:
            assert (sample_batch.dendrites["file"] == file).sum() == len(record["dendrites"]), file


def test_read_batch_reads_the_same_folder(sample_batch: dendrometer.BatchResult) -> None:
    again = dendrometer.read_batch(sample_batch.directory)
    assert again.status is None
    for name in ("images", "regions", "branches", "failures"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(sample_batch, name))


def test_failed_image_is_a_failure_row_not_an_exception(binary: str, samples: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(samples / "li-in_fig3_fei.tif", inputs)
    (inputs / FORMULA_NAME).write_bytes(b"not an image")
    result = dendrometer.batch(inputs, tmp_path / "out", jobs=1)
    assert result.status == 1
    assert list(result.images["file"]) == ["li-in_fig3_fei.tif"]
    assert list(result.failures["file"]) == [FORMULA_NAME]
    assert result.failures["error"][0].startswith("not a TIFF, PNG or BMP image")
    # The file itself protects the name from spreadsheets; the DataFrame has the name back.
    assert "'=HYPERLINK" in (tmp_path / "out" / "failures.csv").read_text(encoding="utf-8")


def test_bad_usage_raises_with_the_tools_line(binary: str, samples: Path, tmp_path: Path) -> None:
    with pytest.raises(DendrometerError) as caught:
        dendrometer.batch(samples / "li-in_fig3_fei.tif", tmp_path / "out", jobs=0)
    assert caught.value.status == 64
    assert str(caught.value) == "dendrometer: --jobs must be 1 or more, got 0 (see dendrometer batch --help)"


def test_a_batch_that_cannot_start_raises_even_over_old_tables(sample_batch: dendrometer.BatchResult, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-manifest.csv"
    with pytest.raises(DendrometerError) as caught:
        dendrometer.batch([], sample_batch.directory, manifest=missing)
    assert caught.value.status == 1
    assert str(caught.value).startswith("dendrometer: ") and str(missing) in str(caught.value)
    assert "\n" not in str(caught.value)
