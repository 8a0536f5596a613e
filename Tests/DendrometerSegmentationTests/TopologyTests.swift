import Testing
import DendrometerCore
@testable import DendrometerSegmentation

@Suite struct TopologyTests {
    @Test(arguments: maskReferences.indices)
    func matchesScikitImage(_ i: Int) throws {
        let ref = maskReferences[i]
        let m = mask(for: ref)
        #expect(eulerNumber(m) == ref.euler8)                                            // euler_number(connectivity=2)
        #expect(packedHex(fillHoles(m)) == ref.filled)                                  // ndi.binary_fill_holes
        #expect(packedHex(try removeSmallObjects(m, minimumArea: 3)) == ref.withoutSmall3) // remove_small_objects(max_size=2, connectivity=2)
        let s = connectivitySummary(m)
        #expect(s == ConnectivitySummary(components: ref.components8, holes: ref.components8 - ref.euler8, eulerNumber: ref.euler8))
    }

    @Test func handChecked() throws {
        let ring = BinaryMask(rows: ["#####", "#...#", "#...#", "#####"])
        #expect(connectivitySummary(ring) == ConnectivitySummary(components: 1, holes: 1, eulerNumber: 0))
        let figure8 = BinaryMask(rows: ["###", "#.#", "###", "#.#", "###"])
        #expect(connectivitySummary(figure8) == ConnectivitySummary(components: 1, holes: 2, eulerNumber: -1))
        let ringWithTail = BinaryMask(rows: ["###...", "#.####", "###..."])
        #expect(connectivitySummary(ringWithTail) == ConnectivitySummary(components: 1, holes: 1, eulerNumber: 0))
        let cross = BinaryMask(rows: [".#.", "###", ".#."])
        #expect(connectivitySummary(cross) == ConnectivitySummary(components: 1, holes: 0, eulerNumber: 1))
        // A diamond of diagonal steps: 8-connected ring, but its centre is
        // 4-connected to nothing -> one hole.
        let diamond = BinaryMask(rows: [".#.", "#.#", ".#."])
        #expect(connectivitySummary(diamond) == ConnectivitySummary(components: 1, holes: 1, eulerNumber: 0))
        // Ring touching the border: still a hole.
        let edgeRing = BinaryMask(rows: ["###", "#.#", "###"])
        #expect(connectivitySummary(edgeRing).holes == 1)
        #expect(fillHoles(edgeRing).rows == ["###", "###", "###"])
        // An open notch touching the border is no hole.
        let notch = BinaryMask(rows: ["#.#", "#.#", "###"])
        #expect(connectivitySummary(notch).holes == 0)
        #expect(fillHoles(notch) == notch)
        // Small holes: keep the 2-px hole, fill the 1-px one.
        let holes = BinaryMask(rows: ["######", "#.##..", "######", "#..###", "######"])
        #expect(try removeSmallHoles(holes, minimumArea: 2).rows == ["######", "####..", "######", "#..###", "######"])
        #expect(try removeSmallObjects(BinaryMask(rows: ["##..#", "##..."]), minimumArea: 2).rows == ["##...", "##..."])
    }

    /// Gray's bit-quad count window by window: (Q1 − Q3 − 2 QD) / 4 over the zero-padded mask.
    static func eulerByWindows(_ m: BinaryMask) -> Int {
        func at(_ x: Int, _ y: Int) -> Int { x >= 0 && y >= 0 && x < m.width && y < m.height ? Int(m.bits[y * m.width + x]) : 0 }
        var sum = 0
        for y in 0 ... m.height {
            for x in 0 ... m.width {
                let a = at(x - 1, y - 1), b = at(x, y - 1), c = at(x - 1, y), d = at(x, y)
                switch a + b + c + d {
                case 1: sum += 1
                case 3: sum -= 1
                case 2 where a == d: sum -= 2
                default: break
                }
            }
        }
        return sum / 4
    }

    @Test("the Euler number, 64 windows to a word, equals the window-by-window count at widths across word boundaries",
          arguments: [1, 63, 64, 65, 127, 128, 129, 200])
    func eulerAcrossWords(width: Int) {
        for seed in UInt64(1) ... 4 {
            let m = randomMask(seed: seed &* 31 &+ UInt64(width), width: width, height: 70 + Int(seed), percent: 30 + 10 * seed)
            #expect(eulerNumber(m) == Self.eulerByWindows(m), "width \(width), seed \(seed)")
        }
        // Phase along the last column and the right edge of a word.
        let edge = BinaryMask(width: width, height: 3, bits: (0 ..< 3 * width).map { $0 % width == width - 1 || $0 % 64 == 63 ? 1 : 0 })
        #expect(eulerNumber(edge) == Self.eulerByWindows(edge))
    }

    @Test func edgeCases() {
        #expect(connectivitySummary(BinaryMask(width: 0, height: 0)) == ConnectivitySummary(components: 0, holes: 0, eulerNumber: 0))
        #expect(connectivitySummary(BinaryMask(width: 3, height: 3)) == ConnectivitySummary(components: 0, holes: 0, eulerNumber: 0))
        #expect(connectivitySummary(BinaryMask(rows: ["###", "###"])) == ConnectivitySummary(components: 1, holes: 0, eulerNumber: 1))
        #expect(connectivitySummary(BinaryMask(rows: ["#"])).eulerNumber == 1)
        #expect(connectivitySummary(BinaryMask(rows: ["#", ".", "#"])).components == 2)
        #expect(connectivitySummary(BinaryMask(rows: ["#.#.#"])).eulerNumber == 3)
    }

    @Test func properties() {
        for seed in UInt64(1) ... 20 {
            var rng = SplitMix64(seed: seed)
            let w = 1 + Int(rng.next() % 60), h = 1 + Int(rng.next() % 300)
            let m = randomMask(seed: seed &+ 500, width: w, height: h, percent: 40 + rng.next() % 40)
            let s = connectivitySummary(m)
            // holes = components − Euler = 4-connected background components not touching the border
            let bg = labelReference(m, value: 0, connectivity: .four)
            var touching = Set<Int32>()
            for y in 0 ..< h { for x in 0 ..< w where (x == 0 || y == 0 || x == w - 1 || y == h - 1) && bg.labels[y * w + x] != 0 { touching.insert(bg.labels[y * w + x]) } }
            #expect(s.holes == bg.count - touching.count)
            #expect(s.components == labelReference(m, connectivity: .eight).count)
            let filled = fillHoles(m)
            #expect(connectivitySummary(filled).holes == 0)
            // objects inside a filled hole merge with it: never more components
            #expect(connectivitySummary(filled).components <= s.components)
            #expect(zip(m.bits, filled.bits).allSatisfy { $0 <= $1 })
            #expect(fillHoles(filled) == filled)
        }
    }
}
