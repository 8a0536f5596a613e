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

    @Test("equal masks pack to equal values, different ones to different values")
    func equality() {
        let a = BinaryMask(width: 70, height: 2, normalizedBits: (0 ..< 140).map { UInt8($0 % 3 == 0 ? 1 : 0) })
        var b = a
        #expect(PackedMask(a) == PackedMask(b))
        b.bits[69] ^= 1
        #expect(PackedMask(a) != PackedMask(b))
    }
}
