import Testing
import DendrometerCore
@testable import DendrometerFilters

@Suite("Scan-line correction")
struct ScanLineCorrectionTests {
    @Test("a streak row is brought back to its neighbours (worked example)")
    func streak() {
        let image = Image<Float>(width: 3, height: 3, pixels: [1, 1, 1, 9, 9, 9, 1, 1, 1])
        #expect(correctingScanLines(image).pixels == [1, 1, 1, 1, 1, 1, 1, 1, 1])
    }

    @Test("vertical structure and smooth gradients are untouched")
    func structureKept() {
        // A vertical bright bar (columns 2–3) on a top-to-bottom ramp: every row's
        // median difference to its neighbours is 0, so nothing changes.
        var pixels = [Float]()
        for y in 0 ..< 6 { for x in 0 ..< 7 { pixels.append(Float(10 * y) + ((2 ... 3).contains(x) ? 100 : 0)) } }
        let image = Image<Float>(width: 7, height: 6, pixels: pixels)
        #expect(correctingScanLines(image) == image)
    }

    @Test("Counting selection of half steps: the worked example")
    func halfStepExample() {
        var counts = [Int32](repeating: 0, count: HalfStepMedian.bins)
        // Half steps 3, −1, 0, 3, 6 sorted: −1, 0, 3, 3, 6 → rank 2 is 3 → 1.5.
        #expect(HalfStepMedian.kth([1.5, -0.5, 0, 1.5, 3], 2, counts: &counts) == 1.5)
        #expect(HalfStepMedian.kth([1.5, -0.5, 0, 1.5, 3], 0, counts: &counts) == -0.5)
        #expect(HalfStepMedian.kth([1.5, -0.5, 0, 1.5, 3], 4, counts: &counts) == 3)
        #expect(counts.allSatisfy { $0 == 0 }, "scratch left zeroed")
    }

    @Test("Values off the half-step grid or beyond its range are left to quickselect")
    func declines() {
        var counts = [Int32](repeating: 0, count: HalfStepMedian.bins)
        #expect(HalfStepMedian.kth([0.25, 1], 0, counts: &counts) == nil)
        #expect(HalfStepMedian.kth([2000, 1], 0, counts: &counts) == nil)
        #expect(HalfStepMedian.kth([.nan, 1], 0, counts: &counts) == nil)
        #expect(counts.allSatisfy { $0 == 0 })
    }

    @Test("Every rank of random 8-bit row differences equals the sorted order")
    func matchesSorting() {
        var rng = SplitMix64(seed: 7)
        var counts = [Int32](repeating: 0, count: HalfStepMedian.bins)
        for _ in 0 ..< 50 {
            let n = 1 + Int(rng.next() % 300)
            let values = (0 ..< n).map { _ -> Float in
                let p = Float(rng.next() % 256), a = Float(rng.next() % 256), b = Float(rng.next() % 256)
                return p - 0.5 * (a + b)
            }
            let sorted = values.sorted()
            for k in [0, n / 2, n - 1] {
                #expect(HalfStepMedian.kth(values, k, counts: &counts) == sorted[k])
            }
        }
    }

    @Test("Row offsets: the worked example, and none for fewer than 3 rows")
    func offsetsExample() {
        let image = Image<UInt8>(width: 3, height: 3, pixels: [1, 1, 1, 9, 9, 9, 1, 1, 1])
        #expect(scanLineOffsets(image) == [0, 8, 0])
        #expect(scanLineOffsets(Image<UInt8>(width: 4, height: 2, pixels: [1, 2, 3, 4, 5, 6, 7, 8])) == [0, 0])
    }

    /// The fused path (offsets measured on the samples as recorded, subtracted as the blur reads
    /// each row) equals the two-step one (the image as Float, destriped, then blurred) bit for bit:
    /// random streaked 8-bit and 16-bit images, several σ (0 included), wide and narrow.
    @Test("Blurring with the row offsets subtracted equals blurring the destriped image", arguments: [0.0, 1.0, 2.5])
    func fusedEqualsTwoSteps(sigma: Double) throws {
        var rng = SplitMix64(seed: 31)
        for (w, h) in [(37, 23), (2100, 9), (5, 40)] {
            var bytes = [UInt8](), words = [UInt16]()
            for y in 0 ..< h {
                let streak = Int(rng.next() % 40)   // per-row offset, as a drifting beam gives
                for x in 0 ..< w {
                    let v = (x * 7 + y * 3) % 180 + streak + Int(rng.next() % 30)
                    bytes.append(UInt8(min(255, v)))
                    words.append(UInt16(v * 251 + Int(rng.next() % 200)))
                }
            }
            let u8 = Image<UInt8>(width: w, height: h, pixels: bytes)
            let u16 = Image<UInt16>(width: w, height: h, pixels: words, bitDepth: 16)
            let fused8 = try gaussianBlur(u8, sigma: sigma, subtractingRowOffsets: scanLineOffsets(u8))
            #expect(fused8 == (try gaussianBlur(correctingScanLines(u8.asFloat()), sigma: sigma)), "8-bit \(w)×\(h)")
            let fused16 = try gaussianBlur(u16, sigma: sigma, subtractingRowOffsets: scanLineOffsets(u16))
            #expect(fused16 == (try gaussianBlur(correctingScanLines(u16.asFloat()), sigma: sigma)), "16-bit \(w)×\(h)")
            #expect(scanLineOffsets(u8) == scanLineOffsets(u8.asFloat()))
        }
    }

    /// The 8-bit path counts integer half steps; at the extremes of the range (rows alternating
    /// 0 and 255: differences of ±255, half steps ±510) it gives the Float path's offsets.
    @Test("8-bit offsets at the extremes of the half-step range equal the Float path's")
    func eightBitExtremes() {
        var rng = SplitMix64(seed: 5)
        let w = 3000, h = 7
        var pixels = [UInt8]()
        for y in 0 ..< h { for _ in 0 ..< w { pixels.append(y % 2 == 0 ? UInt8(rng.next() % 3) : UInt8(253 + rng.next() % 3)) } }
        let image = Image<UInt8>(width: w, height: h, pixels: pixels)
        let offsets = scanLineOffsets(image)
        #expect(offsets == scanLineOffsets(image.asFloat()))
        #expect(offsets[1] > 250 && offsets[2] < -250, "rows alternate by about ±254: \(offsets)")
    }
}
