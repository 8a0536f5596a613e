// Interface geometry and frame transforms of the synthetic generator.
//
// Scenes are drawn in a CANONICAL frame with the anode at the bottom, then
// mapped to the requested side by an exact 90° rotation (or 180° for `top`),
// so every truth number that depends only on distances is identical on all
// four sides. The interface is a polyline (x-monotonic in the canonical frame,
// one vertex every `step` px plus the last column); it IS the geometric
// boundary: a canonical pixel belongs to the anode when its centre lies below
// the polyline. Depth (docs/REFERENCE.md §4) = signed Euclidean distance from a pixel
// centre to the nearest point of the polyline, positive into the electrolyte.

import DendrometerCore
import Foundation

/// The anode/electrolyte boundary in the canonical frame (anode at the bottom, y down).
struct CanonicalInterface: Sendable {
    /// Canonical width, px.
    let width: Int
    /// Vertex x coordinates, px: 0, step, 2·step, …, width − 1.
    let xs: [Double]
    /// Vertex y coordinates, px.
    let ys: [Double]
    /// Vertex spacing, px.
    let step: Int
    /// Cumulative arc length at each vertex, px.
    let arc: [Double]

    /// A polyline through `(x, f(x))` for x = 0, step, …, width − 1.
    init(width: Int, step: Int = 8, _ f: (Double) -> Double) {
        precondition(width >= 2 && step >= 1)
        var xs: [Double] = Array(stride(from: 0, to: width - 1, by: step)).map(Double.init)
        xs.append(Double(width - 1))
        self.width = width
        self.step = step
        self.xs = xs
        self.ys = xs.map(f)
        var arc = [0.0]
        for i in 1 ..< xs.count { arc.append(arc[i - 1] + hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1])) }
        self.arc = arc
    }

    /// Total arc length, px.
    var length: Double { arc.last! }

    /// Index of the segment covering column `x` (clamped to the polyline).
    @inline(__always) func segment(atColumn x: Double) -> Int {
        min(max(Int(saturating: x) / step, 0), xs.count - 2)
    }

    /// The polyline's y at column `x` (linear interpolation), px.
    func y(atColumn x: Double) -> Double {
        let i = segment(atColumn: x)
        let t = (x - xs[i]) / (xs[i + 1] - xs[i])
        return ys[i] + t * (ys[i + 1] - ys[i])
    }

    /// dy/dx of the segment covering column `x`.
    func slope(atColumn x: Double) -> Double {
        let i = segment(atColumn: x)
        return (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])
    }

    /// Signed distance from (x, y) to the polyline (positive above it, i.e. into the
    /// electrolyte) and the arc-length position of the nearest point, both px.
    ///
    /// Exact: the vertical distance `dv` to the polyline bounds the true distance,
    /// so only segments within `dv` columns of `x` can hold the nearest point.
    func signedDistance(x: Double, y: Double) -> (depth: Double, arc: Double) {
        let yp = self.y(atColumn: x)
        let dv = abs(yp - y)
        let lo = min(xs.count - 2, max(0, Int(saturating: ((x - dv) / Double(step)).rounded(.down)) - 1))
        let hi = min(xs.count - 2, Int(saturating: ((x + dv) / Double(step)).rounded(.down)) + 1)
        var best = Double.infinity, bestArc = 0.0
        for i in lo ... max(lo, hi) {
            let ax = xs[i], ay = ys[i], bx = xs[i + 1], by = ys[i + 1]
            let dx = bx - ax, dy = by - ay
            let len2 = dx * dx + dy * dy
            var t = ((x - ax) * dx + (y - ay) * dy) / len2
            t = min(max(t, 0), 1)
            let px = ax + t * dx - x, py = ay + t * dy - y
            let d2 = px * px + py * py
            if d2 < best { best = d2; bestArc = arc[i] + t * (arc[i + 1] - arc[i]) }
        }
        let d = best.squareRoot()
        return (y < yp ? d : (y > yp ? -d : 0), bestArc)
    }
}

/// Maps canonical coordinates (anode at the bottom, `cw × ch` px) to the final
/// frame with the anode on `side`. Exact for pixel centres and continuous points.
struct SideTransform: Sendable {
    let side: AnodeSide
    /// Canonical width and height, px.
    let cw: Int, ch: Int

    /// Final width, px.
    var width: Int { side == .left || side == .right ? ch : cw }
    /// Final height, px.
    var height: Int { side == .left || side == .right ? cw : ch }

    /// Canonical size for a final `width × height` field with the anode on `side`.
    static func canonicalSize(width: Int, height: Int, side: AnodeSide) -> (cw: Int, ch: Int) {
        side == .left || side == .right ? (height, width) : (width, height)
    }

    /// Final coordinates of canonical point (x, y).
    func map(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        switch side {
        case .bottom: (x, y)
        case .top: (Double(cw - 1) - x, Double(ch - 1) - y)
        case .left: (Double(ch - 1) - y, x)
        case .right: (y, Double(cw - 1) - x)
        }
    }

    /// Canonical index of final pixel (xf, yf).
    @inline(__always) func canonicalIndex(_ xf: Int, _ yf: Int) -> Int {
        switch side {
        case .bottom: yf * cw + xf
        case .top: (ch - 1 - yf) * cw + (cw - 1 - xf)
        case .left: (ch - 1 - xf) * cw + yf
        case .right: xf * cw + (cw - 1 - yf)
        }
    }

    /// A canonical row-major array rearranged into the final frame.
    func apply<T>(_ a: [T]) -> [T] {
        precondition(a.count == cw * ch)
        if side == .bottom { return a }
        let w = width, h = height
        return [T](unsafeUninitializedCapacity: w * h) { out, n in
            a.withUnsafeBufferPointer { src in
                for yf in 0 ..< h {
                    for xf in 0 ..< w {
                        (out.baseAddress! + yf * w + xf).initialize(to: src[canonicalIndex(xf, yf)])
                    }
                }
            }
            n = w * h
        }
    }

    /// A canonical rectangle (px) in final coordinates.
    func map(_ r: PixelRect) -> PixelRect {
        let a = map(Double(r.x), Double(r.y))
        let b = map(Double(r.x + r.width - 1), Double(r.y + r.height - 1))
        let x0 = Int(saturating: min(a.x, b.x)), y0 = Int(saturating: min(a.y, b.y))
        let x1 = Int(saturating: max(a.x, b.x)), y1 = Int(saturating: max(a.y, b.y))
        return PixelRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
    }
}

/// Small deterministic sampling helpers on ``SplitMix64``.
extension SplitMix64 {
    /// Uniform in [0, 1).
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// Uniform in [a, b).
    @inline(__always) mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
    /// Poisson-distributed count with mean `lambda` (Knuth for λ < 30, normal approximation above).
    mutating func poisson(_ lambda: Double) -> Double {
        if lambda <= 0 { return 0 }
        if lambda >= 30 { return max(0, (lambda + lambda.squareRoot() * normal()).rounded()) }
        let l = exp(-lambda)
        var k = 0.0, p = 1.0
        repeat { k += 1; p *= unit() } while p > l
        return k - 1
    }
    /// A generator for an independent sub-stream `stream` of `seed`.
    static func stream(_ seed: UInt64, _ stream: UInt64) -> SplitMix64 {
        var g = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = g.next()
        return SplitMix64(seed: g.next())
    }
}

/// A cheap integer hash (for per-cell random values without storing them).
@inline(__always) func hash3(_ a: Int, _ b: Int, _ seed: UInt64) -> UInt64 {
    var z = seed &+ UInt64(bitPattern: Int64(a)) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bitPattern: Int64(b)) &* 0xC2B2_AE3D_27D4_EB4F
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// `hash3` as a uniform value in [0, 1).
@inline(__always) func hashUnit(_ a: Int, _ b: Int, _ seed: UInt64) -> Double {
    Double(hash3(a, b, seed) >> 11) * 0x1p-53
}
