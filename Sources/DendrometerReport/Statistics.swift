// Descriptive statistics and two-sample tests for `dendrometer compare`.
//
// Percentiles: linear interpolation between order statistics (Hyndman & Fan
// 1996 definition 7), NumPy's default `np.percentile(..., method="linear")`.
// Mann–Whitney U: Mann & Whitney (1947), "On a test of whether one of two
// random variables is stochastically larger than the other", Ann. Math.
// Statist. 18(1):50–60; two-sided p exact (the null distribution of U by
// recurrence) or from the normal approximation with tie and continuity
// corrections, chosen as `scipy.stats.mannwhitneyu(x, y, method="auto")` does.
// Kruskal–Wallis H: Kruskal & Wallis (1952), J. Amer. Statist. Assoc.
// 47(260):583–621, tie-corrected, χ² approximation (`scipy.stats.kruskal`).
// Spearman's rho: Spearman (1904); p from Student's t with n − 2 degrees of
// freedom (`scipy.stats.spearmanr`). Holm (1979), "A simple sequentially
// rejective multiple test procedure", Scand. J. Statist. 6(2):65–70.
// Incomplete gamma and beta functions: continued fractions as in Press et al.,
// Numerical Recipes (3rd ed., 2007), §6.2 and §6.4.
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

/// How a p-value was obtained.
public enum PValueMethod: String, Sendable, Equatable {
    /// From the exact null distribution of the statistic.
    case exact
    /// From a large-sample approximation (normal, χ² or Student's t).
    case asymptotic
}

/// The result of a two-sided Mann–Whitney U test of sample x against sample y.
public struct MannWhitneyResult: Sendable, Equatable {
    /// U statistic of the first sample x: R₁ − n₁(n₁+1)/2 (what scipy returns as `statistic`).
    public var u: Double
    /// Two-sided p-value, in [0, 1].
    public var p: Double
    /// Whether `p` is exact or from the normal approximation.
    public var method: PValueMethod = .asymptotic
}

/// The result of a Kruskal–Wallis H test over k ≥ 2 groups.
public struct KruskalWallisResult: Sendable, Equatable {
    /// Tie-corrected H statistic (what scipy returns as `statistic`).
    public var h: Double
    /// Degrees of freedom of the χ² approximation: number of non-empty groups − 1.
    public var df: Int
    /// p-value P(χ²_df ≥ H).
    public var p: Double
    /// Total number of values N over the groups.
    public var n: Int
    /// Effect size ε² = H / (N − 1) (Tomczak & Tomczak 2014), in [0, 1].
    public var epsilonSquared: Double { n > 1 ? h / Double(n - 1) : .nan }
}

/// The result of Spearman's rank correlation of paired samples x and y.
public struct SpearmanResult: Sendable, Equatable {
    /// Spearman's rho: Pearson's correlation of the mid-ranks, in [−1, 1].
    public var rho: Double
    /// Two-sided p-value from Student's t with n − 2 degrees of freedom.
    public var p: Double
    /// Number of pairs.
    public var n: Int
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

    /// Samples up to this size (the smaller of the two) get an exact p-value when there are no
    /// ties: scipy's `method="auto"` rule (exact unless both n₁ > 8 and n₂ > 8, or any tie).
    public static let exactMannWhitneyMaximumSmallerSample = 8

    /// Above this product n₁·n₂ the exact null distribution is not computed (its cost grows
    /// as (n₁n₂)²/4: 8 vs 2500 took 21 s in a debug build) and the normal approximation is used
    /// instead, reported as asymptotic. Only reached when one sample has ≤ 8 values and the
    /// other more than 5000/8 = 625 (scipy would still be exact there).
    public static let exactMannWhitneyMaximumProduct = 5_000

    /// Two-sided Mann–Whitney U test (Mann & Whitney 1947).
    ///
    /// U₁ = R₁ − n₁(n₁+1)/2 from mid-ranks of the pooled sample; U = max(U₁, n₁n₂ − U₁).
    /// - `method: nil` (default) chooses as `scipy.stats.mannwhitneyu(x, y, method="auto")`:
    ///   exact when min(n₁, n₂) ≤ ``exactMannWhitneyMaximumSmallerSample`` and there are no ties,
    ///   else asymptotic.
    /// - exact: p = 2·P(U ≥ ⌊u⌋) under the null distribution of U without ties (no tie correction;
    ///   ⌊u⌋ as scipy's integer cast when ties make u a half integer), clipped to 1.
    /// - asymptotic: σ = √(n₁n₂/12 · ((n+1) − Σ(t³−t)/(n(n−1)))); z = (U − n₁n₂/2 − ½)/σ;
    ///   p = 2·(1 − Φ(z)), clipped to [0, 1]; p = 1 when every value is tied (σ = 0).
    /// Non-finite values are dropped. Complexity O(n log n) asymptotic, O((n₁n₂)²/4) exact.
    ///
    /// - Returns: `nil` when either sample is empty.
    ///
    /// ```swift
    /// mannWhitneyU([1.2, 3.4, 5.6], [2.3, 4.5, 6.7, 7.8])              // u = 3, p = 0.4 (exact)
    /// mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1], method: .asymptotic)
    /// // u = 0, p = 0.012185780355344813
    /// ```
    public static func mannWhitneyU(_ x: [Double], _ y: [Double], method: PValueMethod? = nil) -> MannWhitneyResult? {
        let x = x.filter(\.isFinite), y = y.filter(\.isFinite)
        guard !x.isEmpty, !y.isEmpty else { return nil }
        let n1 = Double(x.count), n2 = Double(y.count), n = n1 + n2
        let (ranks, tieTerm) = midRanks(x + y)
        let r1 = ranks[0 ..< x.count].reduce(0, +)
        let u1 = r1 - n1 * (n1 + 1) / 2
        let u = Swift.max(u1, n1 * n2 - u1)
        let small = Swift.min(x.count, y.count), large = Swift.max(x.count, y.count)
        var chosen = method ?? (small <= exactMannWhitneyMaximumSmallerSample && tieTerm == 0 ? .exact : .asymptotic)
        if chosen == .exact && small * large > exactMannWhitneyMaximumProduct { chosen = .asymptotic }
        if chosen == .exact {
            // With ties (only when asked for explicitly) U may be a half integer: truncated, as scipy's int cast.
            let sf = mannWhitneyExactSurvival(Int(saturating: u.rounded(.down)), small, large)
            return MannWhitneyResult(u: u1, p: Swift.min(1, 2 * sf), method: .exact)
        }
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return MannWhitneyResult(u: u1, p: 1, method: .asymptotic) }
        let z = (u - n1 * n2 / 2 - 0.5) / variance.squareRoot()
        let p = Swift.min(1, Swift.max(0, erfc(z / 2.0.squareRoot())))  // 2·(1 − Φ(z))
        return MannWhitneyResult(u: u1, p: p, method: .asymptotic)
    }

    /// P(U ≥ u) under the null hypothesis for samples of sizes m and n without ties.
    ///
    /// The null distribution by the recurrence on the largest pooled value: it belongs to the
    /// first sample with probability m/(m+n) and then adds n to U, so
    /// P_{m,n}(k) = m/(m+n)·P_{m−1,n}(k−n) + n/(m+n)·P_{m,n−1}(k), P_{0,n} = P_{m,0} = δ₀.
    /// Only sums of non-negative terms (no cancellation). Complexity O(m²n²/4), memory O(m²n).
    static func mannWhitneyExactSurvival(_ u: Int, _ m: Int, _ n: Int) -> Double {
        if u <= 0 { return 1 }
        if u > m * n { return 0 }
        // dist[i] = distribution of U for sizes (i, j − 1) while column j is built.
        var dist = [[Double]](repeating: [1], count: m + 1)
        for j in stride(from: 1, through: n, by: 1) {
            var column = [[Double]](repeating: [1], count: m + 1)   // (0, j) = δ₀
            for i in stride(from: 1, through: m, by: 1) {
                let a = Double(i) / Double(i + j), b = Double(j) / Double(i + j)
                var next = [Double](repeating: 0, count: i * j + 1)
                for (k, v) in column[i - 1].enumerated() { next[k + j] += a * v }   // (i−1, j), shifted by j
                for (k, v) in dist[i].enumerated() { next[k] += b * v }             // (i, j−1)
                column[i] = next
            }
            dist = column
        }
        let pmf = dist[m]
        return pmf[u...].reduce(0, +)
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

    /// Holm's step-down adjustment (Holm 1979) of a family of p-values, in input order.
    ///
    /// Sort ascending (ties keep input order); the i-th smallest (0-based) becomes
    /// min(1, (m − i)·p₍ᵢ₎), then the running maximum is carried so adjusted values never
    /// decrease with p. Same as statsmodels' `multipletests(p, method="holm")`.
    /// An adjusted p ≤ α controls the family-wise error rate at α. Complexity O(m log m).
    ///
    /// ```swift
    /// holm([0.01, 0.04, 0.03, 0.005, 0.5, 0.04])   // [0.05, 0.12, 0.12, 0.03, 0.5, 0.12]
    /// ```
    public static func holm(_ p: [Double]) -> [Double] {
        let m = p.count
        let order = p.indices.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        var adjusted = [Double](repeating: .nan, count: m)
        var running = 0.0
        for (i, k) in order.enumerated() {
            running = Swift.max(running, Swift.min(1, Double(m - i) * p[k]))
            adjusted[k] = running
        }
        return adjusted
    }

    /// Kruskal–Wallis H test (Kruskal & Wallis 1952) over the non-empty groups, tie-corrected,
    /// as `scipy.stats.kruskal(*groups)`.
    ///
    /// H = [12/(N(N+1)) Σ Rᵢ²/nᵢ − 3(N+1)] / [1 − Σ(t³−t)/(N³−N)] from mid-ranks of the pooled
    /// values; p = P(χ²_{k−1} ≥ H). Non-finite values and empty groups are dropped.
    ///
    /// - Returns: `nil` when fewer than two groups have values or every value is tied
    ///   (H undefined; scipy gives NaN).
    ///
    /// ```swift
    /// kruskalWallis([[1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6, 7], [5, 6, 8, 9]])
    /// // h = 7.461046262582994, df = 2, p = 0.02398028771595472
    /// ```
    public static func kruskalWallis(_ groups: [[Double]]) -> KruskalWallisResult? {
        let groups = groups.map { $0.filter(\.isFinite) }.filter { !$0.isEmpty }
        guard groups.count >= 2 else { return nil }
        let pooled = groups.flatMap { $0 }
        let total = Double(pooled.count)
        let (ranks, tieTerm) = midRanks(pooled)
        let correction = 1 - tieTerm / (total * total * total - total)
        guard correction > 0 else { return nil }
        var start = 0, ssbn = 0.0
        for g in groups {
            let r = ranks[start ..< start + g.count].reduce(0, +)
            ssbn += r * r / Double(g.count)
            start += g.count
        }
        let h = (12 / (total * (total + 1)) * ssbn - 3 * (total + 1)) / correction
        let df = groups.count - 1
        return KruskalWallisResult(h: h, df: df, p: chiSquaredSurvival(h, degreesOfFreedom: Double(df)), n: pooled.count)
    }

    /// Spearman's rank correlation (Spearman 1904) of pairs (xᵢ, yᵢ), as `scipy.stats.spearmanr(x, y)`.
    ///
    /// rho = Pearson correlation of the mid-ranks of x and of y (ties share their mean rank);
    /// two-sided p from t = rho·√((n−2)/(1−rho²)) with n − 2 degrees of freedom, computed as
    /// p = I_{1−rho²}((n−2)/2, ½) (regularised incomplete beta); p = 0 when |rho| = 1.
    /// Pairs with a non-finite member are dropped.
    ///
    /// - Returns: `nil` for fewer than 3 pairs or a constant x or y (rho undefined).
    ///
    /// ```swift
    /// spearman([1, 2, 3, 4, 5, 6, 7], [2, 1, 4, 3, 7, 5, 6])   // rho = 0.8214285714285715, p = 0.0234488083456915
    /// ```
    public static func spearman(_ x: [Double], _ y: [Double]) -> SpearmanResult? {
        precondition(x.count == y.count, "spearman needs paired samples")
        let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        guard pairs.count >= 3 else { return nil }
        let rx = midRanks(pairs.map(\.0)).ranks, ry = midRanks(pairs.map(\.1)).ranks
        let mean = Double(pairs.count + 1) / 2   // mean of mid-ranks
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in rx.indices {
            let dx = rx[i] - mean, dy = ry[i] - mean
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        let rho = Swift.max(-1, Swift.min(1, sxy / (sxx * syy).squareRoot()))
        let df = Double(pairs.count - 2)
        let p = abs(rho) >= 1 ? 0 : regularizedBeta(1 - rho * rho, df / 2, 0.5)
        return SpearmanResult(rho: rho, p: p, n: pairs.count)
    }

    /// Relative accuracy at which the continued fractions and series of the special functions stop.
    static let specialFunctionTolerance = Double.ulpOfOne
    /// Iteration cap of the continued fractions and series (reached only for extreme arguments).
    static let specialFunctionMaximumIterations = 10_000

    /// P(χ²_ν ≥ x), the χ² survival function: the regularised upper incomplete gamma Q(ν/2, x/2)
    /// (series for x < a + 1, else Lentz's continued fraction; Numerical Recipes §6.2).
    static func chiSquaredSurvival(_ x: Double, degreesOfFreedom nu: Double) -> Double {
        guard x > 0 else { return 1 }
        let a = nu / 2, z = x / 2
        let front = exp(-z + a * log(z) - lgamma(a))
        if z < a + 1 {
            var term = 1 / a, sum = term, ap = a
            for _ in 0 ..< specialFunctionMaximumIterations {
                ap += 1; term *= z / ap; sum += term
                if abs(term) < abs(sum) * specialFunctionTolerance { break }
            }
            return Swift.max(0, 1 - sum * front)
        }
        let tiny = Double.leastNormalMagnitude / Double.ulpOfOne
        var b = z + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1 ... specialFunctionMaximumIterations {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b; if abs(d) < tiny { d = tiny }
            c = b + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < specialFunctionTolerance { break }
        }
        return Swift.min(1, front * h)
    }

    /// The regularised incomplete beta function I_x(a, b) (Lentz's continued fraction, using
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where that converges faster; Numerical Recipes §6.4).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * betaContinuedFraction(x, a, b) / a }
        return 1 - front * betaContinuedFraction(1 - x, b, a) / b
    }

    private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = Double.leastNormalMagnitude / Double.ulpOfOne
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1 ... specialFunctionMaximumIterations {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < specialFunctionTolerance { break }
        }
        return h
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
