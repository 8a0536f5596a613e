"""Reference values for Tests/DendrometerReportTests/StatisticsTests.swift.

Run once: python3 tools/reference/report_statistics.py  (numpy, scipy 1.17)
The printed literals are pasted into the Swift tests with the call that made them.
"""
import numpy as np
from scipy.stats import mannwhitneyu

cases = {
    "no_ties_equal_n": ([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1]),
    "ties_unequal_n": ([1, 2, 2, 3, 3, 3, 7], [2, 3, 4, 4, 5]),
    "overlap": ([0.31, 0.52, 0.48, 0.66, 0.29, 0.71, 0.55, 0.40], [0.21, 0.35, 0.18, 0.44, 0.25, 0.30]),
    "all_tied": ([5, 5, 5], [5, 5]),
}
for name, (x, y) in cases.items():
    r = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    print(f"{name}: U={r.statistic!r} p={r.pvalue!r}")

data = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
print("percentile linear", [float(v) for v in np.percentile(data, [0, 25, 50, 75, 100])])
print("mean", float(np.mean(data)), "sd ddof=1", float(np.std(data, ddof=1)))
print("percentile n=1", [float(v) for v in np.percentile([7.5], [25, 50, 75])])
print("percentile Li-In area fractions", [float(v) for v in np.percentile([0.21, 0.35, 0.18, 0.44, 0.25, 0.30], [25, 50, 75])])
