import DendrometerCore
@testable import DendrometerGeometry
import Foundation
import Testing

@Suite("Anode side frame")
struct AnodeSideTests {
    @Test("frame ↔ image is an exact inverse on every side", arguments: AnodeSide.allCases)
    func roundTrip(_ side: AnodeSide) {
        let w = 7, h = 5
        for y in 0 ..< h {
            for x in 0 ..< w {
                let f = side.frame(x: Double(x), y: Double(y), width: w, height: h)
                let back = side.image(u: f.u, v: f.v, width: w, height: h)
                #expect(back.x == Double(x) && back.y == Double(y))
                #expect(side.index(u: Int(f.u), v: Int(f.v), width: w, height: h) == y * w + x)
            }
        }
    }
}

@Suite("Interface depth")
struct InterfaceDepthTests {
    @Test("flat interface at the bottom: depth is the height above it")
    func flat() {
        // Interface 10.5 px above the bottom edge of a 20×30 image (anode rows 19...29 → v 0...10).
        let i = Interface.straight(side: .bottom, width: 20, height: 30, v0: 10.5)
        #expect(i.depth(x: 3, y: 29) == -10.5)   // bottom row: v = 0
        #expect(i.depth(x: 3, y: 0) == 18.5)     // top row: v = 29
        #expect(i.depth(x: 19, y: 14) == 4.5)    // v = 15
    }

    @Test("straight interface along an edge one pixel long: two distinct knots, depth the height above it", arguments: AnodeSide.allCases)
    func edgeOnePixelLong(_ side: AnodeSide) {
        // A 1 × 30 column (or 30 × 1 row) with the anode along its one-pixel edge: the two knots
        // cannot both lie on the edge's only pixel centre, so the line runs one pixel beyond it.
        let (w, h) = side == .bottom || side == .top ? (1, 30) : (30, 1)
        let i = Interface.straight(side: side, width: w, height: h, v0: 4.5)
        #expect(i.knotsU == [0, 1] && i.knotsV == [4.5, 4.5])
        for v in [0, 4, 29] {
            let p = side.image(u: 0, v: Double(v), width: w, height: h)
            #expect(i.depth(x: p.x, y: p.y) == Double(v) - 4.5)
        }
    }

    @Test("tilted interface: perpendicular, not vertical, distance")
    func tilted() {
        // v = 5 + 0.5·u. Point (u, v) = (10, 20): vertical offset 20 − 10 = 10,
        // perpendicular distance 10 / √(1 + 0.25) = 8.94427191.
        let i = Interface.straight(side: .bottom, width: 100, height: 100, v0: 5, slope: 0.5)
        #expect(abs(i.depth(u: 10, v: 20) - 10 / (1.25).squareRoot()) < 1e-9)
        #expect(abs(i.depth(u: 10, v: 0) + 10 / (1.25).squareRoot()) < 1e-9)
        // Beyond the last knot the end segment continues as a ray.
        #expect(abs(i.depth(u: 150, v: 100) - (100 - 80) / (1.25).squareRoot()) < 1e-9)
    }

    @Test("bent polyline: a point above the apex measures to the apex")
    func apex() {
        // Λ-shaped interface with apex (10, 10): a point straight above at (10, 13) is 3 px away.
        let i = Interface(side: .top, width: 21, height: 30, knotsU: [0, 10, 20], knotsV: [0, 10, 0])
        #expect(abs(i.depth(u: 10, v: 13) - 3) < 1e-12)
        // A point inside the bend near one arm: distance to the arm y = u, point (4, 6): |6 − 4| / √2.
        #expect(abs(i.depth(u: 4, v: 6) - 2 / 2.0.squareRoot()) < 1e-12)
    }

    @Test("depth is invariant under moving the anode to another side", arguments: AnodeSide.allCases)
    func sideInvariance(_ side: AnodeSide) {
        let i = Interface.straight(side: side, width: 40, height: 40, v0: 7.5, slope: 0.1)
        let p = side.image(u: 12, v: 30, width: 40, height: 40)
        #expect(abs(i.depth(x: p.x, y: p.y) - (30 - 7.5 - 1.2) / (1.01).squareRoot()) < 1e-9)
    }

    @Test("angle of a straight interface")
    func angle() {
        // Bottom side, v rising by 0.1 per px toward +x: on screen the line rises to the right.
        let i = Interface.straight(side: .bottom, width: 101, height: 50, v0: 10, slope: 0.1)
        #expect(abs(i.angleDegrees - atan(0.1) * 180 / .pi) < 1e-9)
        #expect(abs(Interface.straight(side: .left, width: 50, height: 50, v0: 5).angleDegrees - 90) < 1e-9)
    }
}

/// A mask with an anode layer of height `layer(u)` on `side` and vertical bars.
func anodeMask(width: Int, height: Int, side: AnodeSide, layer: (Double) -> Double,
               bars: [(u: Int, width: Int, height: Int)] = []) -> BinaryMask {
    var mask = BinaryMask(width: width, height: height)
    let length = side.length(width: width, height: height), extent = side.extent(width: width, height: height)
    for u in 0 ..< length {
        let top = layer(Double(u))
        for v in 0 ..< extent where Double(v) + 0.5 <= top {
            mask.bits[side.index(u: u, v: v, width: width, height: height)] = 1
        }
    }
    for b in bars {
        let base = Int(layer(Double(b.u)).rounded(.down))
        for u in b.u ..< b.u + b.width {
            for v in max(0, base - 1) ..< min(extent, base + b.height) {
                mask.bits[side.index(u: u, v: v, width: width, height: height)] = 1
            }
        }
    }
    return mask
}

@Suite("Interface detection")
struct InterfaceDetectorTests {
    @Test("finds the side and the height of a flat layer with dendrites rising from it", arguments: AnodeSide.allCases)
    func flatWithDendrites(_ side: AnodeSide) throws {
        let mask = anodeMask(width: 160, height: 120, side: side, layer: { _ in 20 },
                             bars: [(u: 30, width: 6, height: 40), (u: 90, width: 10, height: 60), (u: 70, width: 3, height: 25)])
        let d = InterfaceDetector.detect(in: mask)
        #expect(d.side == side)
        let i = try #require(d.interface)
        // Layer pixels v = 0…19: the interface lies half a pixel beyond the last one's centre,
        // at 19.5, under the bars too.
        for u in stride(from: 0.0, to: Double(side.length(width: 160, height: 120)), by: 7) {
            #expect(abs(i.height(atU: u) - 19.5) <= 0.01, "\(side) u=\(u): \(i.height(atU: u))")
        }
    }

    @Test("follows a tilted, gently curved layer within a pixel")
    func tiltedCurved() throws {
        let g: (Double) -> Double = { u in 25 + 0.15 * u + 0.0004 * (u - 100) * (u - 100) }
        let mask = anodeMask(width: 200, height: 150, side: .bottom, layer: g,
                             bars: [(u: 40, width: 8, height: 50), (u: 120, width: 12, height: 70)])
        let i = try #require(InterfaceDetector.detect(in: mask).interface)
        for u in stride(from: 0, to: 200, by: 5) {
            #expect(abs(i.height(atU: Double(u)) - g(Double(u))) <= 1.0, "u=\(u)")
        }
    }

    @Test("no continuous layer: no interface, and the reason is given")
    func noAnode() {
        var rng = SplitMix64(seed: 3)
        var mask = BinaryMask(width: 64, height: 64)
        for i in mask.bits.indices where rng.next() % 5 == 0 { mask.bits[i] = 1 }
        let d = InterfaceDetector.detect(in: mask)
        #expect(d.interface == nil)
        #expect(d.explanation.contains("no continuous anode layer"))
    }

    @Test("holes in the layer shorter than the gap tolerance do not stop it")
    func noisyLayer() throws {
        var mask = anodeMask(width: 80, height: 60, side: .top, layer: { _ in 15 })
        for u in stride(from: 0, to: 80, by: 9) { mask[u, 5] = false; mask[u, 6] = false }   // 2-px holes
        let i = try #require(InterfaceDetector.detect(in: mask, side: .top).interface)
        #expect(abs(i.height(atU: 40) - 15) <= 0.5)
    }

    @Test("a hole enclosed across by the layer does not end a line's walk; an opening across many lines does",
          arguments: AnodeSide.allCases)
    func enclosedHoles(_ side: AnodeSide) {
        // A 40-px layer on a 120 × 100 field. Holes 2 lines wide and 6 px long (longer than the
        // 3-px gap tolerance), as shot noise leaves in a metal layer near the threshold's grey,
        // every 10 lines at v = 10 … 15; and an opening 8 lines wide at u = 60 … 67, v = 20 … 27.
        let width = 120, height = 100
        var mask = anodeMask(width: width, height: height, side: side, layer: { _ in 40 })
        func clear(_ us: Range<Int>, _ vs: Range<Int>) {
            for u in us { for v in vs { mask.bits[side.index(u: u, v: v, width: width, height: height)] = 0 } }
        }
        for u0 in stride(from: 5, to: 50, by: 10) { clear(u0 ..< u0 + 2, 10 ..< 16) }
        clear(60 ..< 68, 20 ..< 28)
        let runs = InterfaceDetector.layerRuns(mask, side: side, gap: 3, maximumOuter: 40)
        // Through the enclosed holes the walk reaches the layer's edge: one past v = 39.
        for u0 in stride(from: 5, to: 50, by: 10) {
            #expect(runs.end[u0] == 40 && runs.end[u0 + 1] == 40, "\(side) u=\(u0): \(runs.end[u0]), \(runs.end[u0 + 1])")
        }
        // In the opening's middle lines the layer ends at it (v = 20); at its rims, where one side
        // still has phase within 2 lines, too; a line clear of both reaches the edge.
        for u in 60 ..< 68 { #expect(runs.end[u] == 20, "\(side) u=\(u): \(runs.end[u])") }
        #expect(runs.end[59] == 40 && runs.end[68] == 40)
        // Without the enclosure test (reach 0) every hole ends its lines' walks.
        let plain = InterfaceDetector.layerRuns(mask, side: side, gap: 3, maximumOuter: 40, holeReach: 0)
        #expect(plain.end[5] == 10 && plain.end[6] == 10)
    }
}

@Suite("Integer frame positions")
struct FramePositionTests {
    @Test("framePosition inverts index on every side", arguments: AnodeSide.allCases)
    func inverse(_ side: AnodeSide) {
        let w = 5, h = 3
        for y in 0 ..< h { for x in 0 ..< w {
            let p = side.framePosition(x: x, y: y, width: w, height: h)
            #expect(side.index(u: p.u, v: p.v, width: w, height: h) == y * w + x)
        } }
    }
}

@Suite("Interface depth: pruned segment scan")
struct InterfaceDepthScanTests {
    /// Squared distance from (u, v) to segment `s` of the polyline (the end segments as rays).
    static func segmentDistanceSquared(_ i: Interface, _ s: Int, u: Double, v: Double) -> Double {
        let n = i.knotsU.count
        let au = i.knotsU[s], av = i.knotsV[s], du = i.knotsU[s + 1] - au, dv = i.knotsV[s + 1] - av
        var t = ((u - au) * du + (v - av) * dv) / (du * du + dv * dv)
        if !(s == 0 && t < 0) && !(s == n - 2 && t > 1) { t = min(1, max(0, t)) }
        let pu = au + t * du - u, pv = av + t * dv - v
        return pu * pu + pv * pv
    }

    /// `count` increasing knot positions from 0, each step drawn by `step`.
    static func knots(count: Int, _ rng: inout SplitMix64, step: (inout SplitMix64) -> Double) -> [Double] {
        var u = 0.0, out = [Double]()
        for _ in 0 ..< count { out.append(u); u += step(&rng) }
        return out
    }

    /// A wavy polyline on a 500² field: 2 to 13 knots, steps of 0.1 to 40 px, heights 0 to 60 px.
    static func wavy(_ rng: inout SplitMix64) -> Interface {
        let k = 2 + Int(rng.next() % 12)
        let us = knots(count: k, &rng) { 1 + Double($0.next() % 400) / 10 }
        let vs = (0 ..< k).map { _ in Double(rng.next() % 600) / 10 }
        return Interface(side: .bottom, width: 500, height: 500, knotsU: us, knotsV: vs)
    }

    /// Distance to the polyline by examining every segment (end segments as rays), signed by v − g(u).
    static func bruteForce(_ i: Interface, u: Double, v: Double) -> Double {
        let best = (0 ..< i.knotsU.count - 1).map { segmentDistanceSquared(i, $0, u: u, v: v) }.min()!
        let vertical = v - i.height(atU: u)
        return vertical == 0 ? 0 : vertical < 0 ? -best.squareRoot() : best.squareRoot()
    }

    @Test("equals the distance over all segments for wavy polylines and points far beyond the ends")
    func matchesAllSegments() {
        var rng = SplitMix64(seed: 17)
        for _ in 0 ..< 60 {
            let i = Self.wavy(&rng)
            for _ in 0 ..< 200 {
                let pu = Double(Int(rng.next() % 900)) / 2 - 100, pv = Double(Int(rng.next() % 900)) / 3 - 60
                #expect(abs(i.depth(u: pu, v: pv) - Self.bruteForce(i, u: pu, v: pv)) <= 1e-9)
            }
        }
    }

    @Test("at whole u, the segment table gives the very depth of depth(u:v:), bit for bit")
    func segmentTable() {
        var rng = SplitMix64(seed: 29)
        for _ in 0 ..< 30 {
            let i = Self.wavy(&rng)
            let table = i.segmentsOfWholeU(500)
            #expect(table.count == 500)
            for _ in 0 ..< 300 {
                let u = Int(rng.next() % 500), v = Double(Int(rng.next() % 900)) / 3 - 60
                #expect(i.depth(u: Double(u), v: v, onSegment: Int(table[u])).bitPattern == i.depth(u: Double(u), v: v).bitPattern)
            }
        }
    }
}

extension InterfaceDepthScanTests {
    /// The outward scan as it was before the steepest-slope stop: segments until |Δu|² alone
    /// reaches the best, skipping those whose v-range gap rules them out.
    static func scanWithoutSlopeStop(_ i: Interface, u: Double, v: Double) -> Double {
        let n = i.knotsU.count
        let vertical = v - i.height(atU: u), reach = abs(vertical)
        if reach == 0 { return 0 }
        func distanceSquared(_ s: Int) -> Double { segmentDistanceSquared(i, s, u: u, v: v) }
        func gapSquared(_ s: Int) -> Double {
            if s == 0 || s == n - 2 { return 0 }
            let lo = min(i.knotsV[s], i.knotsV[s + 1]), hi = max(i.knotsV[s], i.knotsV[s + 1])
            let gap = v > hi ? v - hi : v < lo ? lo - v : 0
            return gap * gap
        }
        let own = i.segment(containing: u)
        var best = min(reach * reach, distanceSquared(own))
        var s = own + 1
        while s <= n - 2, (i.knotsU[s] - u) * (i.knotsU[s] - u) < best {
            let du = i.knotsU[s] - u
            if du * du + gapSquared(s) < best { best = min(best, distanceSquared(s)) }
            s += 1
        }
        s = own - 1
        while s >= 0, (u - i.knotsU[s + 1]) * (u - i.knotsU[s + 1]) < best {
            let du = u - i.knotsU[s + 1]
            if du * du + gapSquared(s) < best { best = min(best, distanceSquared(s)) }
            s -= 1
        }
        return vertical < 0 ? -best.squareRoot() : best.squareRoot()
    }

    @Test("the steepest-slope stop changes no depth: equal bit for bit to the scan without it (and to every segment's minimum within 1e-9), deep points included")
    func slopeStopIsExact() {
        var rng = SplitMix64(seed: 29)
        for trial in 0 ..< 80 {
            let k = 2 + Int(rng.next() % 20)
            // Even spacing (as detected interfaces have) or uneven; nearly flat, gentle or steep.
            let even = trial % 2 == 0
            let amplitude = [0.5, 8.0, 300.0][trial % 3]
            let us = Self.knots(count: k, &rng) { even ? 256 : 1 + Double($0.next() % 5000) / 10 }
            let vs = (0 ..< k).map { _ in 100 + amplitude * Double(rng.next() % 1000) / 1000 }
            let i = Interface(side: .bottom, width: 4096, height: 4096, knotsU: us, knotsV: vs)
            for _ in 0 ..< 300 {
                let pu = Double(Int(rng.next() % 12000)) / 2 - 1000, pv = Double(Int(rng.next() % 9000)) / 2 - 500
                let expected = Self.scanWithoutSlopeStop(i, u: pu, v: pv)
                #expect(abs(expected - Self.bruteForce(i, u: pu, v: pv)) <= 1e-9)
                #expect(i.depth(u: pu, v: pv) == expected)
            }
        }
    }

    @Test("the segment under u is the one a binary search finds, at knots, between them, beyond the ends and for NaN")
    func segmentLookup() {
        var rng = SplitMix64(seed: 31)
        for trial in 0 ..< 40 {
            let k = 2 + Int(rng.next() % 15)
            let us = Self.knots(count: k, &rng) { trial % 2 == 0 ? 64 : 0.5 + Double($0.next() % 900) / 10 }
            let i = Interface(side: .bottom, width: 100, height: 100, knotsU: us, knotsV: us.map { _ in 5 })
            func reference(_ u: Double) -> Int {
                var lo = 0, hi = k - 1
                if u <= us[1] { return 0 }
                if u >= us[hi - 1] { return hi - 1 }
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if us[mid] <= u { lo = mid } else { hi = mid }
                }
                return lo
            }
            let probes = us + us.map { $0.nextUp } + us.map { $0.nextDown } + (0 ..< 50).map { _ in Double(Int(rng.next() % 4000)) / 3 - 200 }
            for p in probes { #expect(i.segment(containing: p) == reference(p)) }
            #expect(i.segment(containing: .nan) == 0)
            #expect(i.steepestSlope == 0)
        }
    }

    @Test("steepest slope of a hand-made polyline")
    func steepestSlope() {
        let i = Interface(side: .left, width: 50, height: 50, knotsU: [0, 10, 12, 40], knotsV: [3, 5, 1, 1])
        #expect(i.steepestSlope == 2)   // (1 − 5) / (12 − 10)
    }
}

@Suite("Interface behind a collector or mount")
struct EnclosedLayerTests {
    /// Rows v ∈ `vs` (from the bottom edge) set in a 60 × 120 mask.
    static func band(_ vs: Range<Int>) -> BinaryMask {
        var m = BinaryMask(width: 60, height: 120)
        for v in vs { for x in 0 ..< 60 { m.bits[(119 - v) * 60 + x] = 1 } }
        return m
    }

    @Test("an anode layer behind 20 px of collector is found at its far edge")
    func thickLayerBehindCollector() throws {
        let d = InterfaceDetector.detect(in: Self.band(20 ..< 60), side: .bottom)
        let i = try #require(d.interface)
        // Layer pixels v = 20…59: the interface is half a pixel beyond v = 59.
        #expect(abs(i.height(atU: 30) - 59.5) <= 0.01)
    }

    @Test("a 6-px band behind 20 px of non-phase is a stripe, not an anode (default minimum 10 px seen whole)")
    func thinBandIsNotAnAnode() {
        let d = InterfaceDetector.detect(in: Self.band(20 ..< 26), side: .bottom)
        #expect(d.interface == nil)
        // The same band touching the edge may be the visible part of an anode cut by the frame.
        #expect(InterfaceDetector.detect(in: Self.band(0 ..< 6), side: .bottom).interface != nil)
    }
}

@Suite("Interface edge residual")
struct InterfaceEdgeResidualTests {
    @Test("a flat layer edge lies on the interface (residual 0); a ragged one does not")
    func residual() throws {
        var flat = BinaryMask(width: 120, height: 80)
        for y in 50 ..< 80 { for x in 0 ..< 120 { flat[x, y] = true } }
        let clean = InterfaceDetector.detect(in: flat, side: .bottom, parameters: .init())
        #expect(try #require(clean.edgeResidualPx) < 1e-9)
        // Ragged: the layer's height jumps between 10 and 50 px from column to column (x · 37 mod 41).
        var ragged = BinaryMask(width: 120, height: 80)
        for x in 0 ..< 120 { let top = 70 - (x * 37) % 41; for y in top ..< 80 { ragged[x, y] = true } }
        let rough = InterfaceDetector.detect(in: ragged, side: .bottom, parameters: .init())
        #expect(try #require(rough.edgeResidualPx) > 3)
    }
}

@Suite("Interface detection: the edge followed past the fitted curve")
struct EdgeContinuationTests {
    /// Layer heights flat at 40 px from u = 200 on; over u < 200 the edge rises smoothly to 60 px
    /// at u = 0 (slope 0.1), and a whisker (a step of 80 px) stands on it at u = 100 ..< 104.
    static func wavyEnd(length: Int = 1280) -> [Int] {
        (0 ..< length).map { u in
            if (100 ..< 104).contains(u) { return 140 }
            return u < 200 ? 40 + Int((Double(200 - u) * 0.1).rounded()) : 40
        }
    }

    @Test("a smooth departure is followed from the heights on the curve; a whisker's step is not")
    func followsSmoothDeparture() {
        let h = Self.wavyEnd()
        let p = InterfaceDetector.Parameters()
        let edge = InterfaceDetector.edgeContinuation(h, residual: { Double(h[$0]) - 0.5 - 39.5 }, tolerance: 3, sigma: 1,
                                                      limit: 25.6, parameters: p)
        // Seeds: the heights within 3 px of the curve (u ≥ 166); followed down to u = 0 except the whisker.
        for u in 0 ..< 1280 { #expect(edge[u] == !(100 ..< 104).contains(u), "u=\(u) height \(h[u])") }
        // Off, only the seeds are edge.
        var off = p
        off.maximumEdgeSlope = 0
        let seeds = InterfaceDetector.edgeContinuation(h, residual: { Double(h[$0]) - 0.5 - 39.5 }, tolerance: 3, sigma: 1,
                                                       limit: 25.6, parameters: off)
        #expect(seeds.indices.filter { seeds[$0] } == Array(166 ..< 1280))
    }

    @Test("absurd windows from a parameter file neither trap nor allocate: a window longer than the interface is the interface")
    func absurdWindow() {
        let h = Self.wavyEnd()
        var p = InterfaceDetector.Parameters()
        p.edgeContinuationWindow = Int.max
        let huge = InterfaceDetector.edgeContinuation(h, residual: { Double(h[$0]) - 0.5 - 39.5 }, tolerance: 3, sigma: 1,
                                                      limit: 25.6, parameters: p)
        p.edgeContinuationWindow = h.count
        let whole = InterfaceDetector.edgeContinuation(h, residual: { Double(h[$0]) - 0.5 - 39.5 }, tolerance: 3, sigma: 1,
                                                       limit: 25.6, parameters: p)
        #expect(huge == whole)
    }

    @Test("a flank steeper than the slope limit is climbed by at most the allowance (3 σ + slope × W/2)")
    func stopsOnFlank() {
        // A flame base: flat at 40, then rising at 0.5 px per px from u = 600 to 700, then high.
        let h = (0 ..< 1280).map { u in u < 600 ? 40 : u < 700 ? 40 + (u - 600) / 2 : 200 }
        let p = InterfaceDetector.Parameters()
        let edge = InterfaceDetector.edgeContinuation(h, residual: { Double(h[$0]) - 0.5 - 39.5 }, tolerance: 3, sigma: 1,
                                                      limit: 25.6, parameters: p)
        let allowance = 3.0 + p.maximumEdgeSlope * Double(p.edgeContinuationWindow) / 2
        let climbed = h.indices.filter { edge[$0] && $0 >= 600 }.map { h[$0] }.max() ?? 40
        #expect(Double(climbed - 40) <= allowance)
        #expect(!edge[650] && !edge[700] && !edge[1000])
    }

    @Test("detection: an end of the edge rising 20 px above a flat edge is followed, not extrapolated")
    func wavyEndDetected() throws {
        let g: (Double) -> Double = { u in u < 200 ? 40 + (200 - u) * 0.1 : 40 }
        let mask = anodeMask(width: 1280, height: 300, side: .bottom, layer: g,
                             bars: [(u: 100, width: 4, height: 80), (u: 500, width: 6, height: 120), (u: 900, width: 5, height: 90)])
        let i = try #require(InterfaceDetector.detect(in: mask, side: .bottom).interface)
        var off = InterfaceDetector.Parameters()
        off.maximumEdgeSlope = 0
        let old = try #require(InterfaceDetector.detect(in: mask, side: .bottom, parameters: off).interface)
        // The knots (every 80 px) take a low quantile of their window, so on the sloping end they
        // sit a few px low; without the continuation the end is extrapolated flat, 20 px low.
        for u in stride(from: 0, to: 1280, by: 20) {
            #expect(abs(i.height(atU: Double(u)) - g(Double(u))) <= 6, "u=\(u): \(i.height(atU: Double(u))) against \(g(Double(u)))")
        }
        #expect(abs(old.height(atU: 0) - g(0)) >= 15, "without the continuation: \(old.height(atU: 0))")
    }

    @Test("detection: where the mount behind the anode is read as phase and the walk ends at the seam, the knots are not pulled toward the mount")
    func walkEndingInTheMount() throws {
        // Layer edge at 60 px; over u ≥ 900 the mount behind the anode is read as phase in
        // speckles: the walk from the field's edge ends at the first 3 px hole, 4 … 24 px from the
        // edge (a seeded draw per line), as in a micrograph whose mount is near the threshold's grey.
        var mask = anodeMask(width: 1280, height: 300, side: .bottom, layer: { _ in 60 },
                             bars: [(u: 300, width: 5, height: 90), (u: 1000, width: 6, height: 110)])
        var rng = SplitMix64(seed: 11)
        for u in 900 ..< 1280 {
            let hole = 4 + Int(rng.next() % 21)
            for v in hole ..< hole + 3 { mask.bits[AnodeSide.bottom.index(u: u, v: v, width: 1280, height: 300)] = 0 }
        }
        let i = try #require(InterfaceDetector.detect(in: mask, side: .bottom).interface)
        for u in stride(from: 0, to: 1280, by: 20) {
            #expect(abs(i.height(atU: Double(u)) - 60) <= 2, "u=\(u): \(i.height(atU: Double(u)))")
        }
        // The holes are 3 px tall at a different depth on every line, so each is enclosed by the
        // lines beside it and the walks go on through them (interface.enclosedHoleReach). With
        // that rule off, the early-end rule alone keeps the knots at the edge ...
        var walksEnd = InterfaceDetector.Parameters()
        walksEnd.enclosedHoleReach = 0
        let early = try #require(InterfaceDetector.detect(in: mask, side: .bottom, parameters: walksEnd).interface)
        for u in stride(from: 0, to: 1280, by: 20) {
            #expect(abs(early.height(atU: Double(u)) - 60) <= 2, "u=\(u): \(early.height(atU: Double(u)))")
        }
        // ... and without it too the knots over the seam take the early ends, clipped at the 2 %
        // waviness limit (25.6 px) below the curve.
        var off = walksEnd
        off.earlyEndShareOfLayer = 0
        let old = try #require(InterfaceDetector.detect(in: mask, side: .bottom, parameters: off).interface)
        #expect(60 - old.height(atU: 1200) >= 15, "without the rule: \(old.height(atU: 1200))")
    }
}

@Suite("The edge curve's RANSAC")
struct EdgeCurveRansacTests {
    /// RANSAC as first written: every triple's inliers counted in full.
    static func reference(_ x: [Double], _ v: [Double], sigma: Double, tolerance: Double, cMax: Double) -> (Double, Double, Double)? {
        guard x.count >= 8 else { return nil }
        let n = min(EdgeCurveFit.ransacPositions, x.count)
        let positions = (0 ..< n).map { $0 * (x.count - 1) / max(1, n - 1) }
        let scored = Array(stride(from: 0, to: x.count, by: max(1, x.count / EdgeCurveFit.ransacScoredPoints)))
        let span = (x.last ?? 1) - (x.first ?? 0)
        var rng = SplitMix64(seed: EdgeCurveFit.ransacSeed)
        var best: (Double, Double, Double)?, bestCount = -1
        for _ in 0 ..< EdgeCurveFit.ransacTriples {
            var pick = [Int]()
            while pick.count < 3 {
                let k = positions[Int(rng.next() % UInt64(positions.count))]
                if !pick.contains(k) { pick.append(k) }
            }
            pick.sort()
            guard x[pick[2]] - x[pick[0]] >= EdgeCurveFit.ransacMinimumSpan * span else { continue }
            guard let c = EdgeCurveFit.weightedQuadratic(pick.map { x[$0] }, pick.map { v[$0] }, weights: [1, 1, 1], cMax: .infinity),
                  abs(c.2) <= cMax else { continue }
            let count = scored.filter { abs(v[$0] - (c.0 + c.1 * x[$0] + c.2 * x[$0] * x[$0])) <= tolerance }.count
            if count > bestCount { best = c; bestCount = count }
        }
        return best
    }

    @Test("stopping a triple's count once it can no longer beat the best picks the same curve, bit for bit")
    func sameAsFullCounts() throws {
        var rng = SplitMix64(seed: 3)
        for trial in 0 ..< 6 {
            let n = 300 + 700 * trial
            let x = (0 ..< n).map(Double.init)
            // An edge at 40 + a gentle bow, a third of the heights raised by dendrites, some holes below.
            let v = x.map { u -> Double in
                let edge = 40 + 0.01 * u + 1e-5 * (u - Double(n) / 2) * (u - Double(n) / 2) + Double(rng.next() % 3)
                switch rng.next() % 9 { case 0, 1, 2: return edge + Double(rng.next() % 120); case 3: return edge - Double(rng.next() % 30); default: return edge }
            }
            let fast = try #require(EdgeCurveFit.ransac(x, v, sigma: 1, tolerance: 3, cMax: 1e-3))
            let slow = try #require(Self.reference(x, v, sigma: 1, tolerance: 3, cMax: 1e-3))
            #expect(fast == slow, "trial \(trial)")
        }
    }
}
