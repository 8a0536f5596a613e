"""The pieces that need no tool: CSV reading, option mapping, finding the binary."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import dendrometer
from dendrometer import flatten, options_to_arguments, read_table, unescape_cell


def test_unescape_undoes_only_the_formula_quote() -> None:
    assert unescape_cell("'=1+1") == "=1+1"
    assert unescape_cell("'+x") == "+x"
    assert unescape_cell("'-x") == "-x"
    assert unescape_cell("'@SUM(A1)") == "@SUM(A1)"
    assert unescape_cell("'\tx") == "\tx"
    # A quote before a number, or before ordinary text, was the cell's own.
    assert unescape_cell("'-3.5") == "'-3.5"
    assert unescape_cell("'+1e-3") == "'+1e-3"
    assert unescape_cell("'abc") == "'abc"
    assert unescape_cell("-3.5") == "-3.5"
    assert unescape_cell("'") == "'"


def test_read_table_types_and_quoting(tmp_path: Path) -> None:
    text = (
        "file,depth_um,n,ok,note,input_hash,empty,fraction\n"
        "\"'=HYPERLINK(\"\"x\"\").tif\",-0.5,3,true,\"a, b\",0123456789012345,,0.33904872433221644\n"
        "b.tif,,4,false,'-x,abcdef0123456789,,0.0343504969285321\n"
    )
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    t = read_table(tmp_path / "t.csv")
    assert list(t.columns) == ["file", "depth_um", "n", "ok", "note", "input_hash", "empty", "fraction"]
    assert list(t["file"]) == ['=HYPERLINK("x").tif', "b.tif"]
    assert t["depth_um"][0] == -0.5 and math.isnan(t["depth_um"][1])
    assert t["n"].dtype.kind == "i" and list(t["n"]) == [3, 4]
    assert t["ok"].dtype == bool and list(t["ok"]) == [True, False]
    assert list(t["note"]) == ["a, b", "-x"]
    assert list(t["input_hash"]) == ["0123456789012345", "abcdef0123456789"]  # hashes stay text
    assert t["empty"].isna().all()
    # Read to the closest double, as json.loads reads the same text (no last-bit differences).
    assert list(t["fraction"]) == [0.33904872433221644, 0.0343504969285321]


def test_read_table_refuses_ragged_rows(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("a,b\n1,2\n3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"expected 2 cells in row 3, got 1"):
        read_table(tmp_path / "r.csv")


def test_flatten_joins_keys_like_images_csv() -> None:
    doc = {"penetration": {"max_um": 1.5, "profile": [{"x": 1}]}, "orientation": {"histogram": [0.5, 0.25]},
           "warnings": ["a", "b"], "data_bar": None}
    assert flatten(doc) == {"penetration.max_um": 1.5, "orientation.histogram.0": 0.5, "orientation.histogram.1": 0.25,
                            "warnings": "a; b", "data_bar": None}


def test_options_become_flags() -> None:
    assert options_to_arguments({"pixel_size": "0.05um", "save_masks": True, "no_resume": False, "page": None,
                                 "jobs": 2, "edx": {"In": Path("a.tif")}, "mask_label": [1, 2]}) == [
        "--pixel-size", "0.05um", "--save-masks", "--jobs", "2", "--edx", "In=a.tif",
        "--mask-label", "1", "--mask-label", "2"]


def test_missing_binary_named_by_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DENDROMETER", str(tmp_path / "absent"))
    with pytest.raises(dendrometer.DendrometerNotFoundError, match=r"DENDROMETER=.*absent: expected an executable file"):
        dendrometer.find_binary()
    with pytest.raises(dendrometer.DendrometerError):
        dendrometer.analyze("x.tif")


def test_read_batch_of_a_folder_that_is_not_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="expected a batch output folder"):
        dendrometer.read_batch(tmp_path)


def test_empty_failures_table_has_its_columns(tmp_path: Path) -> None:
    (tmp_path / "images.csv").write_text("file,json\n", encoding="utf-8")
    (tmp_path / "failures.csv").write_text("file,error\n", encoding="utf-8")
    b = dendrometer.read_batch(tmp_path)
    assert list(b.failures.columns) == ["file", "error"] and b.failures.empty
    assert b.records == {}
    assert isinstance(b.branches, pd.DataFrame) and b.branches.empty
