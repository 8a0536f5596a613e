import Testing
@testable import DendrometerCore

@Suite("Image binning")
struct ImageBinningTests {
    @Test("2×2 binning averages blocks and drops partial ones")
    func binning() {
        let image = Image<Float>(width: 5, height: 2, pixels: [1, 3, 5, 7, 9,
                                                               1, 3, 5, 7, 9])
        #expect(image.binned(by: 2).pixels == [2, 6])
        #expect(image.binned(by: 1) == image)
    }

    @Test("a block is summed from 0, row by row, left to right, whatever the factor")
    func binningOrder() {
        // 1e8 + 1 loses the 1 in Float; summed in that order the block gives (1e8 − 1e8 + 1) / 4,
        // pairwise it would give 2 / 4. A block of −0 sums to +0 (0 + −0).
        let two = Image<Float>(width: 4, height: 2, pixels: [1e8, 1, -0.0, -0.0,
                                                             -1e8, 1, -0.0, -0.0])
        let binned = two.binned(by: 2).pixels
        #expect(binned == [0.25, 0])
        #expect(binned[1].sign == .plus)
        let three = Image<Float>(width: 3, height: 3, pixels: [1e8, 1, 1,
                                                               -1e8, 1, 1,
                                                               1, 1, 1])
        // 1e8 + 1 + 1 = 1e8 (ulp 8), − 1e8, then six ones: 5, times the scale 1/9 in Float.
        #expect(three.binned(by: 3).pixels == [5 * (1 / Float(9))])
    }
}

@Suite("Image model")
struct ImageModelTests {
    @Test("x is the column, y the row; storage is row-major")
    func coordinates() {
        var image = Image<UInt8>(width: 3, height: 2, fill: 0)
        image[2, 1] = 255
        #expect(image.pixels == [0, 0, 0, 0, 0, 255])
        #expect(image.cropped(to: PixelRect(x: 1, y: 1, width: 5, height: 5)).pixels == [0, 255])
    }

    @Test("pasting a tile into a background")
    func pasting() {
        let tile = Image<UInt8>(width: 2, height: 1, pixels: [7, 8])
        #expect(Image.pasting(tile, at: 1, 1, width: 3, height: 2, background: 0).pixels == [0, 0, 0, 0, 7, 8])
        // Parts outside the canvas are dropped.
        #expect(Image.pasting(tile, at: 2, 0, width: 3, height: 1, background: 1).pixels == [1, 1, 7])
        // Negative offsets clip the tile's top-left; a tile wholly outside leaves the background.
        let square = Image<UInt8>(width: 2, height: 2, pixels: [1, 2, 3, 4])
        #expect(Image.pasting(square, at: -1, -1, width: 2, height: 2, background: 0).pixels == [4, 0, 0, 0])
        #expect(Image.pasting(square, at: 5, 0, width: 2, height: 2, background: 9).pixels == [9, 9, 9, 9])
        #expect(Image.pasting(square, at: 0, -3, width: 2, height: 2, background: 9).pixels == [9, 9, 9, 9])
    }

    @Test("16-bit values are exact as floats")
    func floats() {
        #expect(Image<UInt16>(width: 2, height: 1, pixels: [4095, 65535], bitDepth: 12).asFloat().pixels == [4095, 65535])
        let empty = Image<UInt8>(width: 0, height: 4, pixels: []).asFloat()
        #expect(empty.width == 0 && empty.height == 4 && empty.pixels.isEmpty)
    }
}

@Suite("Binary mask")
struct BinaryMaskTests {
    @Test("rows round-trip, area, bounding box and cropping")
    func basics() {
        let m = BinaryMask(rows: ["....", ".##.", "..#."])
        #expect(m.rows == ["....", ".##.", "..#."])
        #expect(m.area == 3)
        #expect(m.boundingBox == PixelRect(x: 1, y: 1, width: 2, height: 2))
        #expect(m.cropped(to: PixelRect(x: 1, y: 1, width: 2, height: 2)).rows == ["##", ".#"])
        #expect(BinaryMask(width: 3, height: 3).boundingBox == nil)
        #expect(BinaryMask(width: 2, height: 1, bits: [0, 7]).bits == [0, 1])
    }

    @Test("area equals a pixel count: lengths around the 8-byte words, the 255-word flush and the 256 KiB tasks")
    func areaMatchesCount() {
        var rng = SplitMix64(seed: 9)
        for count in [0, 1, 7, 8, 9, 2039, 2040, 2041, 4096, 1 << 18, (1 << 18) + 3, 3 << 18 + 11] {
            let density = 1 + rng.next() % 100   // percent
            let bits = (0 ..< count).map { _ in rng.next() % 100 < density ? UInt8(1) : 0 }
            let m = BinaryMask(width: count, height: 1, bits: bits)
            #expect(m.area == bits.filter { $0 != 0 }.count, "\(count) px")
        }
        let full = BinaryMask(width: 2041, height: 300, bits: [UInt8](repeating: 1, count: 2041 * 300))
        #expect(full.area == 2041 * 300)
    }

    @Test("bounding box equals a brute-force scan on sparse random masks (word-skipping edges)")
    func boundingBoxMatchesBruteForce() {
        var rng = SplitMix64(seed: 5)
        for width in [1, 7, 8, 9, 16, 17, 63, 64, 65] {
            for _ in 0 ..< 20 {
                let height = 1 + Int(rng.next() % 6)
                let bits = (0 ..< width * height).map { _ in rng.next() % 23 == 0 ? UInt8(1) : 0 }
                let m = BinaryMask(width: width, height: height, bits: bits)
                let set = bits.indices.filter { bits[$0] != 0 }
                let xs = set.map { $0 % width }, ys = set.map { $0 / width }
                let expected = set.isEmpty ? nil : PixelRect(x: xs.min()!, y: ys.min()!,
                                                             width: xs.max()! - xs.min()! + 1, height: ys.max()! - ys.min()! + 1)
                #expect(m.boundingBox == expected)
            }
        }
    }
}

@Suite("Units")
struct UnitTests {
    @Test("pixel sizes with units", arguments: [("0.25um", 0.25), ("250nm", 0.25), ("0.25 µm", 0.25), ("2.5e-7m", 0.25),
                                                ("0.00025mm", 0.25), ("1micron", 1.0), ("1e3pm", 0.001)])
    func parsing(_ c: (String, Double)) throws {
        #expect(abs(try PixelSize(parsing: c.0).micrometres - c.1) < 1e-12)
    }

    @Test("a bare number, a zero, a negative or an unknown unit is refused with a reason")
    func refusals() {
        #expect(throws: UnitError.missingUnit("0.25")) { try PixelSize(parsing: "0.25") }
        #expect(throws: UnitError.notAPositiveLength("0nm")) { try PixelSize(parsing: "0nm") }
        #expect(throws: UnitError.notAPositiveLength("-1um")) { try PixelSize(parsing: "-1um") }
        #expect(throws: UnitError.unknownUnit("3 furlongs", unit: "furlongs")) { try PixelSize(parsing: "3 furlongs") }
    }

    @Test("calibration converts px to µm, or gives nil without a pixel size")
    func calibration() {
        let c = Calibration(pixelSize: PixelSize(micrometres: 0.5), source: .user, detail: "test")
        #expect(c.micrometres(fromPixels: 10) == 5)
        #expect(c.squareMicrometres(fromPixels: 4) == 1)
        #expect(Calibration.uncalibrated("none").micrometres(fromPixels: 10) == nil)
    }
}

@Suite("Parallel bands")
struct ParallelBandTests {
    @Test("bands cover every item exactly once", arguments: [0, 1, 7, 64, 1000])
    func coverage(_ n: Int) {
        var hits = [Int](repeating: 0, count: n)
        hits.withUnsafeMutableBufferPointer { h in
            let p = SendablePointer(h.baseAddress ?? UnsafeMutablePointer<Int>.allocate(capacity: 1))
            parallelBands(n, minimumPerBand: 4) { range in for i in range { p.base[i] += 1 } }
        }
        #expect(hits.allSatisfy { $0 == 1 })
    }
}

@Suite("Pixel size rounding")
struct PixelSizeRoundingTests {
    @Test("5e-08 m converted to µm is 0.05 after rounding to 12 significant digits")
    func metresToMicrometres() {
        let raw = PixelSize(micrometres: 5e-08 * 1e6)
        #expect(raw.micrometres != 0.05)   // binary noise before rounding
        #expect(raw.roundedToSignificantDigits(12).micrometres == 0.05)
        #expect(PixelSize(micrometres: 3.3724).roundedToSignificantDigits(12).micrometres == 3.3724)
    }
}

@Suite("Selection")
struct SelectionTests {
    @Test("quickselect returns the k-th smallest value, like sorting, over random arrays with ties")
    func matchesSort() {
        var rng = SplitMix64(seed: 5)
        for _ in 0 ..< 200 {
            let n = 1 + Int(rng.next() % 40)
            let values = (0 ..< n).map { _ in Float(Int(rng.next() % 9) - 4) }
            let k = Int(rng.next() % UInt64(n))
            var copy = values
            #expect(selectKth(&copy, k) == values.sorted()[k])
            // Everything after k is at least the k-th value.
            #expect(copy[k...].allSatisfy { $0 >= values.sorted()[k] })
            // A second rank selected among the values after k is the global rank.
            let k2 = k + Int(rng.next() % UInt64(n - k))
            #expect(selectKth(&copy, k2, in: k ..< n) == values.sorted()[k2])
            #expect(copy.sorted() == values.sorted())
        }
    }

    @Test("orderStatistics over several parts equals sorting them together (ties, one huge value)")
    func orderStatisticsMatchesSort() {
        var rng = SplitMix64(seed: 11)
        for trial in 0 ..< 40 {
            let partCount = 1 + Int(rng.next() % 5)
            var parts = (0 ..< partCount).map { _ in
                (0 ..< Int(rng.next() % 300)).map { _ in Float(rng.next() % 1000) / 7 }
            }
            if trial % 3 == 0 { parts[0].append(1e6) }   // one outlier crowds the rest into the first bins
            let all = parts.flatMap { $0 }.sorted()
            guard !all.isEmpty else { continue }
            let ranks = [0, all.count / 2, Int(0.95 * Double(all.count - 1)), all.count - 1]
            #expect(orderStatistics(of: parts, ranks: ranks, upperBound: all.last!) == ranks.map { all[$0] })
        }
    }
}
