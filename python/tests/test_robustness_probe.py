"""The robustness probe's geometric perturbations keep the truth with the image
(tools/robustness_probe.py): hand-made arrays and truths, values worked out by hand."""
import importlib.util
import os

import numpy as np
import pytest

pytest.importorskip("PIL", reason="the probe needs Pillow (pip install pillow)")
pytest.importorskip("tifffile")

_PROBE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "robustness_probe.py")
_spec = importlib.util.spec_from_file_location("robustness_probe", _PROBE)
probe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probe)


def truth(width, height, scan, rect, line):
    return {"pixel_size_um": 0.1, "calibration": {"convention": "zeiss", "encoded_pixel_size_um": 0.1},
            "image": {"width": width, "height": height, "scan_area_px": scan},
            "orientation": {"anode_side": "top"}, "regions": [{"label": "flame", "rect_px": rect}],
            "interface": {"in_view": True, "polyline_px": line}}


def test_bin2_averages_blocks_and_the_truth_follows():
    # 5 rows x 7 columns: the odd last row and column are dropped, 2 x 2 blocks averaged.
    image = np.arange(35, dtype=np.uint8).reshape(5, 7)
    labels = np.arange(35, dtype=np.uint8).reshape(5, 7) % 10
    gt = truth(7, 5, [0, 0, 7, 3], [1, 1, 5, 3], [[0.0, 1.0], [5.0, 2.0]])
    out, lab = probe.binned(image, labels, gt)
    # Block (0, 0) holds 0, 1, 7, 8 (mean 4); block (1, 2) holds 18, 19, 25, 26 (mean 22).
    assert out.dtype == np.uint8 and out.shape == (2, 3)
    assert out.tolist() == [[4, 6, 8], [18, 20, 22]]
    # Labels: each block's first pixel.
    assert lab.tolist() == [[0, 2, 4], [4, 6, 8]]
    assert gt["pixel_size_um"] == pytest.approx(0.2)
    assert gt["calibration"]["encoded_pixel_size_um"] == pytest.approx(0.2)
    assert (gt["image"]["width"], gt["image"]["height"]) == (3, 2)
    # Scanned rows 0-2 of 4 kept: binned rows 0 .. 3 // 2 = 1 (exclusive).
    assert gt["image"]["scan_area_px"] == [0, 0, 3, 1]
    # [1, 1, 5, 3) covers the blocks it touches: [0, 0, 3, 2).
    assert gt["regions"][0]["rect_px"] == [0, 0, 3, 2]
    # A pixel centre x goes to x / 2 - 0.25 (pixels 0 and 1 -> block 0, centre 0.25 of the way).
    assert gt["interface"]["polyline_px"] == [[-0.25, 0.25], [2.25, 0.75]]


def test_rotate_turns_the_field_and_the_truth_anticlockwise():
    # A 3-row x 4-column field above a 1-row data bar; the anode on top goes to the left.
    image = np.arange(16, dtype=np.uint16).reshape(4, 4)
    labels = np.zeros((4, 4), dtype=np.uint8)
    gt = truth(4, 4, [0, 0, 4, 3], [1, 0, 3, 2], [[0.0, 0.5], [3.0, 0.5]])
    out, lab = probe.rotated(image, labels, gt)
    # np.rot90: the field's last column becomes the first row.
    assert out.shape == (4, 3) and out[0].tolist() == [3, 7, 11]
    assert gt["orientation"]["anode_side"] == "left"
    assert (gt["image"]["width"], gt["image"]["height"]) == (3, 4)
    # [x0, y0, x1, y1) -> [y0, W - x1, y1, W - x0) with W = 4.
    assert gt["regions"][0]["rect_px"] == [0, 1, 2, 3]
    # (x, y) -> (y, W - 1 - x): the line along the top runs down the left side.
    assert gt["interface"]["polyline_px"] == [[0.5, 3.0], [0.5, 0.0]]


def test_substrate_moves_the_anode_to_the_other_side_of_the_electrolyte_keeping_its_texture():
    # Electrolyte (3) at 100, dendrites (5) at 180: the anode (2) goes to 100 - (180 - 100) / 2 = 60
    # by its median, each pixel shifted by the same amount (its texture kept); the rest untouched.
    labels = np.array([[3, 3, 5, 5],
                       [3, 5, 5, 3],
                       [2, 2, 2, 2]], dtype=np.uint8)
    image = np.array([[100, 102, 180, 178],
                      [98, 182, 180, 100],
                      [200, 210, 190, 200]], dtype=np.float64)
    out = probe.substrate(image, labels)
    # Anode median 200 -> 60: shift -140.
    assert out[2].tolist() == [60, 70, 50, 60]
    assert (out[:2] == image[:2]).all()
    # A dark phase (Li at 20): the anode goes bright, 100 + 40 = 140.
    dark = np.where(labels == 5, 20.0, image)
    assert np.median(probe.substrate(dark, labels)[2]) == pytest.approx(140)
    # No dendrites: nothing to mirror about, unchanged.
    assert (probe.substrate(image, np.where(labels == 5, 3, labels)) == image).all()


def test_tilt_crop_keeps_every_pixel_inside_the_turned_field():
    # 300 x 200 field turned 8 degrees: each corner of the crop, turned back, lies in the field.
    crop = probe.tilt_crop(300, 200, 8.0)
    a = np.deg2rad(8.0)
    c = np.array([149.5, 99.5])
    for x, y in [(crop[0], crop[1]), (crop[2] - 1, crop[1]), (crop[0], crop[3] - 1), (crop[2] - 1, crop[3] - 1)]:
        dx, dy = x - c[0], y - c[1]
        sx, sy = dx * np.cos(a) - dy * np.sin(a) + c[0], dx * np.sin(a) + dy * np.cos(a) + c[1]
        assert -1e-9 <= sx <= 299 + 1e-9 and -1e-9 <= sy <= 199 + 1e-9
    # Centred; k = min(149.5 / (149.5 cos 8 + 99.5 sin 8), 99.5 / (149.5 sin 8 + 99.5 cos 8))
    # = min(0.9235, 0.8338) by hand, so 149.5 x (1 - k) = 24.9 -> 25 columns and
    # 99.5 x (1 - k) = 16.5 -> 17 rows cut on each side.
    assert crop == [25, 17, 275, 183]


def test_tilt_turns_a_pixel_where_the_truth_says():
    # One bright pixel at (220, 50) of a 300 x 200 field, turned 8 degrees anticlockwise on
    # screen about (149.5, 99.5): (70.5, -49.5) -> (70.5 cos 8 - 49.5 sin 8, -70.5 sin 8 - 49.5 cos 8)
    # = (62.93, -58.83), i.e. (212.4, 40.7) before the crop, (187.4, 23.7) after it.
    image = np.zeros((200, 300), dtype=np.uint8)
    image[50, 220] = 200
    labels = np.zeros((200, 300), dtype=np.uint8)
    labels[50, 220] = probe.DENDRITE_LABEL
    gt = truth(300, 200, [0, 0, 300, 200], [0, 0, 10, 10], [[0.0, 10.0], [299.0, 10.0]])
    gt["dendrite"] = {"penetration": {"max_um": 0.0, "p95_um": 0.0}}
    out, lab = probe.tilted(image, labels, gt, degrees=8.0)
    assert out.shape == lab.shape == (166, 250)
    x, y = probe.turned_points([[220.0, 50.0]], 300, 200, 8.0, [25, 17, 275, 183])[0]
    assert (x, y) == pytest.approx((187.43, 23.67), abs=0.01)
    # Output pixel (187, 24) turns back to (219.53, 50.27): the largest bilinear weight on the
    # bright pixel (0.53 x 0.73), and the only output pixel whose nearest source it is.
    peak = np.unravel_index(np.argmax(out), out.shape)
    assert (peak[1], peak[0]) == (187, 24)
    assert np.argwhere(lab == probe.DENDRITE_LABEL).tolist() == [[24, 187]]
    # The interface line y = 10 turns with the field; (187, 24) turned back lies 40.27 px from
    # it, which the depth truth measures from the turned line.
    assert gt["dendrite"]["penetration"]["max_um"] == pytest.approx(40.27 * 0.1, abs=0.002)
    assert gt["regions"][0]["rect_px"] is None
    assert gt["image"]["scan_area_px"] == [0, 0, 250, 166]


def test_distances_to_line_continue_it_straight_beyond_its_ends():
    # The segment from (0, 0) to (10, 0): a point above its middle, one beyond its end (on the
    # continued line's normal) and one on the continuation itself.
    d = probe.distances_to_line(np.array([[5.0, 3.0], [20.0, -4.0], [30.0, 0.0]]), [[0.0, 0.0], [10.0, 0.0]])
    assert d.tolist() == pytest.approx([3.0, 4.0, 0.0])
