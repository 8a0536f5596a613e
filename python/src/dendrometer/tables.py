"""Reading a ``dendrometer batch`` output folder into pandas."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

import numpy as np
import pandas as pd

__all__ = ["BatchResult", "read_batch", "read_table", "unescape_cell"]

PathLike = Union[str, "os.PathLike[str]"]

#: Characters that make a spreadsheet read a cell as a formula; the tool writes a
#: leading ``'`` before a cell starting with one of them unless the cell is a number.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# A number as the tool's writer (Swift's Double(String)) reads one: decimal,
# hexadecimal, inf/infinity/nan, with an optional sign. A cell matching this was
# never given the protective quote.
_SWIFT_DOUBLE = re.compile(
    r"[+-]?(?:"
    r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    r"|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?"
    r"|(?i:inf|infinity|s?nan(?:\([0-9a-zA-Z_]*\))?)"
    r")\Z")


_INTEGER = re.compile(r"[+-]?\d+\Z")


def unescape_cell(cell: str) -> str:
    """A CSV cell as the tool had it before protecting it from spreadsheets.

    The tool writes ``'=1+1`` for ``=1+1`` (a cell that starts with ``=``, ``+``,
    ``-``, ``@``, tab or CR and is not a number). The quote is removed exactly
    when the rest of the cell is such a formula-looking string; ``'-3.5`` (a
    number after the quote) and ``'abc`` are kept as they are. A cell whose own
    text began with ``'`` followed by a formula character cannot be told apart
    and loses its quote.
    """
    if len(cell) >= 2 and cell[0] == "'" and cell[1] in FORMULA_TRIGGERS and not _SWIFT_DOUBLE.match(cell[1:]):
        return cell[1:]
    return cell


def _typed_column(name: str, cells: List[str]) -> "pd.Series[Any]":
    """A column of CSV text as numbers, booleans or text; empty cells are missing values.

    Columns whose name ends in ``hash`` stay text (a hexadecimal hash can be all digits).
    """
    present = [c for c in cells if c != ""]
    if name.endswith("hash") or not present:
        return pd.Series([c if c != "" else None for c in cells], name=name, dtype=object)
    if all(c in ("true", "false") for c in present):
        values = [None if c == "" else c == "true" for c in cells]
        return pd.Series(values, name=name, dtype=bool if len(present) == len(cells) else "boolean")
    if all(_INTEGER.match(c) for c in present) and len(present) == len(cells):
        try:
            return pd.Series([int(c) for c in cells], name=name, dtype=np.int64)
        except OverflowError:
            pass  # beyond 64 bits: read as floats below
    if all(_SWIFT_DOUBLE.match(c) for c in present):
        # Python's float() rounds correctly, so a cell reads as exactly the JSON's number
        # (pandas' own fast parser can differ in the last bit).
        try:
            return pd.Series([float(c) if c != "" else np.nan for c in cells], name=name, dtype=np.float64)
        except ValueError:
            pass  # hexadecimal or signalling-NaN spellings Python does not read: keep the text
    return pd.Series([c if c != "" else None for c in cells], name=name, dtype=object)


def read_table(path: PathLike) -> pd.DataFrame:
    """One CSV table the tool wrote, as a DataFrame.

    Formula protection is undone (:func:`unescape_cell`); columns holding only
    numbers become numeric, only ``true``/``false`` boolean, others text; empty
    cells are missing values (``NaN``/``None``/``<NA>``). Column order is the
    file's. No column list is assumed, so tables with new or renamed columns
    read the same way.
    """
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows:
        return pd.DataFrame()
    header = [unescape_cell(h) for h in rows[0]]
    body = [row for row in rows[1:] if row]
    for i, row in enumerate(body):
        if len(row) != len(header):
            raise ValueError(f"{path}: expected {len(header)} cells in row {i + 2}, got {len(row)}")
    columns = [_typed_column(name, [unescape_cell(row[j]) for row in body]) for j, name in enumerate(header)]
    frame = pd.concat(columns, axis=1) if columns else pd.DataFrame()
    frame.columns = header  # duplicate names (if any) are kept, in order
    return frame.set_axis(pd.RangeIndex(len(body)), axis=0)


class BatchResult:
    """The results of a batch folder: tables as DataFrames, per-image JSON as dicts.

    Attributes:
        directory: the batch output folder.
        images: ``images.csv``, one row per analysed image (flattened JSON keys
            joined with ``.``; manifest columns first; ``file`` is the image's
            path relative to its input, ``json`` the record's path in the folder).
        regions: ``regions.csv``, one row per region of each image.
        branches: ``branches.csv``, one row per skeleton branch.
        dendrites: ``dendrites.csv`` (one row per dendrite), or an empty
            DataFrame when the folder has none.
        failures: ``failures.csv``: ``file`` and the one-line reason.
        tables: every ``*.csv`` at the top of the folder, by file stem.
        status: the exit status of the batch run that produced this (0 all
            analysed, 1 some failed), or ``None`` when the folder was only read.
        stdout, stderr: the batch run's output ("" when only read).
    """

    def __init__(self, directory: PathLike, status: Optional[int] = None, stdout: str = "", stderr: str = "") -> None:
        self.directory = Path(directory)
        if not (self.directory / "images.csv").is_file() and not (self.directory / "failures.csv").is_file():
            raise FileNotFoundError(f"{self.directory}: expected a batch output folder with images.csv, found none")
        self.tables: Dict[str, pd.DataFrame] = {
            p.stem: read_table(p) for p in sorted(self.directory.glob("*.csv")) if p.is_file()}
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self._records: Optional[Dict[str, Dict[str, Any]]] = None

    def _table(self, stem: str) -> pd.DataFrame:
        return self.tables.get(stem, pd.DataFrame())

    @property
    def images(self) -> pd.DataFrame:
        return self._table("images")

    @property
    def regions(self) -> pd.DataFrame:
        return self._table("regions")

    @property
    def branches(self) -> pd.DataFrame:
        return self._table("branches")

    @property
    def dendrites(self) -> pd.DataFrame:
        return self._table("dendrites")

    @property
    def failures(self) -> pd.DataFrame:
        table = self._table("failures")
        return table if not table.empty or len(table.columns) else pd.DataFrame(columns=["file", "error"])

    @property
    def records(self) -> Dict[str, Dict[str, Any]]:
        """The per-image JSON documents by ``file`` (as in ``images.csv``), loaded once."""
        if self._records is None:
            records: Dict[str, Dict[str, Any]] = {}
            images = self.images
            if "file" in images.columns:
                json_paths = images["json"] if "json" in images.columns else [None] * len(images)
                for file, rel in zip(images["file"], json_paths):
                    path = self.directory / (rel if isinstance(rel, str) and rel else f"json/{file}.json")
                    with open(path, encoding="utf-8") as f:
                        records[str(file)] = json.load(f)
            self._records = records
        return self._records

    def json(self, name: str) -> Dict[str, Any]:
        """The JSON document of one image: by its ``file`` as in ``images.csv``,
        or by its file name or stem when that names exactly one image.

        Raises:
            KeyError: no image, or more than one, has that name.
        """
        records = self.records
        if name in records:
            return records[name]
        matches = [f for f in records if Path(f).name == name or Path(f).stem == name]
        if len(matches) == 1:
            return records[matches[0]]
        if not matches:
            raise KeyError(f"{name}: expected one of the batch's images ({', '.join(sorted(records)) or 'none'}), got none")
        raise KeyError(f"{name}: names {len(matches)} images ({', '.join(sorted(matches))}); give the file as in images.csv")

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __repr__(self) -> str:
        return (f"BatchResult({str(self.directory)!r}: {len(self.images)} images, {len(self.regions)} regions, "
                f"{len(self.branches)} branches, {len(self.failures)} failures)")


def read_batch(directory: PathLike) -> BatchResult:
    """Reads a ``dendrometer batch`` output folder (see :class:`BatchResult`).

    Raises:
        FileNotFoundError: the folder holds no ``images.csv`` or ``failures.csv``.
    """
    return BatchResult(directory)


def flatten(document: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    """A JSON document flattened as ``images.csv`` does: nested keys joined with ``.``,
    numeric lists as ``key.0 … key.N``, text lists joined with ``"; "``; lists of
    objects or lists are left out. Useful to find a JSON value's column.
    """
    out: Dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            out.update(flatten(value, name))
        elif isinstance(value, list):
            if all(isinstance(v, str) for v in value):
                out[name] = "; ".join(value)
            elif all(v is None or isinstance(v, (bool, int, float)) for v in value):
                for i, v in enumerate(value):
                    out[f"{name}.{i}"] = v
        else:
            out[name] = value
    return out
