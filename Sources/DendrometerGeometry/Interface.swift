// The anode/electrolyte interface as a polyline, and signed depth.
//
// Depth (docs/REFERENCE.md §4) of a point is its signed perpendicular distance to the
// interface polyline, positive into the electrolyte. The polyline is a graph
// v = g(u) in the interface frame (see AnodeSide.swift), sampled at knots
// spanning the whole image; beyond the first and last knots it continues as
// straight rays. For a graph, the sign of the perpendicular distance equals
// the sign of the vertical offset v − g(u), and the nearest point lies within
// |v − g(u)| of u along the interface; segments are examined outward from
// the one under u until no farther segment can come closer than the best
// found, skipping those whose v-range is too far (usually one or two per point).
//
// The stop uses the polyline's steepest slope m = max |dv/du| (a Lipschitz
// bound: |g(u') − g(u)| ≤ m·|u' − u|). A polyline point at |u' − u| = t is at
// least √(t² + max(0, h − m·t)²) away, h = |v − g(u)|; that bound grows with t
// beyond t* = h·m / (1 + m²), so once a segment's nearer end lies beyond t*
// with the bound ≥ the best distance, no segment farther out can win. Example:
// a flat interface (m = 0) and a point 2000 px deep: the vertical distance is
// final after the segment under u, where the bound t² alone would have walked
// every segment within 2000 px along the interface.

import DendrometerCore
import Foundation

/// The anode/electrolyte interface: a polyline across the image.
public struct Interface: Sendable, Equatable {
    /// Side of the image the anode layer lies along.
    public var side: AnodeSide
    /// Image width, px.
    public var width: Int
    /// Image height, px.
    public var height: Int
    /// Knot positions along the interface (u, px), strictly increasing.
    public let knotsU: [Double]
    /// Interface height above the anode edge at each knot (v, px; pixel centres at integers).
    public let knotsV: [Double]
    /// Steepest slope of the polyline, max |Δv/Δu| over its segments (its end rays included).
    public let steepestSlope: Double

    /// An interface from knots in the interface frame. `knotsU` must be strictly increasing, at least two.
    public init(side: AnodeSide, width: Int, height: Int, knotsU: [Double], knotsV: [Double]) {
        precondition(knotsU.count >= 2 && knotsU.count == knotsV.count, "need at least two knots")
        precondition(zip(knotsU, knotsU.dropFirst()).allSatisfy { $0 < $1 }, "knots must increase along the interface")
        self.side = side; self.width = width; self.height = height
        self.knotsU = knotsU; self.knotsV = knotsV
        steepestSlope = zip(zip(knotsU, knotsU.dropFirst()), zip(knotsV, knotsV.dropFirst()))
            .map { u, v in abs((v.1 - v.0) / (u.1 - u.0)) }.max()!
    }

    /// Relative margin by which the distance bound must exceed the best squared distance before
    /// the segment scan stops: far above the rounding of a squared distance (~10⁻¹⁶), so the scan
    /// never skips a segment whose computed distance could still undercut the best by rounding.
    @usableFromInline
    static let boundMargin = 1 + 1e-9

    /// A straight interface at height `v0` (px above the anode edge) tilted by
    /// `slope` (dv/du), spanning the whole image (from the first pixel centre along the edge to
    /// the last; along an edge one pixel long, to one pixel beyond it, as two knots must differ).
    public static func straight(side: AnodeSide, width: Int, height: Int, v0: Double, slope: Double = 0) -> Interface {
        let length = Double(max(1, side.length(width: width, height: height) - 1))
        return Interface(side: side, width: width, height: height, knotsU: [0, length], knotsV: [v0, v0 + slope * length])
    }

    /// The polyline in image coordinates [(x, y)], px, in order along the interface.
    public var pointsPx: [[Double]] {
        zip(knotsU, knotsV).map { u, v in
            let p = side.image(u: u, v: v, width: width, height: height)
            return [p.x, p.y]
        }
    }

    /// Mean direction of the interface, degrees counter-clockwise from +x as seen
    /// on screen, in (−90, 90].
    public var angleDegrees: Double {
        let p = pointsPx
        let dx = p[p.count - 1][0] - p[0][0], dy = p[p.count - 1][1] - p[0][1]
        var a = atan2(-dy, dx) * 180 / .pi
        while a <= -90 { a += 180 }
        while a > 90 { a -= 180 }
        return a
    }

    /// Interface height g(u) in px (linear between knots, extrapolated beyond).
    @inlinable
    public func height(atU u: Double) -> Double {
        height(atU: u, onSegment: segment(containing: u))
    }

    /// g(u) on segment `s` (the one ``segment(containing:)`` gives for `u`).
    @usableFromInline
    func height(atU u: Double, onSegment s: Int) -> Double {
        let t = (u - knotsU[s]) / (knotsU[s + 1] - knotsU[s])
        return knotsV[s] + t * (knotsV[s + 1] - knotsV[s])
    }

    /// Index of the segment [k, k+1] used at `u` (end segments extend as rays): 0 up to and
    /// including knot 1, the last segment from the second-last knot on, else the largest k with
    /// knot k ≤ u. Found from the knots' mean spacing and a short walk (detected interfaces have
    /// evenly spaced knots, so the first guess is right).
    @usableFromInline
    func segment(containing u: Double) -> Int {
        let last = knotsU.count - 2
        if u <= knotsU[1] { return 0 }
        if u >= knotsU[last] { return last }
        guard !u.isNaN else { return 0 }
        let guess = (u - knotsU[0]) / (knotsU[last + 1] - knotsU[0]) * Double(last + 1)
        var k = min(max(Int(saturating: guess), 1), last - 1)
        while knotsU[k] > u { k -= 1 }
        while knotsU[k + 1] <= u { k += 1 }
        return k
    }

    /// ``segment(containing:)`` of u = 0, 1, …, `count` − 1: the segment under each pixel column
    /// along the interface, for callers that ask ``depth(u:v:onSegment:)`` at whole u many times.
    public func segmentsOfWholeU(_ count: Int) -> [Int32] {
        (0 ..< max(0, count)).map { Int32(truncatingIfNeeded: segment(containing: Double($0))) }
    }

    /// Signed perpendicular distance (px) from interface-frame point (u, v) to
    /// the polyline: positive into the electrolyte.
    public func depth(u: Double, v: Double) -> Double {
        depth(u: u, v: v, onSegment: segment(containing: u))
    }

    /// ``depth(u:v:)`` with the segment under `u` known (``segment(containing:)``, e.g. from
    /// ``segmentsOfWholeU(_:)``): the same value, without finding it again.
    public func depth(u: Double, v: Double, onSegment own: Int) -> Double {
        let vertical = v - height(atU: u, onSegment: own)
        let reach = abs(vertical)
        if reach == 0 { return 0 }
        var best = reach * reach
        let n = knotsU.count
        // Squared distance to segment s (end segments continue as rays).
        func distanceSquared(_ s: Int) -> Double {
            let au = knotsU[s], av = knotsV[s], bu = knotsU[s + 1], bv = knotsV[s + 1]
            let du = bu - au, dv = bv - av
            var t = ((u - au) * du + (v - av) * dv) / (du * du + dv * dv)
            if !(s == 0 && t < 0) && !(s == n - 2 && t > 1) { t = min(1, max(0, t)) }
            let pu = au + t * du - u, pv = av + t * dv - v
            return pu * pu + pv * pv
        }
        // Lower bound from the segment's v-range (inner segments only; rays are unbounded).
        func verticalGapSquared(_ s: Int) -> Double {
            if s == 0 || s == n - 2 { return 0 }
            let lo = min(knotsV[s], knotsV[s + 1]), hi = max(knotsV[s], knotsV[s + 1])
            let gap = v > hi ? v - hi : v < lo ? lo - v : 0
            return gap * gap
        }
        // Outward from the segment under u. A segment whose lower bound
        // (|Δu| to its nearer end, plus its v-range gap) is already ≥ the best
        // distance cannot lower it; |Δu| only grows outward, so the scan stops there.
        best = min(best, distanceSquared(own))
        // No segment whose nearer end is `du` ≥ t* along u away can come closer (see the header).
        let m = steepestSlope, turn = reach * m / (1 + m * m)
        func beyondReach(_ du: Double) -> Bool {
            if du * du >= best { return true }
            guard du >= turn else { return false }
            let rise = max(0, reach - m * du)
            return du * du + rise * rise >= best * Self.boundMargin
        }
        var s = own + 1
        while s <= n - 2 {
            let du = knotsU[s] - u
            if beyondReach(du) { break }
            if du * du + verticalGapSquared(s) < best { best = min(best, distanceSquared(s)) }
            s += 1
        }
        s = own - 1
        while s >= 0 {
            let du = u - knotsU[s + 1]
            if beyondReach(du) { break }
            if du * du + verticalGapSquared(s) < best { best = min(best, distanceSquared(s)) }
            s -= 1
        }
        return vertical < 0 ? -best.squareRoot() : best.squareRoot()
    }

    /// Signed depth (px) of image pixel (x, y).
    public func depth(x: Double, y: Double) -> Double {
        let f = side.frame(x: x, y: y, width: width, height: height)
        return depth(u: f.u, v: f.v)
    }

    /// Direction of the interface near position `u`, degrees counter-clockwise
    /// from +x on screen, in [0, 180).
    public func localDirectionDegrees(atU u: Double) -> Double {
        let s = segment(containing: u)
        let a = side.image(u: knotsU[s], v: knotsV[s], width: width, height: height)
        let b = side.image(u: knotsU[s + 1], v: knotsV[s + 1], width: width, height: height)
        var deg = atan2(-(b.y - a.y), b.x - a.x) * 180 / .pi
        while deg < 0 { deg += 180 }
        while deg >= 180 { deg -= 180 }
        return deg
    }
}
