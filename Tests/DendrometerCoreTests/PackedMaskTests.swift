import DendrometerCore
import Testing

@Suite("PackedMask: one bit per pixel")
struct PackedMaskTests {
    @Test("the header's example: rows 101 and 010 are the words 0b101 and 0b010")
    func example() {
        let m = BinaryMask(width: 3, height: 2, normalizedBits: [1, 0, 1, 0, 1, 0])
        let p = PackedMask(m)
        #expect(p.wordsPerRow == 1)
        #expect(p.words == [0b101, 0b010])
        #expect(p[x: 0, y: 0] && !p[x: 1, y: 0] && p[x: 2, y: 0] && p[x: 1, y: 1])
        #expect(p.area == 3)
        #expect(p.unpacked() == m)
    }

    @Test("widths across word boundaries (1, 63, 64, 65, 130 px) come back exactly; empty masks too")
    func roundTrip() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for (w, h) in [(1, 5), (63, 3), (64, 4), (65, 7), (130, 9), (0, 0), (0, 3), (5, 0)] {
            var bits = [UInt8](repeating: 0, count: w * h)
            for i in bits.indices {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bits[i] = UInt8(seed >> 63)
            }
            let m = BinaryMask(width: w, height: h, normalizedBits: bits)
            let p = PackedMask(m)
            #expect(p.wordsPerRow == (w + 63) / 64)
            #expect(p.unpacked() == m, "\(w) × \(h)")
            #expect(p.area == m.area, "\(w) × \(h)")
            // Bits beyond the width stay 0: the 65-px row's second word holds one pixel only.
            for y in 0 ..< h where w % 64 != 0 {
                #expect(p.words[y * p.wordsPerRow + p.wordsPerRow - 1] >> UInt64(w % 64) == 0)
            }
        }
    }

    @Test("a crop placed on a larger canvas (inside, across every edge, beyond it) holds its pixels there, background elsewhere")
    func placed() {
        var seed: UInt64 = 7
        let crop = BinaryMask(width: 37, height: 9, normalizedBits: (0 ..< 37 * 9).map { _ in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(seed >> 63)
        })
        let (w, h) = (150, 20)
        for origin in [(0, 0), (3, 2), (64, 5), (60, 11), (-5, -3), (130, 15), (150, 0), (0, 20), (-40, 0)] {
            let p = PackedMask(crop, at: origin, width: w, height: h)
            var expected = BinaryMask(width: w, height: h)
            for y in 0 ..< crop.height {
                for x in 0 ..< crop.width {
                    let fx = x + origin.0, fy = y + origin.1
                    if fx >= 0, fx < w, fy >= 0, fy < h { expected.bits[fy * w + fx] = crop.bits[y * crop.width + x] }
                }
            }
            #expect(p.unpacked() == expected, "origin \(origin)")
            #expect(p == PackedMask(expected), "origin \(origin)")
        }
    }

    @Test("a row's pixels in a column range, in order: word edges, a range inside one word, an empty range")
    func rowPixels() {
        let m = BinaryMask(width: 140, height: 2, normalizedBits: (0 ..< 280).map { UInt8($0 % 7 == 0 || $0 % 64 == 63 ? 1 : 0) })
        let p = PackedMask(m)
        for (y, columns) in [(0, 0 ..< 140), (1, 5 ..< 130), (0, 63 ..< 65), (1, 70 ..< 71), (0, 10 ..< 10)] {
            var got = [Int]()
            p.forEachPixel(inRow: y, columns: columns) { got.append($0) }
            #expect(got == columns.filter { m.bits[y * 140 + $0] != 0 }, "row \(y) \(columns)")
        }
    }

    @Test("equal masks pack to equal values, different ones to different values")
    func equality() {
        let a = BinaryMask(width: 70, height: 2, normalizedBits: (0 ..< 140).map { UInt8($0 % 3 == 0 ? 1 : 0) })
        var b = a
        #expect(PackedMask(a) == PackedMask(b))
        b.bits[69] ^= 1
        #expect(PackedMask(a) != PackedMask(b))
    }

    @Test("rows filled as they are computed equal the packed byte mask (the doc's diagonal, widths across word edges over several row bands); full masks equal packed all-ones masks",
          arguments: [1, 3, 63, 64, 65, 130])
    func filledRows(width: Int) {
        let diagonal = PackedMask(width: 3, height: 2) { y, row in for x in 0 ..< 3 { row[x] = x == y ? 1 : 0 } }
        #expect(diagonal.words == [0b001, 0b010])
        let h = 300
        @Sendable func bit(_ x: Int, _ y: Int) -> UInt8 { (x * 7 + y * 13) % 5 < 2 || x == width - 1 ? 1 : 0 }
        let rows = PackedMask(width: width, height: h) { y, row in for x in 0 ..< width { row[x] = bit(x, y) } }
        let bytes = BinaryMask(width: width, height: h, normalizedBits: (0 ..< width * h).map { bit($0 % width, $0 / width) })
        #expect(rows == PackedMask(bytes))
        #expect(rows.unpacked() == bytes)
        let ones = BinaryMask(width: width, height: 5, normalizedBits: [UInt8](repeating: 1, count: width * 5))
        #expect(PackedMask.full(width: width, height: 5) == PackedMask(ones))
        #expect(PackedMask.full(width: width, height: 0).words.isEmpty)
    }
}
