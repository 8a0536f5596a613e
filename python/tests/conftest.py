"""Shared fixtures: the package from this checkout, the tool, the repository's samples."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent
SAMPLES = REPO / "samples"

# Test the package in this checkout, not an older installed copy.
sys.path.insert(0, str(PYTHON_DIR / "src"))

import dendrometer  # noqa: E402


@pytest.fixture(scope="session")
def binary() -> str:
    """The dendrometer tool; the test is skipped only when none is found and DENDROMETER is not set."""
    try:
        return dendrometer.find_binary()
    except dendrometer.DendrometerNotFoundError as e:
        if os.environ.get("DENDROMETER"):
            raise  # a named tool that is missing is an error, not a reason to skip
        pytest.skip(f"no dendrometer binary: {e}")


@pytest.fixture(scope="session")
def samples() -> Path:
    assert SAMPLES.is_dir(), f"expected the repository's samples at {SAMPLES}"
    return SAMPLES
