import DendrometerCore
@testable import DendrometerPipeline
import Foundation
import Testing

@Suite("Orientation statistics of several regions, summed as the tensor streams")
struct OrientationStatisticsTests {
    typealias Pixel = DendriteAnalysis.OrientedPixel

    /// The statistics of one region as a plain pass over its pixels takes them (raster order,
    /// Double sums, the doubled angle computed per pixel in Float).
    static func reference(_ pixels: [Pixel], window: PixelRect, _ region: RegionMask?, tolerance: Double) -> OrientationStatistics {
        var hist = [Double](repeating: 0, count: OrientationHistogram.binCount)
        var n = 0, lateral = 0, vertical = 0
        var c2 = 0.0, s2 = 0.0, coh = 0.0, wsum = 0.0
        for p in pixels {
            if let region {
                let i = Int(p.index)
                if !region.contains(x: window.x + i % window.width, y: window.y + i / window.width) { continue }
            }
            n += 1
            let d = Double(p.degrees)
            hist[OrientationHistogram.bin(degrees: d)] += 1
            if d <= tolerance || d >= 180 - tolerance { lateral += 1 }
            if d >= 90 - tolerance && d <= 90 + tolerance { vertical += 1 }
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
            histogram: hist.map { n > 0 ? $0 / Double(n) : 0 }, sigmaPx: 1, rhoPx: 3, pixels: n)
    }

    /// Tallies `pixels` row by row, the rows taken in `rowOrder`.
    static func tallied(_ pixels: [Pixel], window: PixelRect, regions: [RegionMask?], rowOrder: [Int]) -> [OrientationStatistics] {
        var total = [DendriteAnalysis.OrientationTally](repeating: .init(), count: regions.count)
        let byRow = Dictionary(grouping: pixels) { Int($0.index) / window.width }
        for row in rowOrder {
            guard let rowPixels = byRow[row] else { continue }
            var piece = [DendriteAnalysis.OrientationTally](repeating: .init(), count: regions.count)
            rowPixels.withUnsafeBufferPointer { px in
                piece.withUnsafeMutableBufferPointer {
                    DendriteAnalysis.tally(px, row: window.y + row, window: window, regions: regions, tolerance: 30, into: $0)
                }
            }
            for r in total.indices { total[r].add(piece[r]) }
        }
        return total.map { $0.statistics(sigma: 1, rho: 3) }
    }

    static func disc(_ cx: Int, _ cy: Int, _ r: Int) -> RegionMask {
        let box = PixelRect(x: cx - r, y: cy - r, width: 2 * r + 1, height: 2 * r + 1)
        var local = BinaryMask(width: box.width, height: box.height)
        for y in 0 ..< box.height { for x in 0 ..< box.width where (x - r) * (x - r) + (y - r) * (y - r) <= r * r { local.bits[y * box.width + x] = 1 } }
        return RegionMask(name: "disc", bbox: box, local: local)
    }

    @Test("the whole zone and overlapping regions agree with a plain pass over each region; counts exactly, sums to 1e-12")
    func matchesPerRegionPasses() {
        var rng = SplitMix64(seed: 77)
        let window = PixelRect(x: 7, y: 11, width: 300, height: 200)
        var pixels = [Pixel]()
        for y in 0 ..< window.height {
            for x in 0 ..< window.width where rng.next() % 5 == 0 {
                pixels.append(.init(index: UInt32(y * window.width + x), degrees: Float(rng.next() % 18_000) / 100,
                                    coherence: Float(rng.next() % 1000) / 1000, weight: Float(rng.next() % 5000) / 1000))
            }
        }
        let regions: [RegionMask?] = [nil, Self.disc(107, 91, 60), Self.disc(147, 111, 50), Self.disc(257, 31, 10), Self.disc(17, 201, 5)]
        let stats = Self.tallied(pixels, window: window, regions: regions, rowOrder: Array(0 ..< window.height))
        #expect(stats.count == regions.count)
        for (k, region) in regions.enumerated() {
            let expected = Self.reference(pixels, window: window, region, tolerance: 30)
            #expect(stats[k].pixels == expected.pixels && stats[k].histogram == expected.histogram, "region \(k)")
            #expect(stats[k].lateralFraction == expected.lateralFraction && stats[k].verticalFraction == expected.verticalFraction)
            #expect(abs(stats[k].coherence - expected.coherence) < 1e-12, "region \(k): \(stats[k].coherence) vs \(expected.coherence)")
            #expect(abs(stats[k].dominantDegrees - expected.dominantDegrees) < 1e-9, "region \(k)")
        }
        #expect(stats[0].pixels == pixels.count && stats[1].pixels > 0 && stats[4].pixels > 0)
    }

    @Test("the sums do not depend on the order the row pieces arrive in (threads): bit for bit")
    func orderIndependent() {
        var rng = SplitMix64(seed: 5)
        let window = PixelRect(x: 0, y: 0, width: 64, height: 64)
        let pixels = (0 ..< 4096).filter { _ in rng.next() % 3 == 0 }.map {
            Pixel(index: UInt32($0), degrees: Float(rng.next() % 18_000) / 100, coherence: Float(rng.next() % 997) / 997,
                  weight: Float(rng.next() % 100_003) / 7)
        }
        let regions: [RegionMask?] = [nil, Self.disc(30, 30, 20)]
        let forward = Self.tallied(pixels, window: window, regions: regions, rowOrder: Array(0 ..< 64))
        var shuffled = Array(0 ..< 64)
        shuffled.shuffle(using: &rng)
        #expect(Self.tallied(pixels, window: window, regions: regions, rowOrder: shuffled) == forward)
        #expect(Self.tallied(pixels, window: window, regions: regions, rowOrder: Array((0 ..< 64).reversed())) == forward)
    }

    @Test("no pixels: zeros, not NaN; absurd terms are clamped, NaN counts as nothing")
    func emptyAndHostile() {
        let none = Self.tallied([], window: PixelRect(x: 0, y: 0, width: 8, height: 8), regions: [nil, Self.disc(3, 3, 2)], rowOrder: Array(0 ..< 8))
        #expect(none.allSatisfy { $0.pixels == 0 && $0.coherence == 0 && $0.dominantDegrees == 0 && !$0.coherence.isNaN })
        var sum = DendriteAnalysis.FixedPointSum()
        sum.add(.infinity); sum.add(-.infinity); sum.add(.nan); sum.add(1e300)
        #expect(sum.value == 0x1p22)
        var small = DendriteAnalysis.FixedPointSum()
        small.add(0.75); small.add(-0.25); small.add(0x1p-41)
        #expect(small.value == 0.5)
    }

    @Test("the streamed statistics of a hand-made mask: a vertical bar is vertical, a horizontal bar lateral")
    func bars() throws {
        var mask = BinaryMask(width: 80, height: 80)
        for y in 10 ..< 70 { for x in 20 ..< 24 { mask.bits[y * 80 + x] = 1 } }      // vertical bar
        for y in 40 ..< 44 { for x in 40 ..< 76 { mask.bits[y * 80 + x] = 1 } }      // horizontal bar
        var left = BinaryMask(width: 40, height: 80)
        for k in left.bits.indices { left.bits[k] = 1 }
        let right = left
        let regions: [RegionMask?] = [nil, RegionMask(name: "left", bbox: PixelRect(x: 0, y: 0, width: 40, height: 80), local: left),
                                      RegionMask(name: "right", bbox: PixelRect(x: 40, y: 0, width: 40, height: 80), local: right)]
        let stats = try DendriteAnalysis.relativeOrientationStatistics(
            mask, interface: nil, parameters: AnalysisParameters().orientation,
            within: PixelRect(x: 0, y: 0, width: 80, height: 80), regions: regions)
        #expect(stats[1].verticalFraction > 0.8 && abs(stats[1].dominantDegrees - 90) < 5)
        #expect(stats[2].lateralFraction > 0.8 && min(stats[2].dominantDegrees, 180 - stats[2].dominantDegrees) < 5)
        #expect(stats[0].pixels == stats[1].pixels + stats[2].pixels)
        #expect(DendriteAnalysis.OrientationTally().histogram.count == OrientationHistogram.binCount)
    }
}
