// Descriptive statistics and two-sample tests for `dendrometer compare`.
//
// Percentiles: linear interpolation between order statistics (Hyndman & Fan
// 1996 definition 7), NumPy's default `np.percentile(..., method="linear")`.
// Mann–Whitney U: Mann & Whitney (1947), "On a test of whether one of two
// random variables is stochastically larger than the other", Ann. Math.
// Statist. 18(1):50–60; two-sided p from the normal approximation with tie
// and continuity corrections, as `scipy.stats.mannwhitneyu(x, y,
// alternative="two-sided", method="asymptotic", use_continuity=True)`.
// Cliff's delta: Cliff (1993), "Dominance statistics: ordinal analyses to
// answer ordinal questions", Psychological Bulletin 114(3):494–509.

import DendrometerCore
import Foundation

/// Summary statistics of one sample (values keep the unit of the metric).
public struct SampleSummary: Sendable, Equatable {
    /// Number of finite values.
    public var n: Int
    /// Median (50th percentile, linear interpolation).
    public var median: Double
    /// First quartile (25th percentile, linear interpolation).
    public var q1: Double
    /// Third quartile (75th percentile, linear interpolation).
    public var q3: Double
    /// Arithmetic mean.
    public var mean: Double
    /// Sample standard deviation with n − 1 in the denominator; `nil` when n < 2.
    public var sd: Double?
    /// Smallest value.
    public var min: Double
    /// Largest value.
    public var max: Double

    /// Interquartile range q3 − q1.
    public var iqr: Double { q3 - q1 }

    /// Summarises the finite values of `values`; `nil` when there are none.
    ///
    /// ```swift
    /// SampleSummary([3, 1, 4, 1, 5, 9, 2, 6])!.q1   // 1.75 (numpy.percentile(..., 25))
    /// ```
    public init?(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        n = sorted.count
        median = Statistics.percentile(sorted: sorted, 50)
        q1 = Statistics.percentile(sorted: sorted, 25)
        q3 = Statistics.percentile(sorted: sorted, 75)
        mean = sorted.reduce(0, +) / Double(n)
        sd = Statistics.standardDeviation(sorted)
        min = sorted[0]
        max = sorted[n - 1]
    }
}

/// The result of a two-sided Mann–Whitney U test of sample x against sample y.
public struct MannWhitneyResult: Sendable, Equatable {
    /// U statistic of the first sample x: R₁ − n₁(n₁+1)/2 (what scipy returns as `statistic`).
    public var u: Double
    /// Two-sided p-value from the normal approximation with tie and continuity correction.
    public var p: Double
}

/// Statistics used by the group comparison.
public enum Statistics {
    /// The `q`-th percentile (0…100) of an ascending, non-empty array, by linear
    /// interpolation between order statistics (NumPy's default).
    ///
    /// Position h = (n − 1)·q/100; result x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
    /// `percentile(sorted: [1, 2, 3, 4], 25)` = 1.75.
    public static func percentile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "percentile of an empty sample")
        let h = Double(sorted.count - 1) * q / 100
        let lo = Int(saturating: h.rounded(.down))
        if lo >= sorted.count - 1 { return sorted[sorted.count - 1] }
        return sorted[lo] + (h - Double(lo)) * (sorted[lo + 1] - sorted[lo])
    }

    /// Sample standard deviation (n − 1 denominator, `numpy.std(ddof=1)`); `nil` when n < 2.
    public static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (ss / Double(values.count - 1)).squareRoot()
    }

    /// Mid-ranks (1-based, ties get the average of their ranks) of `values`,
    /// plus the tie term Σ(t³ − t) over groups of t tied values.
    static func midRanks(_ values: [Double]) -> (ranks: [Double], tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieTerm = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i ... j { ranks[order[k]] = rank }
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            i = j + 1
        }
        return (ranks, tieTerm)
    }

    /// Two-sided Mann–Whitney U test (Mann & Whitney 1947), asymptotic.
    ///
    /// U₁ = R₁ − n₁(n₁+1)/2 from mid-ranks of the pooled sample; U = max(U₁, n₁n₂ − U₁);
    /// σ = √(n₁n₂/12 · ((n+1) − Σ(t³−t)/(n(n−1)))); z = (U − n₁n₂/2 − ½)/σ; p = 2·(1 − Φ(z)),
    /// clipped to [0, 1]; p = 1 when every value is tied (σ = 0). Matches
    /// `scipy.stats.mannwhitneyu(x, y, method="asymptotic")`. Non-finite values are dropped.
    /// Complexity O((n₁+n₂) log(n₁+n₂)).
    ///
    /// - Returns: `nil` when either sample is empty.
    ///
    /// ```swift
    /// mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1])
    /// // u = 0, p = 0.012185780355344813
    /// ```
    public static func mannWhitneyU(_ x: [Double], _ y: [Double]) -> MannWhitneyResult? {
        let x = x.filter(\.isFinite), y = y.filter(\.isFinite)
        guard !x.isEmpty, !y.isEmpty else { return nil }
        let n1 = Double(x.count), n2 = Double(y.count), n = n1 + n2
        let (ranks, tieTerm) = midRanks(x + y)
        let r1 = ranks[0 ..< x.count].reduce(0, +)
        let u1 = r1 - n1 * (n1 + 1) / 2
        let u = Swift.max(u1, n1 * n2 - u1)
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return MannWhitneyResult(u: u1, p: 1) }
        let z = (u - n1 * n2 / 2 - 0.5) / variance.squareRoot()
        let p = Swift.min(1, Swift.max(0, erfc(z / 2.0.squareRoot())))  // 2·(1 − Φ(z))
        return MannWhitneyResult(u: u1, p: p)
    }

    /// Cliff's delta (Cliff 1993): (#{xᵢ > yⱼ} − #{xᵢ < yⱼ}) / (n₁n₂), in [−1, 1];
    /// positive when x tends to be larger. `nil` when either sample is empty.
    /// Complexity O((n₁+n₂) log n₂) via binary search in sorted y.
    ///
    /// ```swift
    /// cliffsDelta([1, 2, 3], [2, 2])   // (0 − 2 + 0 + 0 + 2 + 0)/6 → 0
    /// ```
    public static func cliffsDelta(_ x: [Double], _ y: [Double]) -> Double? {
        let x = x.filter(\.isFinite), ys = y.filter(\.isFinite).sorted()
        guard !x.isEmpty, !ys.isEmpty else { return nil }
        var dominance = 0
        for v in x {
            let below = lowerBound(ys, v)            // count of y < v
            let notAbove = upperBound(ys, v)         // count of y ≤ v
            dominance += below - (ys.count - notAbove)
        }
        return Double(dominance) / Double(x.count * ys.count)
    }

    private static func lowerBound(_ a: [Double], _ v: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let mid = (lo + hi) / 2; if a[mid] < v { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    private static func upperBound(_ a: [Double], _ v: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi { let mid = (lo + hi) / 2; if a[mid] <= v { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}
