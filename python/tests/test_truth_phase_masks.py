"""tools/truth_phase_masks.py: the anode's side of a true interface, and the phase mask made
from a truth record (hand-made arrays, values worked out by hand)."""
import importlib.util
import os

import numpy as np
import pytest

pytest.importorskip("PIL", reason="the tool needs Pillow (pip install pillow)")
from PIL import Image  # noqa: E402

_TOOL = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "truth_phase_masks.py")
_spec = importlib.util.spec_from_file_location("truth_phase_masks", _TOOL)
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


def test_anode_side_of_a_polyline_on_every_edge():
    # A line at y = 1.5 (bottom anode: rows 2 and 3 of 4) and x = 1.5 (left anode: columns 0, 1).
    bottom = tool.anode_side_of([[0, 1.5], [4, 1.5]], "bottom", 4, 5)
    assert bottom.sum(axis=1).tolist() == [0, 0, 5, 5]
    top = tool.anode_side_of([[4, 1.5], [0, 1.5]], "top", 4, 5)
    assert top.sum(axis=1).tolist() == [5, 5, 0, 0]
    left = tool.anode_side_of([[1.5, 0], [1.5, 3]], "left", 4, 5)
    assert left.sum(axis=0).tolist() == [4, 4, 0, 0, 0]
    right = tool.anode_side_of([[1.5, 3], [1.5, 0]], "right", 4, 5)
    assert right.sum(axis=0).tolist() == [0, 0, 4, 4, 4]
    # A tilted line y = 0.5 + x / 2 over x 0 ... 4: column 3 (edge 2.0) keeps rows 3 only.
    tilted = tool.anode_side_of([[0, 0.5], [4, 2.5]], "bottom", 4, 5)
    assert tilted[:, 3].tolist() == [False, False, False, True]


def test_phase_mask_is_dendrites_and_anode_inside_the_scanned_field(tmp_path):
    # 6 rows x 4 columns; scanned rows 0-4 (row 5 a data bar); anode below y = 3.5 (row 4).
    dendrites = np.zeros((6, 4), dtype=np.uint8)
    dendrites[1:4, 2] = 255
    Image.fromarray(dendrites).save(tmp_path / "s.mask.png")
    truth = {"mask": "s.mask.png", "anode_side": "bottom",
             "scanned_field": {"x": 0, "y": 0, "w": 4, "h": 5},
             "interface": {"points_px": [[0, 3.5], [3, 3.5]]}}
    mask = tool.phase_mask(truth, str(tmp_path))
    assert mask.dtype == np.uint8 and set(np.unique(mask)) == {0, 255}
    assert (mask[:, 2] > 0).tolist() == [False, True, True, True, True, False]
    assert (mask[4] > 0).all() and not (mask[5] > 0).any()
    assert (mask[:4, 0] == 0).all()
