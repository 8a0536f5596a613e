import Testing
import DendrometerCore
@testable import DendrometerSegmentation

/// Reference values: `python3 tools/reference/segmentation_reference.py`
/// (function `thresholds`), scikit-image 0.26.0.
@Suite struct ThresholdTests {
    let u8 = bimodalU8(seed: 7, width: 40, height: 30)
    let u16 = trimodalU16(seed: 11, width: 40, height: 30)
    let f = bimodalFloat(seed: 5, width: 40, height: 30)

    @Test func otsuMatchesScikitImage() throws {
        #expect(try otsuThreshold(u8) == 99)                           // threshold_otsu(u8)
        #expect(try otsuThreshold(u16) == 2498)                        // threshold_otsu(u16), full histogram
        #expect(abs(try otsuThreshold(f) - 0.39050293) < 1e-6)         // threshold_otsu(f, nbins=4096)
        #expect(try otsuThreshold(AnyImage.uint8(u8)) == 99)
    }

    @Test func multiOtsuMatchesScikitImage() throws {
        let a = try multiOtsuThresholds(u8)                            // threshold_multiotsu(u8, classes=3)
        #expect(a.0 == 99 && a.1 == 179)
        let b = try multiOtsuThresholds(u16)                           // threshold_multiotsu(u16, classes=3)
        #expect(b.0 == 999 && b.1 == 2498)
        let c = try multiOtsuThresholds(f)                             // threshold_multiotsu(f, classes=3, nbins=4096)
        #expect(abs(c.0 - 0.39050293) < 1e-6 && abs(c.1 - 0.7508545) < 1e-6)
    }

    @Test func liMatchesScikitImage() throws {
        #expect(abs(try liThreshold(u8) - 114.9129875402559) < 1e-9)   // threshold_li(u8)
        #expect(abs(try liThreshold(u16) - 1478.6025347110992) < 1e-9) // threshold_li(u16)
        #expect(abs(try liThreshold(f) - 0.48180246) < 1e-5)           // threshold_li(f) (float32 arithmetic there)
    }

    @Test func triangleMatchesScikitImage() throws {
        #expect(try triangleThreshold(u8) == 149)                      // threshold_triangle(u8)
        #expect(try triangleThreshold(u16) == 3818)                    // threshold_triangle(u16)
        #expect(abs(try triangleThreshold(f) - 0.36950684) < 1e-6)     // threshold_triangle(f, nbins=4096)
    }

    @Test func sauvolaMatchesScikitImage() throws {
        // threshold_sauvola(u8, window_size=5, k=0.2)
        let s = try sauvolaThresholds(u8, window: 5, k: 0.2)
        let mean = s.pixels.reduce(0.0) { $0 + Double($1) } / Double(s.count)
        #expect(abs(mean - 125.70376788747204) < 1e-4)
        #expect(abs(Double(s[0, 0]) - 102.74544308764163) < 1e-4)
        #expect(abs(Double(s[39, 29]) - 143.43930540785777) < 1e-4)
        #expect(abs(Double(s[17, 12]) - 125.52609413533912) < 1e-4)
        #expect(try segment(u8, thresholds: s, polarity: .bright).area == 764)
        // threshold_sauvola(u8, window_size=9, k=0.3, r=100)
        let t = try sauvolaThresholds(u8, window: 9, k: 0.3, r: 100)
        #expect(abs(Double(t[0, 0]) - 108.46992354000679) < 1e-4)
        #expect(abs(Double(t[0, 29]) - 106.32112120153806) < 1e-4)
        #expect(abs(Double(t[38, 3]) - 121.75561919644984) < 1e-4)
        #expect(try segment(u8, thresholds: t, polarity: .bright).area == 764)
        // threshold_sauvola(u16, window_size=7, k=0.2)
        let q = try sauvolaThresholds(u16, window: 7)
        #expect(abs(Double(q[5, 5]) - 1968.3335830902488) < 1e-3)
        #expect(try segment(u16, thresholds: q, polarity: .bright).area == 812)
        // threshold_sauvola(f, window_size=5, k=0.2)
        let g = try sauvolaThresholds(f, window: 5)
        #expect(abs(Double(g[9, 7]) - 0.5047573) < 1e-6)
        #expect(try segment(f, thresholds: g, polarity: .bright).area == 792)
    }

    @Test func sauvolaFastMatchesDirectWindowSums() throws {
        // Direct per-pixel window statistics (scalar reference) vs the running
        // sums of the kernel, on an image tall enough to use several bands.
        let big = bimodalU8(seed: 3, width: 37, height: 150)
        let w = 7, h = 3
        let fast = try sauvolaThresholds(big, window: w, k: 0.3, r: 90)
        for y in 0 ..< big.height {
            for x in 0 ..< big.width {
                var s = 0.0, q = 0.0
                for dy in -h ... h {
                    for dx in -h ... h {
                        let v = Double(big[reflectIndex(x + dx, big.width), reflectIndex(y + dy, big.height)])
                        s += v; q += v * v
                    }
                }
                let m = s / 49, sd = max(q / 49 - m * m, 0).squareRoot()
                let t = m * (1 + 0.3 * (sd / 90 - 1))
                #expect(abs(Double(fast[x, y]) - t) < 1e-3)
            }
        }
        #expect(reflectIndex(-1, 4) == 1 && reflectIndex(4, 4) == 2 && reflectIndex(-5, 4) == 1 && reflectIndex(7, 1) == 0)
    }

    @Test func sauvolaWindowLargerThanImage() throws {
        // threshold_sauvola(a, window_size=9, k=0.25) for a 3×4 uint8 image:
        // numpy 'reflect' padding wider than the image reflects repeatedly.
        let a = Image<UInt8>(width: 4, height: 3, pixels: [10, 200, 30, 40, 50, 60, 250, 80, 90, 0, 110, 120])
        let expected: [Double] = [98.40123598, 92.42741525, 89.69567997, 83.66716647,
                                  106.95744132, 96.67636395, 93.94843699, 83.48623155,
                                  99.64195273, 90.64992157, 87.8552377, 78.6932378]
        let t = try sauvolaThresholds(a, window: 9, k: 0.25)
        for i in expected.indices { #expect(abs(Double(t.pixels[i]) - expected[i]) < 1e-4) }
    }

    @Test func documentedExamples() throws {
        #expect(try otsuThreshold(Image<UInt8>(width: 4, height: 1, pixels: [10, 12, 200, 202])) == 12)
        #expect(try otsuThreshold(Image<UInt16>(width: 4, height: 1, pixels: [1000, 1003, 40000, 40010])) == 1003)
        #expect(try otsuThreshold(Image<Float>(width: 4, height: 1, pixels: [0, 0.1, 0.9, 1]), bins: 4) == 0.125)
        let m = try multiOtsuThresholds(Image<UInt8>(width: 6, height: 1, pixels: [10, 11, 100, 101, 200, 201]))
        #expect(m.0 == 11 && m.1 == 101)   // threshold_multiotsu -> [11, 101]
        // threshold_li([[10, 20, 30, 200, 210, 220]]) = 73.42355813211348
        #expect(abs(try liThreshold(Image<UInt8>(width: 6, height: 1, pixels: [10, 20, 30, 200, 210, 220])) - 73.42355813211348) < 1e-9)
        // threshold_li([[10, 10, 200, 200]]) = 105.0 (background mean 0 stops the iteration)
        #expect(try liThreshold(Image<UInt8>(width: 4, height: 1, pixels: [10, 10, 200, 200])) == 105)
        // threshold_triangle([[0, 0, 0, 0, 0, 1, 2, 7]]) = 1
        #expect(try triangleThreshold(Image<UInt8>(width: 8, height: 1, pixels: [0, 0, 0, 0, 0, 1, 2, 7])) == 1)
        // threshold_triangle([[0, 0, 0, 0, 1, 1, 2, 3, 5, 9]]) = 4
        #expect(try triangleThreshold(Image<UInt8>(width: 10, height: 1, pixels: [0, 0, 0, 0, 1, 1, 2, 3, 5, 9])) == 4)
        // threshold_sauvola([[0,0,0],[0,90,0],[0,0,0]] uint8, window_size=3)[1,1] = 8.44367484
        let s = try sauvolaThresholds(Image<UInt8>(width: 3, height: 3, pixels: [0, 0, 0, 0, 90, 0, 0, 0, 0]), window: 3)
        #expect(abs(Double(s[1, 1]) - 8.44367484) < 1e-5)
        #expect(abs(Double(s[0, 0]) - 34.80604609) < 1e-5)
        #expect(segment(Image<UInt8>(width: 4, height: 1, pixels: [10, 12, 200, 202]), threshold: 12, polarity: .bright).rows == ["..##"])
    }

    @Test func edgeCases() throws {
        // single value: returned as is (scikit-image behaviour)
        let flat = Image<UInt8>(width: 3, height: 2, fill: 42)
        #expect(try otsuThreshold(flat) == 42)
        #expect(try liThreshold(flat) == 42)
        #expect(try triangleThreshold(flat) == 42)
        #expect(try otsuThreshold(Image<Float>(width: 1, height: 1, fill: 0.5)) == 0.5)
        // empty image
        #expect(throws: SegmentationError.emptyImage(operation: "Otsu threshold")) { try otsuThreshold(Image<UInt8>(width: 0, height: 3)) }
        // multi-Otsu needs 3 values
        #expect(throws: SegmentationError.tooFewValues(needed: 3, got: 2)) {
            try multiOtsuThresholds(Image<UInt8>(width: 2, height: 1, pixels: [1, 9]))
        }
        // NaN only
        #expect(throws: SegmentationError.noFiniteValues(operation: "Otsu threshold")) {
            try otsuThreshold(Image<Float>(width: 2, height: 1, pixels: [.nan, .nan]))
        }
        // NaN ignored
        #expect(try otsuThreshold(Image<Float>(width: 5, height: 1, pixels: [0, 0.1, .nan, 0.9, 1]), bins: 4) == 0.125)
        #expect(throws: SegmentationError.self) { try sauvolaThresholds(flat, window: 4) }
        // 1-px-wide image
        let column = Image<UInt8>(width: 1, height: 5, pixels: [1, 2, 200, 201, 202])
        #expect(try otsuThreshold(column) == 2)
        let sc = try sauvolaThresholds(column, window: 3)
        #expect(sc.width == 1 && sc.height == 5)
        // input not modified
        let copy = u8
        _ = try otsuThreshold(u8); _ = try sauvolaThresholds(u8, window: 5)
        #expect(copy == u8)
    }

    @Test func histogramFastMatchesScalar() {
        for seed in UInt64(1) ... 5 {
            var rng = SplitMix64(seed: seed)
            let n = Int(rng.next() % 300_000) + 1
            let px = (0 ..< n).map { _ in UInt8(truncatingIfNeeded: rng.next() % (seed == 1 ? 3 : 256)) }
            #expect(histogram(px) == histogramReference(px))
        }
        // 16-bit: every value counted once per occurrence, over several chunks; empty input.
        var rng = SplitMix64(seed: 9)
        let wide = (0 ..< 300_001).map { _ in UInt16(truncatingIfNeeded: rng.next() % 70_000) }
        var direct = [Int](repeating: 0, count: 65536)
        for v in wide { direct[Int(v)] += 1 }
        #expect(histogram(wide) == direct)
        #expect(histogram([UInt16]()) == [Int](repeating: 0, count: 65536))
        #expect(histogram([UInt8]()) == [Int](repeating: 0, count: 256))
    }

    @Test func segmentPolarity() {
        let image = Image<UInt16>(width: 3, height: 1, pixels: [5, 10, 11])
        #expect(segment(image, threshold: 10, polarity: .bright).rows == ["..#"])
        #expect(segment(image, threshold: 10, polarity: .dark).rows == ["##."])
        let bytes = Image<UInt8>(width: 4, height: 1, pixels: [0, 12, 13, 255])
        #expect(segment(bytes, threshold: 12.5, polarity: .bright).rows == ["..##"])
        #expect(segment(bytes, threshold: 12, polarity: .bright).rows == ["..##"])
        #expect(segment(bytes, threshold: 11.99, polarity: .bright).rows == [".###"])
        #expect(segment(bytes, threshold: -0.5, polarity: .bright).rows == ["####"])
        #expect(segment(bytes, threshold: -0.5, polarity: .dark).rows == ["...."])
        #expect(segment(bytes, threshold: 254.5, polarity: .bright).rows == ["...#"])
        #expect(segment(bytes, threshold: 255, polarity: .bright).rows == ["...."])
        #expect(segment(bytes, threshold: 300, polarity: .dark).rows == ["####"])
        #expect(segment(bytes, threshold: 12.5, polarity: .dark).rows == ["##.."])
        let fl = Image<Float>(width: 3, height: 1, pixels: [.nan, 0.2, 0.8])
        #expect(segment(fl, threshold: 0.5, polarity: .bright).rows == ["..#"])
        #expect(segment(fl, threshold: 0.5, polarity: .dark).rows == [".#."])
    }
}

@Suite("Hysteresis threshold")
struct HysteresisThresholdTests {
    @Test("keeps weak pixels connected to strong ones (worked example)")
    func workedExample() {
        let image = Image<UInt8>(width: 6, height: 1, pixels: [0, 5, 9, 5, 0, 5])
        #expect(hysteresisThreshold(image, low: 4, high: 8, polarity: .bright).bits == [0, 1, 1, 1, 0, 0])
    }

    /// scikit-image 0.26: `apply_hysteresis_threshold(img, 2, 6).astype(int).tolist()` on this
    /// 4×5 image gives [[0,1,1,0,0],[0,0,1,0,0],[0,0,0,0,0],[0,0,0,0,0]]: the right-column 3s
    /// and the bottom-left 3s touch no 7.
    @Test("matches scikit-image on a 4×5 fixture")
    func scikitImage() {
        let image = Image<UInt8>(width: 5, height: 4, pixels: [0, 3, 7, 0, 0,
                                                               0, 0, 3, 0, 3,
                                                               3, 0, 0, 0, 3,
                                                               3, 3, 0, 0, 0])
        let got = hysteresisThreshold(image, low: 2, high: 6, polarity: .bright)
        #expect(got.rows == [".##..", "..#..", ".....", "....."])
    }

    @Test("dark polarity keeps values at or below the thresholds")
    func dark() {
        let image = Image<UInt8>(width: 5, height: 1, pixels: [10, 1, 4, 9, 4])
        #expect(hysteresisThreshold(image, low: 5, high: 2, polarity: .dark).bits == [0, 1, 1, 0, 0])
        // An empty image gives an empty mask of the same shape.
        let empty = hysteresisThreshold(Image<Float>(width: 0, height: 3, pixels: []), low: 1, high: 2, polarity: .bright)
        #expect(empty.width == 0 && empty.height == 3 && empty.bits.isEmpty)
    }

    @Test("with speck removal: the worked example of the doc comment")
    func specksWorkedExample() {
        let image = Image<UInt8>(width: 6, height: 1, pixels: [0, 5, 9, 5, 0, 9])
        let mask = hysteresisThreshold(image, low: 4, high: 8, polarity: .bright, minimumArea: 2)
        #expect(mask.bits == [0, 1, 1, 1, 0, 0])
    }

    @Test("with speck removal: equals hysteresis then removeSmallObjects on random images (integer and float samples)",
          arguments: [Polarity.bright, .dark])
    func specksFused(polarity: Polarity) throws {
        var rng = SplitMix64(seed: polarity == .bright ? 5 : 6)
        for trial in 0 ..< 30 {
            let w = 5 + Int(rng.next() % 90), h = 1 + Int(rng.next() % 70)
            let image = Image<Float>(width: w, height: h, pixels: (0 ..< w * h).map { _ in Float(rng.next() % 100) })
            let (low, high): (Double, Double) = polarity == .bright ? (40, 75) : (60, 25)
            let area = trial % 7
            let mask = hysteresisThreshold(image, low: low, high: high, polarity: polarity, minimumArea: area)
            // Reference from a label image: components of the low-passing pixels holding a
            // high-passing pixel, then small ones removed by their own labelling.
            let labels = labelComponents(segment(image, threshold: low, polarity: polarity), connectivity: .eight)
            let passing = segment(image, threshold: high, polarity: polarity)
            let anchored = Set(labels.labels.indices.filter { passing.bits[$0] != 0 }.map { labels.labels[$0] }).subtracting([0])
            let hysteresis = BinaryMask(width: w, height: h, normalizedBits: labels.labels.map { anchored.contains($0) ? 1 : 0 })
            let reference = try removeSmallObjects(hysteresis, minimumArea: area)
            #expect(mask == reference, "trial \(trial)")
            // Byte samples and a fractional high threshold: the anchor test is segment's (above ⌊high⌋).
            let bytes = Image<UInt8>(width: w, height: h, pixels: image.pixels.map { UInt8($0) })
            let fractional = high + 0.5
            let byteLabels = labelComponents(segment(bytes, threshold: low, polarity: polarity), connectivity: .eight)
            let bytePassing = segment(bytes, threshold: fractional, polarity: polarity)
            let byteAnchored = Set(byteLabels.labels.indices.filter { bytePassing.bits[$0] != 0 }.map { byteLabels.labels[$0] }).subtracting([0])
            let byteReference = try removeSmallObjects(
                BinaryMask(width: w, height: h, normalizedBits: byteLabels.labels.map { byteAnchored.contains($0) ? 1 : 0 }), minimumArea: area)
            #expect(hysteresisThreshold(bytes, low: low, high: fractional, polarity: polarity, minimumArea: area) == byteReference, "trial \(trial)")
        }
    }
}
