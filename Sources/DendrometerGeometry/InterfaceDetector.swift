// Finding the anode/electrolyte interface in a phase mask.
//
// Method (documented in DESIGN.md §4, "the boundary of the continuous anode
// layer ... not fooled by dendrites rising from it"):
// 1. For each candidate side, walk every line perpendicular to that edge from
//    the edge inward and record the layer height h(u): where the phase first
//    gives way to ≥ `gapTolerance` background pixels (so noise holes in the
//    layer do not stop the walk). The anode side is the one whose layer is
//    continuous: the largest 10th percentile of h(u) (a speckled cathode or
//    stray pores have a low percentile; dendrites only raise the high ones).
// 2. Dendrites rising from the layer make h(u) spike upward, never downward,
//    so each knot takes a LOW quantile (25th percentile) of h over a window
//    along the interface.
// 3. A quadratic (tilt + gentle curvature) is fitted to the knots by
//    iteratively reweighted least squares with Tukey's biweight (Mosteller &
//    Tukey 1977). Each knot then departs from the fit by a low quantile of the
//    DETRENDED heights in its window (clipped, median-smoothed), which removes
//    the bias a quantile has on a sloped window and follows mild waviness.
// The interface lies half a pixel above the last layer pixel (pixel edges).

import DendrometerCore
import Foundation

/// The outcome of interface detection.
public struct InterfaceDetection: Sendable {
    /// The interface, or nil when no continuous anode layer is in view.
    public var interface: Interface?
    /// The chosen side (nil when none qualifies).
    public var side: AnodeSide?
    /// Layer-continuity score of every side examined: 10th percentile of the layer height, px.
    public var sideScores: [AnodeSide: Double]
    /// Human-readable explanation of the choice.
    public var explanation: String
}

/// Finds the anode layer and its boundary in a phase mask.
public enum InterfaceDetector {
    /// Tuning parameters; lengths in px.
    public struct Parameters: Sendable, Equatable {
        /// Background pixels in a row that end the anode layer (shorter gaps are noise).
        public var gapTolerance = 3
        /// Minimum 10th-percentile layer thickness for a side to hold an anode, px.
        public var minimumLayerThickness = 4.0
        /// Minimum share of phase pixels in the layer band for a side to count as an anode.
        public var minimumSolidity = 0.9
        /// A layer thicker than this fraction of the image extent leaves no electrolyte and is rejected.
        public var maximumLayerFraction = 0.9
        /// Number of knots across the image.
        public var knots = 17
        /// Half-width of each knot's window as a fraction of the interface length.
        public var windowFraction = 1.0 / 16
        /// Low quantile of the layer height taken in each window.
        public var quantile = 0.25
        /// Quantile of the detrended layer heights in each window (second pass).
        public var detrendedQuantile = 0.4
        /// Largest departure of a knot from the smooth fit, as a fraction of the interface length.
        public var maximumWaviness = 0.02

        /// Default parameters.
        public init() {}
    }

    /// Detects the interface of the anode layer in `mask` (phase = anode material,
    /// usually the same phase as the dendrites).
    ///
    /// - Parameters:
    ///   - mask: phase mask of shape (rows, cols), typically the scanned field without the data bar.
    ///   - side: the anode side if known (`--anode SIDE`), nil to decide.
    /// - Returns: the interface and the reasoning; `interface == nil` when no side has a continuous layer.
    public static func detect(in mask: BinaryMask, side: AnodeSide? = nil,
                              parameters p: Parameters = Parameters()) -> InterfaceDetection {
        guard mask.width >= 2, mask.height >= 2 else {
            return InterfaceDetection(interface: nil, side: nil, sideScores: [:], explanation: "image too small for an interface")
        }
        let candidates = side.map { [$0] } ?? AnodeSide.allCases
        var heights: [AnodeSide: [Int]] = [:]
        var scores: [AnodeSide: Double] = [:]
        var solidity: [AnodeSide: Double] = [:]
        for s in candidates {
            let h = layerHeights(mask, side: s, gap: p.gapTolerance)
            heights[s] = h
            let thickness = quantile(h.map(Double.init), 0.10)
            // A real anode layer is solid; a noisy half-filled phase (e.g. the
            // darker half of a granular electrolyte) also yields long runs but not
            // a solid band. Solidity: phase share of the band below the thickness.
            let fill = layerSolidity(mask, side: s, thickness: Int(thickness))
            solidity[s] = fill
            // A "layer" filling (nearly) the whole image leaves no electrolyte: not an anode.
            let room = Double(s.extent(width: mask.width, height: mask.height))
            scores[s] = fill >= p.minimumSolidity && thickness < p.maximumLayerFraction * room ? thickness : 0
        }
        let ranked = candidates.sorted { scores[$0]! > scores[$1]! }
        let best = ranked[0]
        let describe = ranked.map {
            "\($0.rawValue) \(PixelSizeText.short(scores[$0]!)) px (solid \(Int((100 * solidity[$0]!).rounded())) %)"
        }.joined(separator: ", ")
        guard scores[best]! >= p.minimumLayerThickness else {
            return InterfaceDetection(
                interface: nil, side: nil, sideScores: scores,
                explanation: "no continuous anode layer along any examined edge (10th-percentile layer thickness: \(describe); need ≥ \(PixelSizeText.short(p.minimumLayerThickness)) px)")
        }
        let interface = fit(heights[best]!, side: best, width: mask.width, height: mask.height, parameters: p)
        let why = side == nil
            ? "anode at the \(best.rawValue): the most continuous layer (10th-percentile thickness \(describe))"
            : "anode at the \(best.rawValue) (given)"
        return InterfaceDetection(interface: interface, side: best, sideScores: scores, explanation: why)
    }

    /// Share of phase pixels in the band of `thickness` px along the `side` edge.
    static func layerSolidity(_ mask: BinaryMask, side: AnodeSide, thickness: Int) -> Double {
        let w = mask.width, h = mask.height
        let length = side.length(width: w, height: h)
        let t = min(thickness, side.extent(width: w, height: h))
        guard t > 0 else { return 0 }
        // The band is rows (top/bottom) or row segments (left/right): count row by row.
        var phase = 0
        mask.bits.withUnsafeBufferPointer { bits in
            switch side {
            case .top, .bottom:
                for v in 0 ..< t {
                    let row = side.index(u: 0, v: v, width: w, height: h)
                    for x in 0 ..< w { phase &+= Int(bits[row + x]) }
                }
            case .left, .right:
                let x0 = side == .left ? 0 : w - t
                for y in 0 ..< h { for x in x0 ..< x0 + t { phase &+= Int(bits[y * w + x]) } }
            }
        }
        return Double(phase) / Double(length * t)
    }

    /// Layer height h(u) from the `side` edge, for every position u along it.
    static func layerHeights(_ mask: BinaryMask, side: AnodeSide, gap: Int) -> [Int] {
        let w = mask.width, h = mask.height
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        var result = [Int](repeating: 0, count: length)
        if side == .top || side == .bottom {
            // Columns walked together row by row from the edge (row-major memory
            // order), each column stopping as the per-column walk below would.
            mask.bits.withUnsafeBufferPointer { bits in
                result.withUnsafeMutableBufferPointer { out in
                    parallelBands(length, minimumPerBand: 256) { band in
                        var run = [Int](repeating: 0, count: band.count)
                        var active = [Bool](repeating: true, count: band.count), live = band.count
                        var v = 0
                        while v < extent && live > 0 {
                            let row = side.index(u: 0, v: v, width: w, height: h)
                            for k in 0 ..< band.count where active[k] {
                                let u = band.lowerBound + k
                                if bits[row + u] != 0 {
                                    out[u] = v + 1
                                    run[k] = 0
                                } else {
                                    run[k] += 1
                                    if run[k] >= gap || out[u] == 0 { active[k] = false; live -= 1 }
                                }
                            }
                            v += 1
                        }
                    }
                }
            }
            return result
        }
        mask.bits.withUnsafeBufferPointer { bits in
            result.withUnsafeMutableBufferPointer { out in
                parallelBands(length, minimumPerBand: 64) { band in
                    for u in band {
                        var top = 0, run = 0, v = 0
                        while v < extent {
                            if bits[side.index(u: u, v: v, width: w, height: h)] != 0 {
                                top = v + 1
                                run = 0
                            } else {
                                run += 1
                                if run >= gap || top == 0 { break }
                            }
                            v += 1
                        }
                        out[u] = top
                    }
                }
            }
        }
        return result
    }

    static func fit(_ heights: [Int], side: AnodeSide, width: Int, height: Int, parameters p: Parameters) -> Interface {
        let length = heights.count
        let k = max(2, min(p.knots, length))
        let half = max(4, Int(Double(length) * p.windowFraction))
        var us = [Double](), qs = [Double]()
        for i in 0 ..< k {
            let u = Double(i) * Double(length - 1) / Double(k - 1)
            let lo = max(0, Int(u) - half), hi = min(length - 1, Int(u) + half)
            let window = heights[lo ... hi].map(Double.init)
            us.append(u)
            qs.append(quantile(window, p.quantile) - 0.5) // boundary half a pixel above the last layer pixel
        }
        let coefficients = robustQuadratic(us, qs)
        let model: (Double) -> Double = { coefficients.0 + coefficients.1 * $0 + coefficients.2 * $0 * $0 }
        let smooth = us.map(model)
        // Second pass on detrended heights: a low quantile of a sloped window is
        // biased by the slope; of the residuals it is not.
        var residuals = us.map { u -> Double in
            let lo = max(0, Int(u) - half), hi = min(length - 1, Int(u) + half)
            let r = (lo ... hi).map { Double(heights[$0]) - 0.5 - model(Double($0)) }
            return quantile(r, p.detrendedQuantile)
        }
        residuals = median3(residuals)
        let limit = max(2, p.maximumWaviness * Double(length))
        let vs = zip(smooth, residuals).map { $0 + min(limit, max(-limit, $1)) }
        return Interface(side: side, width: width, height: height, knotsU: us, knotsV: vs)
    }

    /// Tukey-biweight IRLS fit of v = a + b·u + c·u² (u scaled internally).
    static func robustQuadratic(_ u: [Double], _ v: [Double]) -> (Double, Double, Double) {
        let scale = max(1, u.max() ?? 1)
        let x = u.map { $0 / scale }
        var w = [Double](repeating: 1, count: u.count)
        var coef = (0.0, 0.0, 0.0)
        for _ in 0 ..< 10 {
            // Weighted normal equations for [1, x, x²].
            var m = [[Double]](repeating: [0, 0, 0], count: 3), r = [0.0, 0, 0]
            for i in x.indices {
                let basis = [1, x[i], x[i] * x[i]]
                for a in 0 ..< 3 {
                    r[a] += w[i] * basis[a] * v[i]
                    for b in 0 ..< 3 { m[a][b] += w[i] * basis[a] * basis[b] }
                }
            }
            guard let sol = solve3(m, r) else { break }
            coef = (sol[0], sol[1], sol[2])
            let res = x.indices.map { v[$0] - (sol[0] + sol[1] * x[$0] + sol[2] * x[$0] * x[$0]) }
            let mad = quantile(res.map(abs), 0.5)
            let c = 4.685 * max(mad / 0.6745, 0.5)
            w = res.map { abs($0) < c ? pow(1 - ($0 / c) * ($0 / c), 2) : 0 }
        }
        return (coef.0, coef.1 / scale, coef.2 / (scale * scale))
    }

    static func solve3(_ m: [[Double]], _ r: [Double]) -> [Double]? {
        var a = m, b = r
        for col in 0 ..< 3 {
            guard let pivot = (col ..< 3).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot); b.swapAt(col, pivot)
            for row in 0 ..< 3 where row != col {
                let f = a[row][col] / a[col][col]
                for c in col ..< 3 { a[row][c] -= f * a[col][c] }
                b[row] -= f * b[col]
            }
        }
        return (0 ..< 3).map { b[$0] / a[$0][$0] }
    }

    static func median3(_ x: [Double]) -> [Double] {
        guard x.count >= 3 else { return x }
        return x.indices.map { i in
            let lo = max(0, i - 1), hi = min(x.count - 1, i + 1)
            let w = x[lo ... hi].sorted()
            return w[w.count / 2]
        }
    }
}

/// Linear-interpolated quantile of `values` (q in [0, 1]); 0 for an empty array.
func quantile(_ values: [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let s = values.sorted()
    let pos = q * Double(s.count - 1)
    let lo = Int(pos.rounded(.down)), hi = min(s.count - 1, lo + 1)
    return s[lo] + (pos - Double(lo)) * (s[hi] - s[lo])
}

enum PixelSizeText {
    static func short(_ v: Double) -> String { String(format: "%.1f", v) }
}
