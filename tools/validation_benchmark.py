#!/usr/bin/env python3
"""Scores `dendrometer analyze` on a validation split with exact ground truth.

The split (e.g. ``../shared/data/validation``, 22 scenes from a generator that is
not the project's own) has, per scene, ``<id>.tif``, ``<id>_labels.png`` and
``<id>_gt.json``; its README defines the scoring, reproduced here:

- calibration: pixel size within 0.1 % (JEOL 2 %), none when the convention is ``none``;
- anode side: equal to ``orientation.anode_side`` (scenes with the interface in view);
- depth: ``max`` and ``p95`` both within max(4 px, 5 %) of the truth, in px (µm ÷ true pixel size);
- labels: the label given to each ``regions[].rect_px`` rectangle, passed as a regions file.

Also reported (not part of the split's scoring): how far the found interface lies from the true
one, ``interface.polyline_px``, across the image (along the rows for a left/right anode, along
the columns for top/bottom): RMS and largest distance over the polyline's vertices, for scenes
whose anode side was found right.

Modes (``--mode``, repeatable; default all three):

- ``auto``: no hints;
- ``given``: ``--phase bright|dark`` (Li-In / Li) and ``--anode SIDE``, the facts a scientist knows;
- ``mask``: the true phase as an external mask (``--mask <id>_labels.png --mask-label 2,5``,
  anode and dendrite labels) with ``--phase`` and ``--anode`` as in ``given``: metrology alone,
  segmentation taken out.

Usage::

    python3 tools/validation_benchmark.py [--data ../shared/data/validation] [--mode auto --mode given]
           [--dendrometer .build/release/dendrometer] [--json-out FILE] [--verbose]

Needs only the Python standard library and a release build of ``dendrometer``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

MODES = ("auto", "given", "mask")


def depth_ok(got, truth):
    return got is not None and abs(got - truth) <= max(4.0, 0.05 * truth)


def interpolate(x, xs, ys):
    """Piecewise-linear y(x) through (xs, ys) (xs increasing), held constant beyond the ends."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    lo, hi = 0, len(xs) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if xs[mid] <= x:
            lo = mid
        else:
            hi = mid
    t = (x - xs[lo]) / (xs[hi] - xs[lo])
    return ys[lo] + t * (ys[hi] - ys[lo])


def interface_error(found, truth, side):
    """(RMS, largest) distance in px between the found interface's points and the true polyline,
    measured across the image (x for a left/right anode, y for top/bottom) at the truth's vertices."""
    along, across = (1, 0) if side in ("left", "right") else (0, 1)
    pts = sorted((p[along], p[across]) for p in found)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    if len(xs) < 2:
        return None
    errors = [interpolate(v[along], xs, ys) - v[across] for v in truth]
    if not errors:
        return None
    return (sum(e * e for e in errors) / len(errors)) ** 0.5, max(abs(e) for e in errors)


def run_scene(binary, data, scene, mode, work, pixel_size_from_truth=False):
    sid = scene["id"]
    gt = json.load(open(os.path.join(data, scene["files"]["gt"])))
    image = os.path.join(data, scene["files"]["image"])
    regions = [{"name": f"r{i}_{r['label']}", "x": r["rect_px"][0], "y": r["rect_px"][1],
                "w": r["rect_px"][2] - r["rect_px"][0], "h": r["rect_px"][3] - r["rect_px"][1], "unit": "px"}
               for i, r in enumerate(gt["regions"]) if r.get("rect_px")]
    args = [binary, "analyze", image, "--json", "--out", os.path.join(work, mode)]
    if regions:
        rfile = os.path.join(work, f"{sid}.regions.json")
        json.dump(regions, open(rfile, "w"))
        args += ["--regions", rfile]
    side = gt["orientation"]["anode_side"]
    kind = gt["dendrite"]["kind"]
    if pixel_size_from_truth and gt["calibration"]["convention"] != "none":
        # A rewritten copy of the scene (tools/robustness_probe.py) has lost the vendor's metadata.
        args += ["--pixel-size", f"{gt['calibration']['encoded_pixel_size_um']!r}um"]
    if mode in ("given", "mask"):
        args += ["--anode", side]
    if mode in ("given", "mask"):
        args += ["--phase", "dark" if kind == "li" else "bright"]
    if mode == "mask":
        args += ["--mask", os.path.join(data, scene["files"]["labels"]), "--mask-label", "2,5"]
    proc = subprocess.run(args, capture_output=True, text=True)
    row = {"id": sid, "mode": mode, "kind": kind, "in_view": gt["interface"]["in_view"]}
    if proc.returncode != 0 or not proc.stdout.strip():
        row["error"] = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return row, gt
    doc = json.loads(proc.stdout)
    px = gt["pixel_size_um"]
    conv = gt["calibration"]["convention"]
    cal = doc.get("calibration", {}).get("pixel_size_um")
    if conv == "none":
        row["calibration_ok"] = cal is None
    else:
        expected = gt["calibration"]["encoded_pixel_size_um"]
        tol = 0.02 if conv == "jeol" else 0.001
        row["calibration_ok"] = cal is not None and abs(cal - expected) <= tol * expected
    row["side"] = doc.get("anode_side")
    row["side_ok"] = row["side"] == side
    pen = doc.get("penetration") or {}
    tmax = gt["dendrite"]["penetration"]["max_um"] / px
    tp95 = gt["dendrite"]["penetration"]["p95_um"] / px
    row.update(truth_max_px=tmax, truth_p95_px=tp95, max_px=pen.get("max_px"), p95_px=pen.get("p95_px"))
    row["depth_ok"] = depth_ok(pen.get("max_px"), tmax) and depth_ok(pen.get("p95_px"), tp95)
    labels = []
    by_name = {r["name"]: r for r in doc.get("regions", [])}
    for i, r in enumerate(gt["regions"]):
        if not r.get("rect_px"):
            continue
        want = "vertical" if r["label"] == "li-vertical" else r["label"]
        got = by_name.get(f"r{i}_{r['label']}", {}).get("morphology", {}).get("label")
        labels.append((want, got))
    row["labels"] = labels
    found = (doc.get("interface") or {}).get("points_px")
    truth_line = gt["interface"].get("polyline_px")
    row["interface_rms_px"] = row["interface_max_px"] = None
    if row["side_ok"] and found and truth_line:
        error = interface_error(found, truth_line, side)
        if error:
            row["interface_rms_px"], row["interface_max_px"] = error
    row["review"] = (doc.get("quality") or {}).get("review", [])
    return row, gt


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "validation"))
    ap.add_argument("--dendrometer", default=os.path.join(here, "..", ".build", "release", "dendrometer"))
    ap.add_argument("--mode", action="append", choices=MODES)
    ap.add_argument("--scene", action="append", help="only these scene ids")
    ap.add_argument("--json-out")
    ap.add_argument("--verbose", action="store_true", help="one line per scene")
    ap.add_argument("--pixel-size-from-truth", action="store_true",
                    help="pass --pixel-size from each scene's calibration (copies rewritten without vendor metadata)")
    a = ap.parse_args()
    modes = a.mode or list(MODES)
    manifest = json.load(open(os.path.join(a.data, "manifest.json")))
    scenes = [s for s in manifest["scenes"] if not a.scene or s["id"] in a.scene]
    results = []
    with tempfile.TemporaryDirectory() as work:
        for mode in modes:
            os.makedirs(os.path.join(work, mode), exist_ok=True)
            rows = []
            for s in scenes:
                row, gt = run_scene(a.dendrometer, a.data, s, mode, work, a.pixel_size_from_truth)
                rows.append(row)
                if a.verbose:
                    if "error" in row:
                        print(f"  {mode:5} {row['id']:34} ERROR {row['error']}")
                    else:
                        fmt = lambda v: "-" if v is None else f"{v:.1f}"
                        lab = " ".join(f"{w}:{g}" for w, g in row["labels"])
                        iface = "" if row["interface_rms_px"] is None else \
                            f"interface rms {row['interface_rms_px']:.1f} max {row['interface_max_px']:.1f} "
                        print(f"  {mode:5} {row['id']:34} side {row['side'] or '-':6}{'ok ' if row['side_ok'] else 'BAD'} {iface}"
                              f"max {fmt(row['max_px'])}/{row['truth_max_px']:.1f} p95 {fmt(row['p95_px'])}/{row['truth_p95_px']:.1f} "
                              f"{'ok  ' if row['depth_ok'] else 'MISS'} {lab}{' REVIEW' if row['review'] else ''}")
            results += rows
            ok = [r for r in rows if "error" not in r]
            in_view = [r for r in ok if r["in_view"]]
            cal = sum(r["calibration_ok"] for r in ok)
            side = sum(r["side_ok"] for r in in_view)
            depth = sum(r["depth_ok"] for r in in_view)
            labels = [l for r in ok for l in r["labels"]]
            right = sum(w == g for w, g in labels)
            n_view = sum(1 for s in scenes if json.load(open(os.path.join(a.data, s["files"]["gt"])))["interface"]["in_view"])
            wrong = [r for r in in_view if not r["depth_ok"]]
            flagged_wrong = sum(1 for r in wrong if r["review"])
            flagged_right = sum(1 for r in in_view if r["depth_ok"] and r["review"])
            rms = sorted(r["interface_rms_px"] for r in in_view if r.get("interface_rms_px") is not None)
            iface = (f"; interface RMS over {len(rms)} scenes: mean {sum(rms) / len(rms):.2f} px, "
                     f"median {rms[len(rms) // 2] if len(rms) % 2 else (rms[len(rms) // 2 - 1] + rms[len(rms) // 2]) / 2:.2f} px, "
                     f"worst {rms[-1]:.1f} px") if rms else ""
            print(f"{mode:5}: calibration {cal}/{len(scenes)}, anode side {side}/{n_view}, "
                  f"depth {depth}/{n_view} ({100 * depth / max(1, n_view):.0f} %), labels {right}/{len(labels)}; "
                  f"review asked on {flagged_wrong}/{len(wrong)} wrong-depth and {flagged_right}/{depth} right-depth scenes"
                  + (f", {len(rows) - len(ok)} failed" if len(ok) < len(rows) else "") + iface)
    if a.json_out:
        json.dump(results, open(a.json_out, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
