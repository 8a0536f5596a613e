"""Dendrometer from Python: run the ``dendrometer`` tool, get dicts, DataFrames and arrays.

This package does no image analysis itself: it runs the installed
``dendrometer`` command-line tool (found by :func:`find_binary`) and reads what
it writes:

- :func:`analyze` — one micrograph: the JSON document as a dict and, with
  ``save_masks=True``, the phase, dendrite and skeleton masks as NumPy arrays;
- :func:`batch` — many micrographs: the batch folder's tables as pandas
  DataFrames (:class:`BatchResult`);
- :func:`read_batch` — an existing batch folder, without running anything.

Units follow the tool: every length key carries its unit (``_px`` pixels,
``_um`` micrometres, ``_um2`` square micrometres); µm values are ``None``
(``NaN`` in tables) when the image is uncalibrated. Masks and JSON coordinates
are px in the full raster of the input file (row 0 = the image's first row).
The meaning of every key is in the repository's ``docs/REFERENCE.md``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ._cli import (EXIT_FAILURE, DendrometerError, DendrometerNotFoundError, find_binary, one_line,
                   options_to_arguments, positional, run)
from .tables import BatchResult, flatten, read_batch, read_table, unescape_cell
from .tiff import TiffError, TiffPage, read_mask, read_tiff, read_tiff_pages

__all__ = [
    "AnalysisResult", "BatchResult", "DendrometerError", "DendrometerNotFoundError", "TiffError", "TiffPage",
    "analyze", "batch", "find_binary", "flatten", "options_to_arguments", "read_batch", "read_mask",
    "read_table", "read_tiff", "read_tiff_pages", "unescape_cell", "version",
]

__version__ = "0.1.0"

PathLike = Union[str, "os.PathLike[str]"]

# Options the wrappers set themselves.
_RESERVED = {"out", "json"}
# The last line of a batch run that got through its inputs (printed before exit status 1 too).
_BATCH_SUMMARY = re.compile(r"^\d+ images: \d+ analysed, \d+ up to date, \d+ failed;", re.MULTILINE)


@dataclass
class AnalysisResult:
    """What ``dendrometer analyze`` produced for one image.

    Behaves as a read-only mapping over the JSON document, so ``result["penetration"]["max_um"]``
    works as on the dict itself.

    Attributes:
        json: the JSON document (every measurement, ``tool_version`` and the full
            ``parameters``); lengths in the unit their key names (``_px``, ``_um``).
        masks: the TIFFs written beside the JSON by ``save_masks=True`` (and
            any other ``<stem>.<name>.tif`` the run wrote), by name: ``"phase"`` (the
            segmented phase, anode layer included), ``"mask"`` (the dendrites),
            ``"skeleton"``; arrays of shape ``(height, width)`` of the input image
            (full raster, data bar rows 0), 8-bit with 255 = set. A multi-page
            TIFF (``save_probabilities=True``: float32 class probabilities, 0–1) is
            ``(pages, height, width)``. Empty without ``save_masks``.
        branches: ``<stem>.branches.csv`` as a DataFrame: one row per skeleton branch,
            skan's column names (``branch_distance``, ``image_coord_src_0`` …; lengths in µm
            when ``unit`` is ``um``), positions in the full raster, ``max_depth`` and
            ``region`` per branch; ``None`` when the tool wrote no branch table.
        pixel_size_um: µm per pixel of the analysis (``json["calibration"]["pixel_size_um"]``),
            or ``None`` when uncalibrated.
        out: the output folder kept on disk, or ``None`` when a temporary folder was
            used (and removed after reading).
        files: the files the run wrote, by name (``"json"``, ``"overlay"``, mask
            names), only when ``out`` was given.
        stderr: the tool's warnings on standard error ("" when none).
        command: the command line that was run.
    """

    json: Dict[str, Any]
    masks: Dict[str, NDArray[Any]] = field(default_factory=dict)
    branches: Optional[pd.DataFrame] = None
    out: Optional[Path] = None
    files: Dict[str, Path] = field(default_factory=dict)
    stderr: str = ""
    command: List[str] = field(default_factory=list)

    @property
    def pixel_size_um(self) -> Optional[float]:
        calibration = self.json.get("calibration") or {}
        value = calibration.get("pixel_size_um") if isinstance(calibration, Mapping) else None
        return float(value) if isinstance(value, (int, float)) else None

    def __getitem__(self, key: str) -> Any:
        return self.json[key]

    def __contains__(self, key: object) -> bool:
        return key in self.json

    def __iter__(self) -> Iterator[str]:
        return iter(self.json)

    def keys(self) -> Any:
        """The JSON document's top-level keys."""
        return self.json.keys()

    def get(self, key: str, default: Any = None) -> Any:
        """``json.get(key, default)``."""
        return self.json.get(key, default)


def version() -> str:
    """The tool's version line (``dendrometer --version``)."""
    done = run(["--version"])
    if done.returncode != 0:
        raise DendrometerError(one_line(done.stderr, done.returncode), done.returncode, done.args, done.stderr)
    return done.stdout.strip()


def _check_options(options: Mapping[str, Any], command: str) -> None:
    clash = _RESERVED.intersection(options)
    if clash:
        raise TypeError(f"{command}() sets --out and --json itself, got {', '.join(sorted(clash))}=; "
                        f"give the output folder as out=")


def _snapshot(folder: Path) -> Dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


def _read_pages(path: Path) -> NDArray[Any]:
    """A TIFF the tool wrote: one page as ``(rows, columns)``, several stacked as ``(pages, rows, columns)``."""
    try:
        pages = read_tiff_pages(path)
    except TiffError:
        return read_mask(path)  # tifffile's reading of the first page, or the error
    if len(pages) == 1:
        return pages[0].data
    return np.stack([p.data for p in pages])


def analyze(path: PathLike, out: Optional[PathLike] = None, *, run_timeout: Optional[float] = None,
            **options: Any) -> AnalysisResult:
    """Analyses one micrograph with ``dendrometer analyze``.

    Runs ``dendrometer analyze PATH --out OUT --json [options]`` and returns the
    JSON document and, with ``save_masks=True``, the masks as arrays.

    Args:
        path: the micrograph (TIFF, PNG, BMP).
        out: folder for ``<stem>.json``, ``<stem>.overlay.png`` and the masks; kept.
            ``None`` (default): a temporary folder, removed once read.
        run_timeout: stop the tool after this many seconds (``None``: no limit).
        **options: the tool's options, ``snake_case=value`` for ``--snake-case value``
            (see ``dendrometer analyze --help``): e.g. ``pixel_size="0.05um"``,
            ``phase="bright"``, ``anode="bottom"``, ``min_area="2um2"``,
            ``edx={"In": "map_In.tif"}`` (or ``edx=["In=map_In.tif"]``),
            ``save_masks=True``, ``overlay="none"``. ``True`` gives a bare flag,
            a list repeats the flag.

    Returns:
        an :class:`AnalysisResult`.

    Raises:
        DendrometerError: the tool failed; ``str(error)`` is its one-line message
            (e.g. ``dendrometer: x.tif: …``), ``error.status`` its exit status.
        DendrometerNotFoundError: the tool is not found.
    """
    _check_options(options, "analyze")
    keep = out is not None
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="dendrometer-"))
    try:
        before = _snapshot(folder)
        arguments = ["analyze", positional(path), "--out", str(folder), "--json", *options_to_arguments(options)]
        done = run(arguments, timeout=run_timeout)
        if done.returncode != 0:
            raise DendrometerError(one_line(done.stderr, done.returncode), done.returncode, done.args, done.stderr)
        stem = Path(os.fspath(path)).stem
        json_path = folder / f"{stem}.json"
        try:
            document = json.loads(done.stdout)
        except ValueError:
            with open(json_path, encoding="utf-8") as f:
                document = json.load(f)
        written = {p for p, m in _snapshot(folder).items() if before.get(p) != m or p not in before}
        masks: Dict[str, NDArray[Any]] = {}
        files: Dict[str, Path] = {}
        branches: Optional[pd.DataFrame] = None
        for p in sorted(written):
            if not p.name.startswith(stem + "."):
                continue
            part = p.name[len(stem) + 1:]
            if part == "json":
                files["json"] = p
            elif part.endswith(".tif") and "." not in part[:-4]:
                files[part[:-4]] = p
                masks[part[:-4]] = _read_pages(p)
            elif part == "branches.csv":
                files["branches"] = p
                branches = read_table(p)
            elif "." in part:
                files[part.rsplit(".", 1)[0]] = p
        return AnalysisResult(json=document, masks=masks, branches=branches, out=folder if keep else None,
                              files=files if keep else {}, stderr=done.stderr, command=list(done.args))
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def batch(inputs: Union[PathLike, Sequence[PathLike]], out: PathLike, *, run_timeout: Optional[float] = None,
          **options: Any) -> BatchResult:
    """Analyses many micrographs with ``dendrometer batch`` and reads the folder.

    Runs ``dendrometer batch INPUTS... --out OUT [options]``. When some images
    fail (exit status 1 after the batch went through its inputs) that is not an
    exception: the result's ``failures`` table lists them, ``status`` is 1.

    Args:
        inputs: folders (searched recursively), files or globs; one or a list.
            May be empty when ``manifest=`` names a manifest CSV.
        out: the output folder (kept; a batch resumes in it: unchanged images are
            skipped).
        run_timeout: stop the whole run after this many seconds (``None``: no
            limit). The tool's own limit per image is its option ``timeout=``.
        **options: the tool's options, as for :func:`analyze` (see
            ``dendrometer batch --help``): e.g. ``jobs=2``, ``manifest="m.csv"``,
            ``pixel_size="0.05um"``, ``no_resume=True``, ``overlay="none"``.

    Returns:
        the :class:`BatchResult` of ``out`` (``read_batch(out)`` plus the run's
        ``status``, ``stdout`` and ``stderr``).

    Raises:
        DendrometerError: the batch could not run (bad usage, exit status 64; an
            unreadable manifest or output folder; any other status) with the tool's
            one-line message.
        DendrometerNotFoundError: the tool is not found.
    """
    _check_options(options, "batch")
    items = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    arguments = ["batch", *[positional(i) for i in items], "--out", os.fspath(out), *options_to_arguments(options)]
    done = run(arguments, timeout=run_timeout)
    finished = bool(_BATCH_SUMMARY.search(done.stdout))
    if done.returncode == 0 or (done.returncode == EXIT_FAILURE and finished):
        return BatchResult(out, status=done.returncode, stdout=done.stdout, stderr=done.stderr)
    raise DendrometerError(one_line(done.stderr, done.returncode), done.returncode, done.args, done.stderr)
