@testable import DendrometerPipeline
import Dendrometer
import DendrometerCore
import DendrometerGeometry
import Testing

/// Depth bands (regions `auto`) are rasterised from one run of v per position u;
/// they must equal the per-pixel definition d = (v − g(u)) · cos θ(u) in (lo, hi].
@Suite("Region depth bands")
struct RegionBandTests {
    /// The per-pixel definition, scanned over the whole field.
    static func bruteForce(_ interface: Interface, width w: Int, height h: Int, lo: Double, hi: Double,
                           includeUpper: Bool) -> [(Int, Int)] {
        var out = [(Int, Int)]()
        for y in 0 ..< h {
            for x in 0 ..< w {
                let (u, v) = interface.side.framePosition(x: x, y: y, width: w, height: h)
                let g = interface.height(atU: Double(u))
                let slope = interface.height(atU: Double(u) + 0.5) - interface.height(atU: Double(u) - 0.5)
                let d = (Double(v) - g) / (1 + slope * slope).squareRoot()
                if d > max(lo, 0) && (d < hi || (includeUpper && d == hi)) { out.append((x, y)) }
            }
        }
        return out
    }

    @Test("band membership and bounding box equal the per-pixel definition on every side, tilted and bent",
          arguments: AnodeSide.allCases)
    func matchesDefinition(side: AnodeSide) {
        var rng = SplitMix64(seed: 3)
        let w = 37, h = 29
        let length = side.length(width: w, height: h)
        for trial in 0 ..< 12 {
            // Three knots: tilt and a bend, heights 2 ... 10 px above the anode edge.
            let vs = (0 ..< 3).map { _ in 2 + Double(rng.next() % 80) / 10 }
            let interface = Interface(side: side, width: w, height: h,
                                      knotsU: [0, Double(length - 1) / 2, Double(length - 1)], knotsV: vs)
            let lo = Double(trial % 4) * 3, hi = trial % 5 == 0 ? Double.infinity : lo + 2 + Double(trial % 3) * 4.5
            let includeUpper = trial % 2 == 0
            let region = RegionBuilder.band(name: "b", interface: interface, width: w, height: h,
                                            from: lo, to: hi, includeUpper: includeUpper)
            let expected = Self.bruteForce(interface, width: w, height: h, lo: lo, hi: hi, includeUpper: includeUpper)
            var got = [(Int, Int)]()
            for y in 0 ..< h { for x in 0 ..< w where region.contains(x: x, y: y) { got.append((x, y)) } }
            #expect(got.map { "\($0.0),\($0.1)" } == expected.map { "\($0.0),\($0.1)" })
            if !expected.isEmpty {
                let xs = expected.map(\.0), ys = expected.map(\.1)
                #expect(region.bbox == PixelRect(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()! + 1,
                                                 height: ys.max()! - ys.min()! + 1))
            }
        }
    }

    @Test("a band no pixel centre falls in is empty (0 × 0 box), not a crash")
    func emptyBand() {
        // Straight interface at v = 5: pixel depths are whole numbers, none in (0.2, 0.5].
        let interface = Interface.straight(side: .bottom, width: 12, height: 9, v0: 5)
        let region = RegionBuilder.band(name: "middle", interface: interface, width: 12, height: 9,
                                        from: 0.2, to: 0.5, includeUpper: false)
        #expect(region.bbox.area == 0)
        #expect(region.local.area == 0)
        #expect(!(0 ..< 9).contains { y in (0 ..< 12).contains { x in region.contains(x: x, y: y) } })
    }
}

@Suite("Dark phase: only pieces rooted at the anode")
struct RootedDarkPhaseTests {
    @Test("a whisker touching the interface stays; a detached dark piece (pore, crack) goes")
    func rooted() {
        // Flat interface at the bottom of a 20 × 60 field, boundary at 9.5 (layer rows v < 10).
        let interface = Interface(side: .bottom, width: 20, height: 60, knotsU: [0, 19], knotsV: [9.5, 9.5])
        var m = BinaryMask(width: 20, height: 60)
        for v in 10 ... 40 { m.bits[(59 - v) * 20 + 5] = 1 }          // whisker from v = 10 (offset 0.5)
        for v in 30 ... 33 { for u in 12 ... 13 { m.bits[(59 - v) * 20 + u] = 1 } }   // detached piece at offset 20.5
        let kept = DendriteAnalysis.keepingRooted(m, interface: interface, tolerancePx: 3)
        #expect(kept.removedComponents == 1 && kept.removedPixels == 8)
        #expect(kept.mask.area == 31)
    }
}
