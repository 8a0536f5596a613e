#!/usr/bin/env python3
"""Issue 10: trained segmentation vs the scikit-image peer, on the validation split.

Reproduces the comparison of `dendrometer train` + `analyze --model` with scikit-image's own
trainable-segmentation example (skimage.feature.multiscale_basic_features +
skimage.future.fit_segmenter / predict_segmenter with a scikit-learn random forest), both
trained on exactly the same sparse labels, on the 21 scenes of
/work/shared/data/validation (README.md there) whose interface is in view.

Per scene:
  1. Training labels: the true phase labels mapped to the classes of `dendrometer train`
     (2 anode, 5 dendrite -> 1 dendrite phase; 3 -> 2 electrolyte; 0,1,4,6,7,8 -> 3 other;
     9 data bar never labelled, never scored). A fraction (--fraction, default 1 %) of the
     scanned field's pixels is drawn uniformly at random (numpy Generator, --seed) and written
     as a sparse label PNG <work>/<id>_train.png (0 unlabelled, 1..3), image size.
  2. Peer: features on the scanned field normalised to [0, 1] by its 0.5th-99.5th percentiles
     (as `dendrometer train` normalises), RandomForestClassifier(n_estimators=--trees,
     n_jobs=2, max_depth=--max-depth, max_samples=0.05, random_state=--seed). Timed:
     training alone, and features + prediction (per megapixel of scanned field).
  3. Ours (unless --skip-dendrometer): `dendrometer train` on the same PNG, then
     `dendrometer analyze --model --anode SIDE --save-masks --json`; both wall-clock timed.
  4. Pixel F1 of class 1 (dendrite phase) vs the rest over held-out pixels (scanned field,
     label != 9, not in the training sample).
  5. Depth. Peer: predicted class-1 pixels in the scanned field, strictly on the electrolyte
     side of the TRUE interface, not at or beyond the TRUE cathode, 8-connected pieces under
     1 um^2 removed; depth = exact distance from the pixel centre to the true interface curve;
     max and p95. Ours: penetration.max_px / p95_px of its JSON (its own interface, --anode
     given). Both scored like releases: within max(4 px, 5 %) of the truth.

Both learners read the truth only for training labels and scoring; the peer's depth also uses
the true interface and cathode (it has no interface detector), ours finds its own.

Example:
  python3 tools/trained_segmentation_compare.py --work /tmp/tsc --json-out /tmp/tsc/result.json
  python3 tools/trained_segmentation_compare.py --skip-dendrometer --scenes v_d030_flame_zeiss16_left
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
import validation_common as vc  # noqa: E402

# true label -> training class: 2,5 -> 1 dendrite phase (incl. the anode layer); 3 -> 2
# electrolyte; 0,1,4,6,7,8 -> 3 other; 9 data bar -> 0 (never labelled)
CLASS_OF_LABEL = np.array([3, 3, 1, 2, 3, 1, 3, 3, 3, 0], np.uint8)
PHASE_LABELS = (vc.ANODE, vc.DENDRITE)


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------------------------
# Scene preparation

def sample_training_labels(labels, field, fraction, seed):
    """Sparse class labels (uint8, image size): `fraction` of the scannable pixels (scanned field,
    not data bar), drawn uniformly without replacement with numpy's Generator(seed)."""
    eligible = field & (labels != vc.DATA_BAR)
    idx = np.flatnonzero(eligible)
    k = int(round(fraction * idx.size))
    k = max(1, min(k, idx.size))
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(idx, size=k, replace=False))
    sparse = np.zeros(labels.size, np.uint8)
    sparse[pick] = CLASS_OF_LABEL[np.minimum(labels.ravel()[pick], 9)]
    return sparse.reshape(labels.shape), eligible


def f1_score(pred, truth, where):
    p, t = pred[where], truth[where]
    tp = int(np.count_nonzero(p & t))
    fp = int(np.count_nonzero(p & ~t))
    fn = int(np.count_nonzero(~p & t))
    return (2.0 * tp / (2 * tp + fp + fn)) if (tp + fp + fn) else None


def peer_depth(pred1, gt, labels, field):
    """max, p95 (px) of the peer's dendrite pixels, measured against the TRUE interface.

    Pixels: predicted phase in the scanned field, strictly on the electrolyte side of the true
    interface, not at or beyond the cathode -- the cathode is taken from the TRUE labels (7, 8,
    and the steel collector behind it), just as the interface is taken from the truth -- then
    8-connected pieces smaller than 1 um^2 removed, using the true pixel size (also when the
    file carries no calibration, convention 'none')."""
    side = gt["orientation"]["anode_side"]
    es = vc.electrolyte_side_mask(gt, labels.shape)
    beyond = vc.beyond_cathode_mask(labels, es, side)
    cand = pred1 & field & es & ~beyond
    ps = float(gt["pixel_size_um"])
    cand = vc.remove_small_components(cand, 1.0 / (ps * ps))
    d = vc.depth_pixels(cand, gt)
    mx, p95 = vc.depth_stats(d)
    return mx, p95, int(cand.sum())


# ---------------------------------------------------------------------------------------------
# The scikit-image peer

def peer_run(img_field, sparse_field, trees, max_depth, seed):
    from skimage.feature import multiscale_basic_features
    from skimage.future import fit_segmenter, predict_segmenter
    from sklearn.ensemble import RandomForestClassifier

    t0 = time.perf_counter()
    # The image as float in [0, 1] by its own 0.5th-99.5th percentiles (over the scanned field,
    # data bar cut off), clipped: the normalisation `dendrometer train` applies before its
    # features, so both learners see the same grey scale.
    norm = vc.normalise_percentile(img_field)
    features = multiscale_basic_features(norm, intensity=True, edges=True, texture=True,
                                         sigma_min=0.5, sigma_max=16)
    t_feat = time.perf_counter() - t0
    clf = RandomForestClassifier(n_estimators=trees, n_jobs=2, max_depth=max_depth,
                                 max_samples=0.05, random_state=seed)
    t0 = time.perf_counter()
    clf = fit_segmenter(sparse_field, features, clf)
    t_train = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = predict_segmenter(features, clf)
    t_pred = time.perf_counter() - t0
    del features
    return pred, t_feat, t_train, t_pred


# ---------------------------------------------------------------------------------------------
# Our tool

TRACE_SEGMENT = re.compile(r"(?:: |, )segment (\d+(?:\.\d+)?) ms")


def dendrometer_supports(binary):
    """(ok, reason): does the binary have `train` and `analyze --model`?"""
    if not os.path.exists(binary):
        return False, "%s not found" % binary
    try:
        t = subprocess.run([binary, "train", "--help"], capture_output=True, text=True, timeout=60)
        a = subprocess.run([binary, "analyze", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return False, "cannot run %s: %s" % (binary, e)
    if "--labels" not in t.stdout + t.stderr:
        return False, "%s has no 'train' subcommand" % binary
    if "--model" not in a.stdout + a.stderr:
        return False, "%s: 'analyze' has no --model option" % binary
    return True, ""


def run_timed(cmd, env=None):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return r, time.perf_counter() - t0


class Rejected(Exception):
    """The binary refused the options (bad usage): stop using it."""


def _check(r, cmd):
    if r.returncode == 64:
        raise Rejected("%s rejected %s: %s" % (os.path.basename(cmd[0]), " ".join(cmd[1:3]),
                                               (r.stderr.strip().splitlines() or [""])[0]))
    if r.returncode != 0:
        lines = [l.strip() for l in r.stderr.splitlines() if l.strip()]
        crash = [l for l in lines if "crashed" in l.lower() or "fatal error" in l.lower()]
        why = (crash or lines or ["no message"])[0][:300]
        what = ("killed by signal %d" % -r.returncode) if r.returncode < 0 else ("exit %d" % r.returncode)
        raise RuntimeError("%s %s %s: %s" % (os.path.basename(cmd[0]), cmd[1], what, why))


def find_penetration(doc):
    """The first dict named 'penetration' holding max_px (top level first)."""
    if isinstance(doc, dict):
        p = doc.get("penetration")
        if isinstance(p, dict) and "max_px" in p:
            return p
        for v in doc.values():
            r = find_penetration(v)
            if r is not None:
                return r
    elif isinstance(doc, list):
        for v in doc:
            r = find_penetration(v)
            if r is not None:
                return r
    return None


def ours_train(binary, image, labels_png, model, trees, seed, extra):
    cmd = [binary, "train", "--image", image, "--labels", labels_png, "--out", model,
           "--trees", str(trees), "--seed", str(seed)] + extra
    r, dt = run_timed(cmd)
    _check(r, cmd)
    return dt


def ours_analyze(binary, image, model, side, outdir, extra):
    cmd = [binary, "analyze", image, "--model", model, "--anode", side, "--save-masks",
           "--out", outdir, "--json"] + extra
    env = dict(os.environ, DENDROMETER_TRACE="1")  # existing profiling switch: stage laps on stderr
    r, dt = run_timed(cmd, env=env)
    _check(r, cmd)
    doc = json.loads(r.stdout)
    m = TRACE_SEGMENT.search(r.stderr)
    seg = float(m.group(1)) / 1000.0 if m else None
    return doc, dt, seg


# ---------------------------------------------------------------------------------------------

def fmt(v, spec="%.1f", none="-"):
    return none if v is None else spec % v


def okword(ok):
    return "ok" if ok else "MISS"


def scene_row(res):
    t = res["truth"]
    p = res["peer"]
    o = res.get("ours") or {}
    peer_d = "%s/%s %s" % (fmt(p.get("max_px")), fmt(p.get("p95_px")), okword(p.get("depth_ok")))
    if o.get("max_px") is not None or o.get("p95_px") is not None:
        ours_d = "%s/%s %s" % (fmt(o.get("max_px")), fmt(o.get("p95_px")), okword(o.get("depth_ok")))
    else:
        ours_d = "-"
    return ("%-32s %-5s %6s %6s %15s %20s %20s %8s %8s %8s" % (
        res["id"][:32], res["kind"], fmt(p.get("f1"), "%.3f"), fmt(o.get("f1"), "%.3f"),
        "%.1f/%.1f" % (t["max_px"], t["p95_px"]), peer_d, ours_d,
        fmt(p.get("s_per_mpx"), "%.2f"), fmt(o.get("analyze_s_per_mpx"), "%.2f"),
        fmt(o.get("segment_s_per_mpx"), "%.2f")))


HEADER = ("%-32s %-5s %6s %6s %15s %20s %20s %8s %8s %8s" % (
    "scene", "kind", "F1peer", "F1ours", "truth max/p95", "peer max/p95 px", "ours max/p95 px",
    "peer", "ours", "ours"),
    "%-32s %-5s %6s %6s %15s %20s %20s %8s %8s %8s" % (
    "", "", "", "", "px", "", "", "feat+prd", "analyze", "segment"),
    "%-32s %-5s %6s %6s %15s %20s %20s %8s %8s %8s" % (
    "", "", "", "", "", "", "", "s/MPx", "s/MPx *", "s/MPx **"))


def run_scene(sid, args, use_ours, extra_train, extra_analyze):
    D = args.data
    gt = vc.load_gt(D, sid)
    img_path = os.path.join(D, sid + ".tif")
    img = vc.read_image(img_path)
    labels = vc.read_png(os.path.join(D, sid + "_labels.png"))
    if labels.shape != img.shape:
        raise ValueError("labels %s vs image %s" % (labels.shape, img.shape))
    x0, y0, x1, y1 = gt["image"]["scan_area_px"]
    field = vc.scan_mask(gt, img.shape)
    field_mpx = field.sum() / 1e6
    kind = gt.get("spec", {}).get("kind") or gt["dendrite"].get("kind", "?")
    side = gt["orientation"]["anode_side"]
    tmax, tp95 = vc.truth_depth_px(gt)

    sparse, eligible = sample_training_labels(labels, field, args.fraction, args.seed)
    train_png = os.path.join(args.work, sid + "_train.png")
    vc.write_png(train_png, sparse)
    heldout = eligible & (sparse == 0)
    truth1 = np.isin(labels, PHASE_LABELS)

    res = {"id": sid, "kind": kind, "anode_side": side, "pixel_size_um": gt["pixel_size_um"],
           "size": [int(img.shape[1]), int(img.shape[0])], "scan_area_px": [x0, y0, x1, y1],
           "field_mpx": field_mpx, "training_pixels": int((sparse > 0).sum()),
           "training_pixels_per_class": [int((sparse == c).sum()) for c in (1, 2, 3)],
           "heldout_pixels": int(heldout.sum()), "train_png": train_png,
           "truth": {"max_px": tmax, "p95_px": tp95}}

    # --- peer
    pred, t_feat, t_train, t_pred = peer_run(img[y0:y1, x0:x1], sparse[y0:y1, x0:x1],
                                             args.trees, args.max_depth, args.seed)
    pred1 = np.zeros(img.shape, bool)
    pred1[y0:y1, x0:x1] = pred == 1
    del pred
    mx, p95, n = peer_depth(pred1, gt, labels, field)
    res["peer"] = {"f1": f1_score(pred1, truth1, heldout), "max_px": mx, "p95_px": p95,
                   "depth_pixels": n,
                   "depth_ok": vc.depth_ok(mx, tmax) and vc.depth_ok(p95, tp95),
                   "features_s": t_feat, "train_s": t_train, "predict_s": t_pred,
                   "s_per_mpx": (t_feat + t_pred) / field_mpx,
                   "train_s_per_mpx": t_train / field_mpx}
    del pred1

    # --- ours
    if use_ours:
        model = os.path.join(args.work, sid + ".dmpc")
        outdir = os.path.join(args.work, "dm_" + sid)
        o = {}
        res["ours"] = o
        try:
            o["train_s"] = ours_train(args.dendrometer, img_path, train_png, model, args.trees,
                                      args.seed, extra_train)
            doc, dt, seg = ours_analyze(args.dendrometer, img_path, model, side, outdir, extra_analyze)
            o["analyze_s"] = dt
            o["analyze_s_per_mpx"] = dt / field_mpx
            o["segment_s"] = seg
            o["segment_s_per_mpx"] = None if seg is None else seg / field_mpx
            pen = find_penetration(doc) or {}
            o["max_px"], o["p95_px"] = pen.get("max_px"), pen.get("p95_px")
            o["depth_ok"] = vc.depth_ok(o["max_px"], tmax) and vc.depth_ok(o["p95_px"], tp95)
            phase_tif = os.path.join(outdir, sid + ".phase.tif")
            if os.path.exists(phase_tif):
                ph = vc.read_image(phase_tif)
                if ph.shape == img.shape:
                    o["f1"] = f1_score(ph > 0, truth1, heldout)
                else:
                    o["error_f1"] = "phase mask %s, image %s" % (ph.shape, img.shape)
            else:
                o["error_f1"] = "no %s" % phase_tif
        except Rejected:
            raise
        except Exception as e:  # ours failing on one scene: keep the peer's numbers
            o["error"] = str(e)
            o.setdefault("depth_ok", False)
    return res


# ---------------------------------------------------------------------------------------------
# --size-test

def pad_to_square(a, n, side):
    """Crop or mirror-extend a 2-D array to n x n, keeping the anode-side edge: rows/columns are
    cut or added (mirrored) on the far side, so the scene keeps one interface."""
    fr, fc = side == "bottom", side == "right"
    if fr:
        a = a[::-1, :]
    if fc:
        a = a[:, ::-1]
    a = a[:n, :n]
    while a.shape[0] < n:
        a = np.concatenate([a, a[::-1, :][: n - a.shape[0]]], axis=0)
    while a.shape[1] < n:
        a = np.concatenate([a, a[:, ::-1][:, : n - a.shape[1]]], axis=1)
    if fr:
        a = a[::-1, :]
    if fc:
        a = a[:, ::-1]
    return np.ascontiguousarray(a)


def size_test(args, use_ours, extra_train, extra_analyze):
    import tifffile
    n = args.size
    sid = args.size_scene
    D = args.data
    gt = vc.load_gt(D, sid)
    side = gt["orientation"]["anode_side"]
    x0, y0, x1, y1 = gt["image"]["scan_area_px"]
    img = vc.read_image(os.path.join(D, sid + ".tif"))[y0:y1, x0:x1]
    labels = vc.read_png(os.path.join(D, sid + "_labels.png"))[y0:y1, x0:x1]
    img = pad_to_square(img, n, side)
    labels = pad_to_square(labels, n, side)
    ps = float(gt["pixel_size_um"])
    stem = "size%d_%s" % (n, sid)
    tif = os.path.join(args.work, stem + ".tif")
    tifffile.imwrite(tif, np.ascontiguousarray(img))  # no calibration: --pixel-size given below
    sparse, _ = sample_training_labels(labels, np.ones(labels.shape, bool), args.fraction, args.seed)
    train_png = os.path.join(args.work, stem + "_train.png")
    vc.write_png(train_png, sparse)
    mpx = n * n / 1e6
    out = {"scene": sid, "size": n, "mpx": mpx, "repeat": args.repeat, "image": tif}
    log("\nsize test: %s mirrored/cropped to %d x %d (%.2f MPx), anode %s, best of %d"
        % (sid, n, n, mpx, side, args.repeat))
    best = None
    for _ in range(args.repeat):
        _, tf, tt, tp = peer_run(img, sparse, args.trees, args.max_depth, args.seed)
        if best is None or tf + tp < best[0] + best[2]:
            best = (tf, tt, tp)
    tf, tt, tp = best
    out["peer"] = {"features_s": tf, "train_s": tt, "predict_s": tp,
                   "features_predict_s": tf + tp, "s_per_mpx": (tf + tp) / mpx}
    log("  peer  features %.2f s + predict %.2f s = %.2f s  (%.2f s/MPx; training %.2f s)"
        % (tf, tp, tf + tp, (tf + tp) / mpx, tt))
    if use_ours:
        cal = ["--pixel-size", "%gum" % ps]
        model = os.path.join(args.work, stem + ".dmpc")
        try:
            ttrain = ours_train(args.dendrometer, tif, train_png, model, args.trees, args.seed,
                                cal + extra_train)
            runs = [ours_analyze(args.dendrometer, tif, model, side, os.path.join(args.work, "dm_" + stem),
                                 cal + extra_analyze) for _ in range(args.repeat)]
            dt = min(r[1] for r in runs)
            segs = [r[2] for r in runs if r[2] is not None]
            seg = min(segs) if segs else None
            out["ours"] = {"train_s": ttrain, "analyze_s": dt, "analyze_s_per_mpx": dt / mpx,
                           "segment_s": seg, "segment_s_per_mpx": None if seg is None else seg / mpx}
            log("  ours  analyze --model end to end %.2f s (%.2f s/MPx; reads, prepares, segments AND "
                "measures, so it overstates prediction time)" % (dt, dt / mpx))
            if seg is not None:
                log("        segment stage alone (DENDROMETER_TRACE lap) %.2f s (%.2f s/MPx): peer/ours %.1fx"
                    % (seg, seg / mpx, (tf + tp) / seg if seg > 0 else float("nan")))
            log("        peer features+predict / ours analyze: %.1fx" % ((tf + tp) / dt))
        except Rejected as e:
            log("  ours: %s; size test with the peer only" % e)
        except Exception as e:
            log("  ours failed: %s" % e)
            out["ours"] = {"error": str(e)}
    return out


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Timings: peer = features + prediction (training apart); ours = wall clock of "
               "'analyze --model' (reading, preparing, segmenting AND measuring: more than "
               "prediction) and, when the binary prints DENDROMETER_TRACE laps, its 'segment' "
               "stage alone. Per megapixel of scanned field.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=vc.DEFAULT_DATA, help="validation split folder (default %(default)s)")
    ap.add_argument("--scenes", nargs="+", metavar="ID",
                    help="scene ids (space- or comma-separated; default: every scene with the interface in view)")
    ap.add_argument("--work", default="/tmp/trained_segmentation_compare",
                    help="folder for training PNGs, models and our outputs (default %(default)s)")
    ap.add_argument("--fraction", type=float, default=0.01, help="fraction of scanned-field pixels labelled (default %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="sampling and forest seed (default %(default)s)")
    ap.add_argument("--trees", type=int, default=50, help="trees in both forests (default %(default)s)")
    ap.add_argument("--max-depth", type=int, default=10, help="max_depth of the peer's forest (default %(default)s)")
    ap.add_argument("--dendrometer", default=".build/release/dendrometer", help="our binary (default %(default)s)")
    ap.add_argument("--skip-dendrometer", action="store_true", help="run the peer only")
    ap.add_argument("--train-args", default="", help="extra arguments for 'dendrometer train' (one string, e.g. \"--max-depth 10\")")
    ap.add_argument("--analyze-args", default="", help="extra arguments for 'dendrometer analyze'")
    ap.add_argument("--json-out", metavar="FILE", help="write every number to FILE")
    ap.add_argument("--size-test", action="store_true", help="also time both at --size x --size")
    ap.add_argument("--size", type=int, default=2048, help="side of the size test image (default %(default)s)")
    ap.add_argument("--size-scene", default="v_lateral_stripe_flame_zeiss16",
                    help="scene mirrored/cropped to the size test image (default %(default)s)")
    ap.add_argument("--repeat", type=int, default=1, help="size test: best of N runs (default %(default)s)")
    args = ap.parse_args()
    if not 0 < args.fraction <= 1:
        ap.error("--fraction expects (0, 1]")
    os.makedirs(args.work, exist_ok=True)

    manifest = vc.load_manifest(args.data)
    all_ids = [s["id"] for s in manifest["scenes"]]
    if args.scenes:
        ids = [x for s in args.scenes for x in s.split(",") if x]
        unknown = [i for i in ids if i not in all_ids]
        if unknown:
            ap.error("unknown scene(s): %s" % ", ".join(unknown))
    else:
        ids = all_ids
    in_view = []
    for sid in ids:
        try:
            if vc.load_gt(args.data, sid)["interface"]["in_view"]:
                in_view.append(sid)
            elif args.scenes:
                log("%s: interface not in view, skipped" % sid)
        except Exception as e:
            log("%s: cannot read ground truth: %s" % (sid, e))

    use_ours = not args.skip_dendrometer
    if use_ours:
        ok, why = dendrometer_supports(args.dendrometer)
        if not ok:
            log("dendrometer: %s; comparing with the peer only" % why)
            use_ours = False
    extra_train = shlex.split(args.train_args)
    extra_analyze = shlex.split(args.analyze_args)

    log("trained segmentation vs scikit-image peer: %d scenes, fraction %g, seed %d, %d trees, peer max_depth %d"
        % (len(in_view), args.fraction, args.seed, args.trees, args.max_depth))
    for h in HEADER:
        log(h)
    results, failed = [], []
    for sid in in_view:
        try:
            res = run_scene(sid, args, use_ours, extra_train, extra_analyze)
        except Rejected as e:
            log("dendrometer: %s; carrying on with the peer only" % e)
            use_ours = False
            try:
                res = run_scene(sid, args, use_ours, extra_train, extra_analyze)
            except Exception as e2:
                log("%-32s FAILED: %s" % (sid, e2))
                failed.append({"id": sid, "error": str(e2)})
                continue
        except Exception as e:
            log("%-32s FAILED: %s" % (sid, e))
            if os.environ.get("TSC_DEBUG"):
                traceback.print_exc()
            failed.append({"id": sid, "error": str(e)})
            continue
        results.append(res)
        log(scene_row(res))
        o = res.get("ours") or {}
        for k in ("error", "error_f1"):
            if o.get(k):
                log("    ours %s: %s" % (k, o[k]))

    # --- totals
    n = len(results)
    summary = {"scenes": n, "failed": len(failed)}
    peer_ok = sum(1 for r in results if r["peer"]["depth_ok"])
    peer_f1 = [r["peer"]["f1"] for r in results if r["peer"]["f1"] is not None]
    peer_t = [r["peer"]["s_per_mpx"] for r in results]
    summary["peer"] = {"depth_ok": peer_ok, "mean_f1": float(np.mean(peer_f1)) if peer_f1 else None,
                       "median_s_per_mpx": float(np.median(peer_t)) if peer_t else None,
                       "median_train_s_per_mpx": float(np.median([r["peer"]["train_s_per_mpx"] for r in results])) if results else None}
    log("")
    log("peer (scikit-image): depth right %d of %d, mean F1 %s, median features+predict %s s/MPx (training %s s/MPx)"
        % (peer_ok, n, fmt(summary["peer"]["mean_f1"], "%.3f"), fmt(summary["peer"]["median_s_per_mpx"], "%.2f"),
           fmt(summary["peer"]["median_train_s_per_mpx"], "%.2f")))
    ours_rs = [r["ours"] for r in results if r.get("ours")]
    if ours_rs:
        ours_ok = sum(1 for o in ours_rs if o.get("depth_ok"))
        f1s = [o["f1"] for o in ours_rs if o.get("f1") is not None]
        ta = [o["analyze_s_per_mpx"] for o in ours_rs if o.get("analyze_s_per_mpx") is not None]
        ts = [o["segment_s_per_mpx"] for o in ours_rs if o.get("segment_s_per_mpx") is not None]
        tt = [o["train_s"] for o in ours_rs if o.get("train_s") is not None]
        summary["ours"] = {"depth_ok": ours_ok, "scenes": len(ours_rs), "f1_scenes": len(f1s),
                           "mean_f1": float(np.mean(f1s)) if f1s else None,
                           "median_analyze_s_per_mpx": float(np.median(ta)) if ta else None,
                           "median_segment_s_per_mpx": float(np.median(ts)) if ts else None,
                           "median_train_s": float(np.median(tt)) if tt else None}
        so = summary["ours"]
        pm = summary["peer"]["median_s_per_mpx"]
        so["errors"] = sum(1 for o in ours_rs if o.get("error"))
        log("ours (dendrometer):  depth right %d of %d%s, mean F1 %s (%d scenes), median analyze (end to end) %s s/MPx"
            % (ours_ok, n, " (%d failed, counted as misses)" % so["errors"] if so["errors"] else "",
               fmt(so["mean_f1"], "%.3f"), len(f1s), fmt(so["median_analyze_s_per_mpx"], "%.2f")))
        if so["median_analyze_s_per_mpx"]:
            so["ratio_peer_over_analyze"] = pm / so["median_analyze_s_per_mpx"]
            log("time ratio peer features+predict / ours analyze end to end: %.1fx" % so["ratio_peer_over_analyze"])
        if so["median_segment_s_per_mpx"]:
            so["ratio_peer_over_segment"] = pm / so["median_segment_s_per_mpx"]
            log("time ratio peer features+predict / ours segment stage (DENDROMETER_TRACE): %.1fx (median %.2f s/MPx)"
                % (so["ratio_peer_over_segment"], so["median_segment_s_per_mpx"]))
    log("*  ours analyze: wall clock of 'dendrometer analyze --model' (reads, prepares, segments, finds the "
        "interface, measures, writes): much more than prediction")
    log("** ours segment: the 'segment' lap of DENDROMETER_TRACE (features + forest prediction), when printed")
    if failed:
        log("failed: %s" % ", ".join(f["id"] for f in failed))

    size = size_test(args, use_ours, extra_train, extra_analyze) if args.size_test else None

    if args.json_out:
        doc = {"what": "issue 10: trained segmentation vs the scikit-image peer",
               "command": " ".join(map(shlex.quote, sys.argv)),
               "settings": {"data": args.data, "fraction": args.fraction, "seed": args.seed,
                            "trees": args.trees, "peer_max_depth": args.max_depth,
                            "peer": "multiscale_basic_features(intensity, edges, texture, sigma 0.5-16) + "
                                    "RandomForestClassifier(n_jobs=2, max_samples=0.05)",
                            "dendrometer": None if args.skip_dendrometer else args.dendrometer,
                            "ours_used": use_ours, "train_args": extra_train, "analyze_args": extra_analyze,
                            "versions": versions()},
               "scenes": results, "failed": failed, "summary": summary, "size_test": size}
        d = os.path.dirname(os.path.abspath(args.json_out))
        os.makedirs(d, exist_ok=True)
        with open(args.json_out, "w") as f:
            json.dump(doc, f, indent=1)
        log("wrote %s" % args.json_out)
    return 0 if not failed else 1


def versions():
    out = {"python": sys.version.split()[0], "numpy": np.__version__}
    for m in ("scipy", "skimage", "sklearn"):
        try:
            out[m] = __import__(m).__version__
        except Exception:
            pass
    return out


if __name__ == "__main__":
    sys.exit(main())
