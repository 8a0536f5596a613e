import Testing
import DendrometerCore
@testable import DendrometerSegmentation

@Suite struct MorphologyTests {
    @Test(arguments: maskReferences.indices)
    func matchesScikitImage(_ i: Int) throws {
        // skimage.morphology.binary_{dilation,erosion,opening,closing}(m, disk(r))
        let ref = maskReferences[i]
        let m = mask(for: ref)
        for r in 1 ... 4 {
            #expect(packedHex(try dilation(m, radius: r)) == ref.dilation[r - 1], "dilation r=\(r)")
            #expect(packedHex(try erosion(m, radius: r)) == ref.erosion[r - 1], "erosion r=\(r)")
            #expect(packedHex(try opening(m, radius: r)) == ref.opening[r - 1], "opening r=\(r)")
            #expect(packedHex(try closing(m, radius: r)) == ref.closing[r - 1], "closing r=\(r)")
        }
    }

    @Test func fastMatchesDirectDisk() throws {
        for seed in UInt64(1) ... 6 {
            var rng = SplitMix64(seed: seed)
            let w = 1 + Int(rng.next() % 30), h = 1 + Int(rng.next() % 70)
            let m = randomMask(seed: seed &+ 100, width: w, height: h, percent: rng.next() % 100)
            for r in [0, 1, 2, 3, 5, 7] {
                #expect(try dilation(m, radius: r) == dilationReference(m, radius: r))
                #expect(try erosion(m, radius: r) == erosionReference(m, radius: r))
            }
        }
    }

    /// The packed-row kernel (small radii) against the distance-transform kernel
    /// (large radii) and the direct disk definition: bit-identical for every
    /// radius 0 ... 10, widths around the 64-pixel word size, odd heights, tall
    /// enough masks for several parallel row bands, dense and sparse masks.
    @Test func rowPathMatchesDistancePathAndDirectDisk() throws {
        let shapes = [(1, 9), (7, 1), (63, 13), (64, 5), (65, 21), (130, 101), (200, 3)]
        for (i, (w, h)) in shapes.enumerated() {
            for percent in [3, 50, 96] as [UInt64] {
                let m = randomMask(seed: UInt64(i * 10) &+ percent, width: w, height: h, percent: percent)
                for r in 0 ... 10 {
                    let rowsD = diskMorphology(m, target: 1, radius: r, covered: 1, path: .rows)
                    let distD = diskMorphology(m, target: 1, radius: r, covered: 1, path: .distance)
                    let rowsE = diskMorphology(m, target: 0, radius: r, covered: 0, path: .rows)
                    let distE = diskMorphology(m, target: 0, radius: r, covered: 0, path: .distance)
                    #expect(rowsD == distD, "dilation \(w)×\(h) r=\(r)")
                    #expect(rowsE == distE, "erosion \(w)×\(h) r=\(r)")
                    if w * h <= 1_500, r <= 6 {
                        #expect(rowsD == dilationReference(m, radius: r), "dilation \(w)×\(h) r=\(r)")
                        #expect(rowsE == erosionReference(m, radius: r), "erosion \(w)×\(h) r=\(r)")
                    }
                }
            }
        }
    }

    /// Around the crossover radius the public functions agree with both paths.
    @Test func crossoverRadiusAgrees() throws {
        let m = randomMask(seed: 77, width: 90, height: 70, percent: 8)
        for r in [rowDiskMaximumRadius, rowDiskMaximumRadius + 1, 25] {
            let rows = diskMorphology(m, target: 1, radius: r, covered: 1, path: .rows)
            #expect(rows == diskMorphology(m, target: 1, radius: r, covered: 1, path: .distance))
            #expect(try dilation(m, radius: r) == rows)
            let e = diskMorphology(m, target: 0, radius: r, covered: 0, path: .rows)
            #expect(try erosion(m, radius: r) == e)
        }
    }

    @Test func handChecked() throws {
        let dot = BinaryMask(rows: [".....", ".....", "..#..", ".....", "....."])
        #expect(try dilation(dot, radius: 1).rows == [".....", "..#..", ".###.", "..#..", "....."])
        #expect(try dilation(dot, radius: 2).rows == ["..#..", ".###.", "#####", ".###.", "..#.."])   // disk(2)
        let square = BinaryMask(rows: ["....", ".##.", ".##.", "...."])
        #expect(try erosion(square, radius: 1).area == 0)
        // Border: erosion treats outside as phase, dilation as background.
        let full = BinaryMask(rows: ["###", "###"])
        #expect(try erosion(full, radius: 3) == full)
        let empty = BinaryMask(width: 3, height: 2)
        #expect(try dilation(empty, radius: 3) == empty)
        let edge = BinaryMask(rows: ["###", "###", "..."])
        #expect(try erosion(edge, radius: 1).rows == ["###", "...", "..."])
        // binary_opening(m, disk(1)) on the padded dumbbell: corners go, the bridge stays;
        // without padding nothing changes (outside counts as phase for the erosion).
        let dumbbell = BinaryMask(rows: [".........", ".###.###.", ".#######.", ".###.###.", "........."])
        #expect(try opening(dumbbell, radius: 1).rows == [".........", "..##.##..", ".#######.", "..##.##..", "........."])
        let unpadded = BinaryMask(rows: ["###.###", "#######", "###.###"])
        #expect(try opening(unpadded, radius: 1) == unpadded)
        #expect(try dilation(dot, radius: 0) == dot)
        #expect(throws: SegmentationError.self) { try dilation(dot, radius: -1) }
    }

    @Test func edgeCases() throws {
        // Single pixel, 1-px-wide column and row, empty and 0×0 masks.
        let one = BinaryMask(rows: ["#"])
        #expect(try dilation(one, radius: 2) == one)
        #expect(try erosion(one, radius: 2) == one)              // outside counts as phase
        let column = BinaryMask(rows: ["#", ".", ".", ".", "#", "#"])
        #expect(try dilation(column, radius: 1).rows == ["#", "#", ".", "#", "#", "#"])
        #expect(try erosion(column, radius: 1).rows == [".", ".", ".", ".", ".", "#"])
        #expect(try closing(column, radius: 1).rows == ["#", ".", ".", ".", "#", "#"])
        let row = BinaryMask(rows: ["##.##"])
        #expect(try closing(row, radius: 1).rows == ["#####"])
        #expect(try opening(row, radius: 1).rows == ["##.##"])
        let zero = BinaryMask(width: 0, height: 0)
        #expect(try dilation(zero, radius: 3) == zero && erosion(zero, radius: 3) == zero)
        // Values above confirmed with skimage.morphology.binary_{dilation,erosion,closing,opening}(…, disk(1)).
        // A disk larger than the image: everything reachable is covered.
        #expect(try dilation(BinaryMask(rows: ["#..", "...", "..."]), radius: 1_000_000).area == 9)
        #expect(try erosion(BinaryMask(rows: ["##.", "###"]), radius: 1_000_000).area == 0)
        // Idempotence of opening/closing and dilation of the full mask.
        let full = BinaryMask(rows: ["###", "###"])
        #expect(try dilation(full, radius: 4) == full)
        #expect(try closing(full, radius: 2) == full)
    }

    @Test func properties() throws {
        for seed in UInt64(1) ... 10 {
            let m = blobMask(seed: seed &+ 40)
            let copy = m
            for r in 1 ... 3 {
                let e = try erosion(m, radius: r), d = try dilation(m, radius: r)
                let o = try opening(m, radius: r), c = try closing(m, radius: r)
                for k in m.bits.indices {
                    #expect(e.bits[k] <= m.bits[k] && m.bits[k] <= d.bits[k])   // anti-extensive / extensive
                    #expect(o.bits[k] <= m.bits[k])                               // dilate(erode) ⊆ original
                    #expect(m.bits[k] <= c.bits[k] || isNearBorder(k, m, r))     // closing extensive away from border
                }
                #expect(try opening(o, radius: r) == o)                           // idempotent
            }
            #expect(m == copy)                                                    // input not modified
        }
    }

    private func isNearBorder(_ k: Int, _ m: BinaryMask, _ r: Int) -> Bool {
        let x = k % m.width, y = k / m.width
        return x < r || y < r || x >= m.width - r || y >= m.height - r
    }
}

@Suite("Geodesic growth")
struct GeodesicGrowthTests {
    @Test("geodesic growth: steps along the limit only, 8-connected")
    func growing() {
        let limit = BinaryMask(rows: ["#####",
                                      "....#",
                                      "#####"])
        let seed = BinaryMask(rows: ["#....",
                                     ".....",
                                     "....."])
        #expect(seed.growing(within: limit, steps: 3).rows == ["####.", ".....", "....."])
        // Step 4 reaches (4, 0) and, diagonally from (3, 0), (4, 1); step 5 goes on to (3, 2) and (4, 2).
        #expect(seed.growing(within: limit, steps: 4).rows == ["#####", "....#", "....."])
        #expect(seed.growing(within: limit, steps: 5).rows == ["#####", "....#", "...##"])
        #expect(seed.growing(within: limit, steps: 0) == seed)
    }

    /// Step by step: each step adds the limit's pixels with an 8-neighbour in the mask so far.
    static func reference(_ seed: BinaryMask, within limit: BinaryMask, steps: Int) -> BinaryMask {
        var out = seed
        for _ in 0 ..< steps {
            var next = out
            for y in 0 ..< out.height {
                for x in 0 ..< out.width where out[x, y] == false && limit[x, y] {
                    var touches = false
                    for ny in max(0, y - 1) ... min(out.height - 1, y + 1) {
                        for nx in max(0, x - 1) ... min(out.width - 1, x + 1) where out[nx, ny] { touches = true }
                    }
                    if touches { next[x, y] = true }
                }
            }
            out = next
        }
        return out
    }

    @Test("equals step-by-step growth on random masks, from a large seed with little room (grown from the open pixels' side) and from a small seed in a large limit",
          arguments: [(seedPercent: 70, limitPercent: 80), (seedPercent: 5, limitPercent: 60), (seedPercent: 40, limitPercent: 45)] as [(Int, Int)])
    func matchesStepByStep(seedPercent: Int, limitPercent: Int) {
        var rng = SplitMix64(seed: UInt64(seedPercent * 100 + limitPercent))
        var seed = BinaryMask(width: 37, height: 29), limit = seed
        for i in seed.bits.indices {
            if Int(rng.next() % 100) < limitPercent { limit.bits[i] = 1 }
            if Int(rng.next() % 100) < seedPercent { seed.bits[i] = 1 }
        }
        for steps in 0 ... 4 {
            #expect(seed.growing(within: limit, steps: steps) == Self.reference(seed, within: limit, steps: steps), "\(steps) steps")
        }
    }
}
