import Testing
import DendrometerCore
@testable import DendrometerFilters

@Suite("Scan-line axis")
struct ScanAxisTests {
    @Test("a streak column against its neighbours: offsets [0, 8, 0] (the rows' worked example, turned)")
    func streakColumn() {
        let image = Image<Float>(width: 3, height: 3, pixels: [1, 9, 1, 1, 9, 1, 1, 9, 1])
        #expect(scanColumnOffsets(image) == [0, 8, 0])
        // The same image turned: the rows' offsets are the columns' above.
        let turned = Image<Float>(width: 3, height: 3, pixels: [1, 1, 1, 9, 9, 9, 1, 1, 1])
        #expect(scanLineOffsets(turned) == scanColumnOffsets(image))
    }

    @Test("axis sizes: offsets on every column and none on the rows measure as columns; the field turned, as rows")
    func axisSizes() {
        // 30 × 20 flat field of grey 100 whose columns are offset by 0, +2, −2, 0, +2, −2, …
        let offset: [Float] = [0, 2, -2]
        var pixels = [Float](), turned = [Float](repeating: 0, count: 600)
        for y in 0 ..< 20 { for x in 0 ..< 30 { pixels.append(100 + offset[x % 3]) } }
        for y in 0 ..< 20 { for x in 0 ..< 30 { turned[x * 20 + y] = pixels[y * 30 + x] } }
        // Against its neighbours' mean each column is off by 0 − (−2 + 2)/2 = 0, 2 − (0 − 2)/2 = 3
        // or −2 − (2 + 0)/2 = −3: of the 28 interior columns 9 by 0 and 19 by 3. A tenth (2) cut
        // at each end leaves 7 zeros and 17 threes: 51 / 24 = 2.125.
        let columns = scanLineAxisSizes(Image<Float>(width: 30, height: 20, pixels: pixels))
        #expect(columns.rows == 0 && columns.columns == 2.125)
        let rows = scanLineAxisSizes(Image<Float>(width: 20, height: 30, pixels: turned))
        #expect(rows.rows == 2.125 && rows.columns == 0)
    }

    @Test("the size leaves out the largest and smallest tenth: eight lines of ±1, one of 50 (structure), one of 0")
    func size() {
        // |offsets| sorted 0, 1 × 8, 50: a tenth (one value) cut at each end, the mean of the rest is 1.
        #expect(lineOffsetSize([1, -1, 1, -1, 1, -1, 1, -1, 50, 0]) == 1)
        #expect(lineOffsetSize([]) == 0)
        #expect(lineOffsetSize([3, -3]) == 3)   // nothing to trim from two values
    }

    @Test("column offsets taken out after the blur equal the blur of the field with them taken out before")
    func blurredColumnOffsets() throws {
        // A 40 × 30 field: a horizontal ramp and a bright row band, plus an offset per column.
        var rng = SplitMix64(seed: 11)
        let columnOffsets = (0 ..< 40).map { _ in Float(Int(rng.next() % 9) - 4) }
        var clean = [Float](), noisy = [Float]()
        for y in 0 ..< 30 {
            for x in 0 ..< 40 {
                let v = Float(2 * x) + ((10 ..< 14).contains(y) ? 80 : 0)
                clean.append(v)
                noisy.append(v + columnOffsets[x])
            }
        }
        let expected = try gaussianBlur(Image<Float>(width: 40, height: 30, pixels: clean), sigma: 1)
        var measured = try gaussianBlur(Image<Float>(width: 40, height: 30, pixels: noisy), sigma: 1)
        subtractBlurredColumnOffsets(&measured, offsets: columnOffsets, sigma: 1)
        #expect(maxAbsDiff(measured.pixels, expected.pixels) < 1e-3)
    }
}
