import DendrometerCore
@testable import DendrometerPipeline
import Foundation
import Testing

@Suite("Orientation statistics of several regions in one call")
struct OrientationStatisticsTests {
    /// The sums as a pass over one region's pixels alone takes them (raster order, the doubled
    /// angle computed per pixel in Float), as the statistics were computed before.
    static func reference(_ angles: DendriteAnalysis.RelativeAngles, _ region: RegionMask?) -> OrientationStatistics {
        var hist = [Double](repeating: 0, count: OrientationHistogram.binCount)
        var n = 0, lateral = 0, vertical = 0
        var c2 = 0.0, s2 = 0.0, coh = 0.0, wsum = 0.0
        for p in angles.pixels {
            if let region {
                let (x, y) = angles.position(p)
                if !region.contains(x: x, y: y) { continue }
            }
            n += 1
            let d = Double(p.degrees)
            hist[OrientationHistogram.bin(degrees: d)] += 1
            if d <= angles.tolerance || d >= 180 - angles.tolerance { lateral += 1 }
            if d >= 90 - angles.tolerance && d <= 90 + angles.tolerance { vertical += 1 }
            let doubled = 2 * p.degrees * .pi / 180
            let w = Double(p.weight)
            c2 += w * Double(cos(doubled))
            s2 += w * Double(sin(doubled))
            coh += w * Double(p.coherence)
            wsum += w
        }
        var dominant = atan2(s2, c2) * 90 / .pi
        if dominant < 0 { dominant += 180 }
        return OrientationStatistics(
            dominantDegrees: n > 0 ? dominant : 0, coherence: wsum > 0 ? coh / wsum : 0,
            lateralFraction: n > 0 ? Double(lateral) / Double(n) : 0, verticalFraction: n > 0 ? Double(vertical) / Double(n) : 0,
            histogram: hist.map { n > 0 ? $0 / Double(n) : 0 }, sigmaPx: angles.sigma, rhoPx: angles.rho, pixels: n)
    }

    @Test("the whole zone and overlapping regions, bit for bit as a pass over each region alone")
    func matchesPerRegionPasses() {
        var rng = SplitMix64(seed: 77)
        let w = 300, h = 200
        var pixels = [DendriteAnalysis.OrientedPixel]()
        for y in 0 ..< h {
            for x in 0 ..< w where rng.next() % 5 == 0 {
                pixels.append(.init(index: UInt32(y * w + x), degrees: Float(rng.next() % 18_000) / 100,
                                    coherence: Float(rng.next() % 1000) / 1000, weight: Float(rng.next() % 5000) / 1000))
            }
        }
        let angles = DendriteAnalysis.RelativeAngles(pixels: pixels, window: PixelRect(x: 0, y: 0, width: w, height: h),
                                                     sigma: 1, rho: 3, tolerance: 30)
        func disc(_ cx: Int, _ cy: Int, _ r: Int) -> RegionMask {
            let box = PixelRect(x: cx - r, y: cy - r, width: 2 * r + 1, height: 2 * r + 1)
            var local = BinaryMask(width: box.width, height: box.height)
            for y in 0 ..< box.height { for x in 0 ..< box.width where (x - r) * (x - r) + (y - r) * (y - r) <= r * r { local.bits[y * box.width + x] = 1 } }
            return RegionMask(name: "disc", bbox: box, local: local)
        }
        let regions: [RegionMask?] = [nil, disc(100, 80, 60), disc(140, 100, 50), disc(250, 20, 10), disc(10, 190, 5)]
        let together = angles.statistics(in: regions)
        #expect(together.count == regions.count)
        for (k, region) in regions.enumerated() {
            #expect(together[k] == Self.reference(angles, region), "region \(k)")
            #expect(angles.statistics(in: region) == Self.reference(angles, region), "region \(k) alone")
        }
        #expect(together[0].pixels == pixels.count && together[1].pixels > 0)
        // No pixels: zeros, not NaN.
        let none = DendriteAnalysis.RelativeAngles(pixels: [], window: PixelRect(x: 0, y: 0, width: w, height: h),
                                                   sigma: 1, rho: 3, tolerance: 30).statistics(in: [nil, regions[1]])
        #expect(none.allSatisfy { $0.pixels == 0 && $0.coherence == 0 && $0.dominantDegrees == 0 })
    }

    @Test("pixels are stored by their raster index in the window: positions and row starts in field coordinates")
    func windowIndex() {
        let window = PixelRect(x: 5, y: 9, width: 13, height: 4)
        let pixels = (0 ..< 52).map { DendriteAnalysis.OrientedPixel(index: UInt32($0), degrees: 0, coherence: 1, weight: 1) }
        let angles = DendriteAnalysis.RelativeAngles(pixels: pixels, window: window, sigma: 1, rho: 3, tolerance: 30)
        for k in [0, 12, 13, 27, 51] {
            let (x, y) = angles.position(pixels[k])
            #expect(x == 5 + k % 13 && y == 9 + k / 13, "pixel \(k)")
        }
        #expect(angles.firstIndex(atOrBelowRow: 0) == 0 && angles.firstIndex(atOrBelowRow: 9) == 0)
        #expect(angles.firstIndex(atOrBelowRow: 10) == 13 && angles.firstIndex(atOrBelowRow: 12) == 39)
        #expect(angles.firstIndex(atOrBelowRow: 13) == 52 && angles.firstIndex(atOrBelowRow: 1000) == 52)
        #expect(MemoryLayout<DendriteAnalysis.OrientedPixel>.stride == 16)
    }
}
