"""Reference values for Tests/DendrometerReportTests/StatisticsTests.swift and CompareTests.swift.

Run once: python3 tools/reference/report_statistics.py  (numpy, scipy 1.17)
The printed literals are pasted into the Swift tests with the call that made them.
Holm's step-down adjustment is written out below (scipy has no Holm); it follows
Holm (1979), Scand. J. Statist. 6(2):65-70, as statsmodels' multipletests(method="holm").
"""
import numpy as np
from scipy import stats
from scipy.stats import kruskal, mannwhitneyu, spearmanr


def holm(p):
    """Holm step-down: sort ascending, multiply the i-th smallest (0-based) by m - i,
    carry the running maximum, cap at 1; back in input order."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    running = 0.0
    for i, k in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[k]))
        adj[k] = running
    return [float(v) for v in adj]


print("# Mann-Whitney U, asymptotic (method='asymptotic', use_continuity=True)")
cases = {
    "no_ties_equal_n": ([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1]),
    "ties_unequal_n": ([1, 2, 2, 3, 3, 3, 7], [2, 3, 4, 4, 5]),
    "overlap": ([0.31, 0.52, 0.48, 0.66, 0.29, 0.71, 0.55, 0.40], [0.21, 0.35, 0.18, 0.44, 0.25, 0.30]),
    "all_tied": ([5, 5, 5], [5, 5]),
}
for name, (x, y) in cases.items():
    r = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    print(f"{name}: U={r.statistic!r} p={r.pvalue!r}")

print("# Mann-Whitney U, method='auto' (exact when min(n1, n2) <= 8 and no ties)")
auto_cases = {
    "exact_3_vs_4": ([1.2, 3.4, 5.6], [2.3, 4.5, 6.7, 7.8]),
    "exact_3_vs_4_separated": ([9.1, 8.2, 7.3], [1.0, 2.0, 3.0, 4.0]),
    "exact_5_vs_5": cases["no_ties_equal_n"],
    "exact_8_vs_6": cases["overlap"],
    "exact_2_vs_15": ([3.5, 11.5], [float(v) for v in range(1, 16)]),
    "exact_8_vs_20": ([2.5, 4.5, 7.5, 9.5, 15.5, 18.5, 20.5, 22.5], [float(v) for v in range(1, 21)]),
    "exact_1_vs_1": ([1.0], [2.0]),
    "asymptotic_ties_7_vs_5": cases["ties_unequal_n"],
    "asymptotic_9_vs_10": ([0.5, 1.7, 2.9, 3.1, 4.6, 5.2, 6.8, 7.3, 8.9],
                           [2.0, 3.3, 4.1, 5.5, 6.6, 7.7, 8.1, 9.4, 10.2, 11.9]),
    "asymptotic_12_vs_9_ties": ([1, 1, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8], [3, 4, 4, 5, 6, 7, 8, 8, 9]),
}
for name, (x, y) in auto_cases.items():
    r = mannwhitneyu(x, y, alternative="two-sided", method="auto")
    ex = mannwhitneyu(x, y, alternative="two-sided", method="exact") if len(x) * len(y) < 2000 else None
    print(f"{name}: U={r.statistic!r} p={r.pvalue!r}" + (f" (exact p={ex.pvalue!r})" if ex else ""))

print("# Mann-Whitney U at Dendrometer's exact limit n1*n2 <= 5000 (beyond it: asymptotic, unlike scipy)")
x = [i * 77.5 + 0.25 for i in range(8)]
r = mannwhitneyu(x, list(range(625)), method="auto")
print(f"exact_8_vs_625: U={r.statistic!r} p={r.pvalue!r}")
x = [i * 87.5 + 0.25 for i in range(8)]
r = mannwhitneyu(x, list(range(700)), method="asymptotic")
print(f"asymptotic_8_vs_700: U={r.statistic!r} p={r.pvalue!r} (scipy auto: exact p={mannwhitneyu(x, list(range(700))).pvalue!r})")

print("# Holm")
for p in ([0.01, 0.04, 0.03, 0.005, 0.5, 0.04], [0.2, 0.6, 0.9], [0.001]):
    print(f"holm({p}) = {holm(p)}")

print("# Kruskal-Wallis (tie-corrected)")
kw_cases = {
    "three_groups_ties": ([1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6, 7], [5, 6, 8, 9]),
    "four_groups_no_ties": ([1.1, 2.4, 3.9], [4.2, 5.0, 6.3, 0.7], [7.7, 8.1, 9.6, 10.4, 2.9], [11.3, 12.8]),
    "two_groups": (cases["overlap"][0], cases["overlap"][1]),
    "large_h": (list(range(0, 20)), list(range(20, 40)), list(range(40, 60))),
}
for name, groups in kw_cases.items():
    r = kruskal(*groups)
    print(f"{name}: H={float(r.statistic)!r} p={float(r.pvalue)!r}")

print("# Spearman rho (scipy.stats.spearmanr, two-sided t approximation)")
sp_cases = {
    "levels_with_ties": ([5, 5, 5, 10, 10, 10, 10, 20, 20, 20],
                         [0.21, 0.35, 0.18, 0.44, 0.25, 0.30, 0.52, 0.48, 0.66, 0.29]),
    "no_ties": ([1, 2, 3, 4, 5, 6, 7], [2.0, 1.0, 4.0, 3.0, 7.0, 5.0, 6.0]),
    "both_tied": ([1, 1, 2, 2, 3, 3], [4, 4, 4, 6, 5, 6]),
    "perfect": ([1, 2, 3, 4], [1.5, 2.5, 3.5, 9.0]),
}
for name, (x, y) in sp_cases.items():
    r = spearmanr(x, y)
    print(f"{name}: rho={float(r.statistic)!r} p={float(r.pvalue)!r}")

print("# special functions")
for h, df in ((0.5, 1), (3.2, 2), (50.0, 3), (7.8, 7), (200.0, 4)):
    print(f"chi2.sf({h}, {df}) = {float(stats.chi2.sf(h, df))!r}")
for t, df in ((0.5, 3), (2.1, 8), (6.0, 20), (30.0, 5), (1.3, 1)):
    print(f"2*t.sf({t}, {df}) = {float(2 * stats.t.sf(t, df))!r}")

data = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
print("percentile linear", [float(v) for v in np.percentile(data, [0, 25, 50, 75, 100])])
print("mean", float(np.mean(data)), "sd ddof=1", float(np.std(data, ddof=1)))
print("percentile n=1", [float(v) for v in np.percentile([7.5], [25, 50, 75])])
print("percentile Li-In area fractions", [float(v) for v in np.percentile([0.21, 0.35, 0.18, 0.44, 0.25, 0.30], [25, 50, 75])])

# ---------------------------------------------------------------------------
# End-to-end fixtures of CompareTests.swift: the same numbers are written into
# hand-made batch folders there, and `compare` must reproduce these results.
print()
print("# End-to-end 1: two folders (Li at 0.05 um/px, Li-In at 0.2 um/px), nested by cell")
li = dict(cell=["c1", "c1", "c2", "c2", "c3", "c3"],
          max_um=[12.0, 14.0, 9.5, 11.0, 15.5, 13.0],
          branches=[40, 52, 33, 47, 61, 58],
          interface_px=[2000, 1600, 2000, 1800, 2000, 2400], pixel_um=0.05)
liin = dict(cell=["d1", "d1", "d2", "d3", "d3"],
            max_um=[6.5, 8.0, 7.25, 10.5, 5.0],
            branches=[30, 28, 35, 41, 22],
            interface_px=[500, 450, 500, 520, 480], pixel_um=0.2)
for g in (li, liin):
    g["branches_per_mm"] = [b / (L * g["pixel_um"] / 1000) for b, L in zip(g["branches"], g["interface_px"])]
    print("branches per mm interface", g["branches_per_mm"])


def nest_medians(cells, values):
    order = list(dict.fromkeys(cells))
    return [float(np.median([v for c, v in zip(cells, values) if c == k])) for k in order]


family = []
for metric in ("penetration.max_um", "skeleton.branches_per_mm_interface"):
    key = "max_um" if metric.startswith("pen") else "branches_per_mm"
    r = mannwhitneyu(li[key], liin[key], method="auto")
    print(f"images {metric}: U={r.statistic!r} p={r.pvalue!r} median_li={float(np.median(li[key]))!r}")
    family.append(r.pvalue)
print("images holm", holm(family))
family = []
for metric in ("penetration.max_um", "skeleton.branches_per_mm_interface"):
    key = "max_um" if metric.startswith("pen") else "branches_per_mm"
    a, b = nest_medians(li["cell"], li[key]), nest_medians(liin["cell"], liin[key])
    r = mannwhitneyu(a, b, method="auto")
    s = np.percentile(a, [25, 50, 75])
    print(f"nested {metric}: medians {a} vs {b} U={r.statistic!r} p={r.pvalue!r} q1,median,q3(Li)={[float(v) for v in s]}")
    family.append(r.pvalue)
print("nested holm", holm(family))

print()
print("# End-to-end 2: --by cycles across two folders (ordered levels 5, 10, 20)")
cyc = {
    "5": dict(area=[0.21, 0.35, 0.18, 0.27], max_um=[3.0, 4.5, 2.5, 3.5]),
    "10": dict(area=[0.44, 0.25, 0.30, 0.52], max_um=[5.0, 6.5, 4.0, 7.0]),
    "20": dict(area=[0.48, 0.66, 0.29, 0.58], max_um=[9.0, 8.5, 6.0, 12.0]),
}
levels = ["5", "10", "20"]
omni, trend, pairs = [], [], []
for metric, key in (("area_fraction", "area"), ("penetration.max_um", "max_um")):
    groups = [cyc[l][key] for l in levels]
    k = kruskal(*groups)
    x = [float(l) for l in levels for _ in cyc[l][key]]
    y = [v for l in levels for v in cyc[l][key]]
    s = spearmanr(x, y)
    print(f"{metric}: KW H={float(k.statistic)!r} p={float(k.pvalue)!r}; spearman rho={float(s.statistic)!r} p={float(s.pvalue)!r}")
    omni.append(float(k.pvalue)); trend.append(float(s.pvalue))
    for a, b in zip(levels, levels[1:]):
        r = mannwhitneyu(cyc[a][key], cyc[b][key], method="auto")
        print(f"  {a} vs {b}: U={r.statistic!r} p={r.pvalue!r}")
        pairs.append(float(r.pvalue))
print("omnibus holm", holm(omni))
print("trend holm", holm(trend))
print("adjacent pairs holm (area 5-10, area 10-20, max 5-10, max 10-20)", holm(pairs))
