// Fitting the anode layer's edge under dendrites: a one-sided robust curve fit.
//
// Physics. The layer height h(u) (distance from the image edge to the end of
// the anode layer, at every position u along the interface) follows the
// layer's edge where the electrolyte touches it and jumps UP wherever a
// dendrite rises from it: dendrites never lower h. Where dendrites are dense
// (wide flame bases, a network resting on the anode) most h(u) are dendrite
// points, so neither a mean nor a low quantile finds the edge. The edge is the
// lowest curve that many points lie on. A pressed pellet's anode surface is
// flat to within a small bow: the curve is a quadratic whose sagitta (largest
// departure from its chord) is at most `maximumSagittaFraction` of the
// interface length, which keeps a curve from bending up around a flame.
//
// Method. Two candidates, and the one more points support wins:
// 1. Annealed one-sided least squares (asymmetric baseline fitting in the
//    manner of Eilers' asymmetric least squares): from a quadratic through the
//    windows' low quantiles, points more than `tol` above the curve get weight
//    0 (dendrites), points below a Tukey biweight (edge roughness; holes in
//    the layer rejected). `tol` starts at the 90th percentile of |residual|
//    and shrinks by `annealingDecay` per iteration to 3 σ (σ: the edge's
//    roughness, from differences of neighbouring heights, which dendrites
//    rarely affect), so the curve descends onto the edge instead of stopping
//    on the first plateau it meets.
// 2. RANSAC (Fischler & Bolles 1981): quadratics through deterministic random
//    triples of heights, bow-limited, scored by the points within 3 σ; the best
//    is refined by the same one-sided least squares at 3 σ.
// Selection: the candidate with more heights within ±`selectionBand` of it,
// minus those further below it (a curve with points below it is not the edge).
// A bow is kept only if every third of the interface shows edge points on the
// curve; where a dendrite base hides a third, the bow would be extrapolated,
// and a straight edge is fitted instead.
//
// Worked example: h = 40 on u = 0…299 except a flame base h = 90 on u = 100…199:
// a least-squares line would sit at 56.7; the one-sided fit gives 40 (the flame
// points lie > 3 σ above it and get no weight), and RANSAC finds the 200 points
// at 40 as well.

import DendrometerCore
import Foundation

/// The edge of the anode layer from its layer heights, fitted as a bow-limited quadratic.
enum EdgeCurveFit {
    /// A quadratic v = a + b·x + c·x² in x = u / scale.
    struct Curve {
        var a: Double, b: Double, c: Double
        var scale: Double

        func value(atU u: Double) -> Double {
            let x = u / scale
            return a + b * x + c * x * x
        }

        /// dv/du at `u`.
        func slope(atU u: Double) -> Double {
            (b + 2 * c * u / scale) / scale
        }
    }

    /// Tukey's biweight tuning constant (95 % efficiency at the normal distribution).
    static let biweightConstant = 4.685
    /// Median absolute deviation × this = σ for normal noise.
    static let madToSigma = 1.4826
    /// The annealed tolerance starts at this percentile of |residual|.
    static let annealingStartPercentile = 0.9
    /// … and is multiplied by this each iteration until it reaches 3 σ.
    static let annealingDecay = 0.7
    /// Below the curve, the biweight's width follows the tolerance by this factor (≥ 4.685 σ).
    static let lowerWidthPerTolerance = 1.56
    /// Iterations of the annealed fit.
    static let annealingIterations = 60
    /// Iterations of the fixed-tolerance refinement.
    static let refinementIterations = 20
    /// RANSAC: triples tried, candidate positions they are drawn from, and heights scored.
    static let ransacTriples = 3000, ransacPositions = 256, ransacScoredPoints = 2048
    /// RANSAC: the three points must span at least this fraction of the heights' extent.
    static let ransacMinimumSpan = 0.2
    /// RANSAC's seed (results are deterministic).
    static let ransacSeed: UInt64 = 0x5EED

    /// Fits the layer's edge to heights `v` at positions `u` (px), `length` px long.
    ///
    /// - Parameters:
    ///   - start: a first quadratic (e.g. through the windows' low quantiles) at the same positions.
    /// - Returns: the edge curve, and the residual above which a height is a dendrite (px).
    ///   - sigma: the edge's roughness, px (``edgeRoughness(differences:floor:)``).
    static func fit(u: [Double], v: [Double], start: (u: [Double], v: [Double]), length: Int, sigma: Double,
                    parameters p: InterfaceDetector.Parameters) -> (Curve, Double) {
        let scale = max(1, u.max() ?? 1)
        let x = u.map { $0 / scale }
        let tolerance = p.dendriteResidualWidths * sigma
        // Largest |c| (x in 0…1): sagitta c/4 ≤ fraction × length.
        let cMax = 4 * p.maximumSagittaFraction * Double(length)
        let startX = start.u.map { $0 / scale }
        var annealed = weightedQuadratic(startX, start.v, weights: [Double](repeating: 1, count: startX.count), cMax: cMax) ?? (start.v.first ?? 0, 0, 0)
        annealed = oneSided(x, v, from: annealed, sigma: sigma, tolerance: p.dendriteResidualWidths, cMax: cMax, anneal: true)
        var candidates = [annealed]
        if let r = ransac(x, v, sigma: sigma, tolerance: tolerance, cMax: cMax) {
            candidates.append(oneSided(x, v, from: r, sigma: sigma, tolerance: p.dendriteResidualWidths, cMax: cMax, anneal: false))
        }
        let band = max(tolerance, p.curveSelectionBandFraction * Double(length))
        func support(_ c: (Double, Double, Double)) -> Int {
            var inside = 0, below = 0
            for i in x.indices {
                let r = v[i] - (c.0 + c.1 * x[i] + c.2 * x[i] * x[i])
                if abs(r) <= band { inside += 1 } else if r < -band { below += 1 }
            }
            return inside - below
        }
        var best = candidates[0], bestSupport = support(best)
        for c in candidates.dropFirst() {
            let s = support(c)
            if s > bestSupport { best = c; bestSupport = s }
        }
        // A bow is only believed where the edge is seen along the whole interface: if a third of
        // it shows (almost) no edge point on the curve (a wide dendrite base hides it), the curve
        // there is an extrapolation of the bow, and a straight edge is the safer guess.
        if best.2 != 0, !supportsBow(x, v, best, tolerance: tolerance, minimumShare: p.minimumEdgeShareOfWindow) {
            best = oneSided(x, v, from: (best.0, best.1, 0), sigma: sigma, tolerance: p.dendriteResidualWidths, cMax: 0, anneal: true)
        }
        return (Curve(a: best.0, b: best.1, c: best.2, scale: scale), tolerance)
    }

    /// Whether every third of the heights (by position) has at least `minimumShare` of its
    /// points within `tolerance` of the curve.
    static func supportsBow(_ x: [Double], _ v: [Double], _ c: (Double, Double, Double), tolerance: Double, minimumShare: Double) -> Bool {
        guard let lo = x.first, let hi = x.last, hi > lo else { return true }
        var inside = [0, 0, 0], count = [0, 0, 0]
        for i in x.indices {
            let third = min(2, Int(saturating: 3 * (x[i] - lo) / (hi - lo)))
            count[third] += 1
            if abs(v[i] - (c.0 + c.1 * x[i] + c.2 * x[i] * x[i])) <= tolerance { inside[third] += 1 }
        }
        return (0 ..< 3).allSatisfy { count[$0] == 0 || Double(inside[$0]) >= minimumShare * Double(count[$0]) }
    }

    /// The edge's roughness σ, px, from the differences of neighbouring layer heights: their
    /// robust σ (1.4826 × median |d|) / √2. Dendrite steps are a minority of the differences.
    static func edgeRoughness(differences d: [Double], floor: Double) -> Double {
        guard !d.isEmpty else { return floor }
        return max(floor, madToSigma * quantile(d.map(abs), 0.5) / 2.0.squareRoot())
    }

    /// One-sided IRLS: weight 0 above `tol`, 1 from 0 to `tol`, a biweight below.
    static func oneSided(_ x: [Double], _ v: [Double], from start: (Double, Double, Double), sigma: Double,
                         tolerance widths: Double, cMax: Double, anneal: Bool) -> (Double, Double, Double) {
        var c = start
        let floorTol = widths * sigma
        var tol = floorTol
        if anneal {
            let r = x.indices.map { abs(v[$0] - (c.0 + c.1 * x[$0] + c.2 * x[$0] * x[$0])) }
            tol = max(floorTol, quantile(r, annealingStartPercentile))
        }
        var w = [Double](repeating: 0, count: x.count)
        for _ in 0 ..< (anneal ? annealingIterations : refinementIterations) {
            let lower = max(biweightConstant * sigma, lowerWidthPerTolerance * tol)
            var used = 0
            for i in x.indices {
                let r = v[i] - (c.0 + c.1 * x[i] + c.2 * x[i] * x[i])
                if r > tol { w[i] = 0 } else if r >= 0 { w[i] = 1 } else if -r < lower {
                    let t = r / lower
                    w[i] = (1 - t * t) * (1 - t * t)
                } else { w[i] = 0 }
                if w[i] > 0 { used += 1 }
            }
            guard used >= 3, let next = weightedQuadratic(x, v, weights: w, cMax: cMax) else { break }
            let shift = abs(next.0 - c.0) + abs(next.1 - c.1) + abs(next.2 - c.2)
            c = next
            if anneal { tol = max(floorTol, tol * annealingDecay) } else if shift < 1e-3 { break }
        }
        return c
    }

    /// RANSAC over deterministic random triples; nil when there are too few heights.
    static func ransac(_ x: [Double], _ v: [Double], sigma: Double, tolerance: Double, cMax: Double) -> (Double, Double, Double)? {
        guard x.count >= 8 else { return nil }
        let positions = (0 ..< min(ransacPositions, x.count)).map { $0 * (x.count - 1) / max(1, min(ransacPositions, x.count) - 1) }
        let step = max(1, x.count / ransacScoredPoints)
        let scored = Array(stride(from: 0, to: x.count, by: step))
        let sx = scored.map { x[$0] }, sv = scored.map { v[$0] }
        let span = (x.last ?? 1) - (x.first ?? 0)
        var rng = SplitMix64(seed: ransacSeed)
        var best: (Double, Double, Double)?, bestCount = -1
        for _ in 0 ..< ransacTriples {
            var pick = [Int]()
            while pick.count < 3 {
                let k = positions[Int(rng.next() % UInt64(positions.count))]
                if !pick.contains(k) { pick.append(k) }
            }
            pick.sort()
            let (i, j, k) = (pick[0], pick[1], pick[2])
            guard x[k] - x[i] >= ransacMinimumSpan * span else { continue }
            guard let c = weightedQuadratic([x[i], x[j], x[k]], [v[i], v[j], v[k]], weights: [1, 1, 1], cMax: .infinity),
                  abs(c.2) <= cMax else { continue }
            // A triple is kept only if it explains more points than the best so far: once it has
            // missed so many that it no longer can, the rest of its count is not needed.
            var count = 0, misses = 0
            let allowedMisses = sx.count - bestCount
            for s in sx.indices {
                if abs(sv[s] - (c.0 + c.1 * sx[s] + c.2 * sx[s] * sx[s])) <= tolerance {
                    count += 1
                } else {
                    misses += 1
                    if misses >= allowedMisses { break }
                }
            }
            if count > bestCount { best = c; bestCount = count }
        }
        return best
    }

    /// Weighted least squares of v = a + b·x + c·x², |c| clamped to `cMax` (then a, b refitted).
    static func weightedQuadratic(_ x: [Double], _ v: [Double], weights w: [Double], cMax: Double) -> (Double, Double, Double)? {
        var m = [[Double]](repeating: [0, 0, 0], count: 3), rhs = [0.0, 0, 0]
        for i in x.indices where w[i] > 0 {
            let basis = [1, x[i], x[i] * x[i]]
            for a in 0 ..< 3 {
                rhs[a] += w[i] * basis[a] * v[i]
                for b in 0 ..< 3 { m[a][b] += w[i] * basis[a] * basis[b] }
            }
        }
        if let s = InterfaceDetector.solve3(m, rhs), abs(s[2]) <= cMax { return (s[0], s[1], s[2]) }
        // Too bowed (or singular): fix c at the bow limit (sign of the free fit) and refit the line.
        let free = InterfaceDetector.solve3(m, rhs)
        let c = free.map { $0[2] < 0 ? -cMax : cMax } ?? 0
        guard c.isFinite else { return nil }
        var s00 = 0.0, s01 = 0.0, s11 = 0.0, r0 = 0.0, r1 = 0.0
        for i in x.indices where w[i] > 0 {
            let y = v[i] - c * x[i] * x[i]
            s00 += w[i]; s01 += w[i] * x[i]; s11 += w[i] * x[i] * x[i]
            r0 += w[i] * y; r1 += w[i] * x[i] * y
        }
        let det = s00 * s11 - s01 * s01
        guard abs(det) > 1e-12 else { return s00 > 0 ? (r0 / s00, 0, 0) : nil }
        return ((r0 * s11 - r1 * s01) / det, (s00 * r1 - s01 * r0) / det, c)
    }
}
