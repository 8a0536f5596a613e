import DendrometerCore
import DendrometerFilters
import Testing
@testable import DendrometerSkeleton

/// Fixtures shared with tools/reference/skeleton_fixtures.py (same rows).
enum Fixtures {
    static let bar = [".......", ".#####.", ".#####.", ".#####.", "......."]
    static let full = [String](repeating: "########", count: 6)
    static let ring = [
        "...........", "...#####...", "..#######..", ".###...###.", ".##.....##.", ".##.....##.",
        ".##.....##.", ".###...###.", "..#######..", "...#####...", "...........",
    ]
    static let thickCross = [
        "....###....", "....###....", "....###....", "....###....", "###########", "###########",
        "###########", "....###....", "....###....", "....###....", "....###....",
    ]
    static let ringWithTail = [
        "..........", "..#####...", ".##...##..", ".#.....#..", ".##...##..", "..#####...",
        "....##....", "....##....", "....##....", "....##....",
    ]
    static let borderBlob = ["#####.....", "#####.....", "#####...##", "........##", "........##"]

    static let all: [(String, [String])] = [
        ("bar", bar), ("full", full), ("ring", ring), ("thickCross", thickCross),
        ("ringWithTail", ringWithTail), ("borderBlob", borderBlob),
    ]
}

@Suite("Guo–Hall thinning and skeletonize")
struct SkeletonizeTests {
    // MARK: Reference: skimage.morphology.thin implements the same Guo–Hall A1.

    /// Expected rows: `skimage.morphology.thin(mask)` (skimage 0.26), printed by
    /// tools/reference/skeleton_fixtures.py.
    @Test(arguments: [
        ("bar", [".......", ".......", "..###..", ".......", "......."]),
        ("full", ["........", "........", "........", "..###...", "........", "........"]),
        ("ring", ["...........", "...........", "...#####...", "..#.....#..", ".#......#..", ".#......#..",
                  ".#......#..", "..#.....#..", "...#...#...", "....###....", "..........."]),
        ("thickCross", ["...........", ".....#.....", ".....#.....", ".....#.....", ".....#.....", ".#########.",
                        ".....#.....", ".....#.....", ".....#.....", ".....#.....", "..........."]),
        ("ringWithTail", ["..........", "..####....", ".#....#...", ".#.....#..", ".#....#...", "..##.#....",
                          "....#.....", "....#.....", "....#.....", "....#....."]),
        ("borderBlob", ["..........", ".###......", "..........", "........#.", "........#."]),
    ])
    func guoHallMatchesSkimageThin(name: String, expected: [String]) {
        let rows = Fixtures.all.first { $0.0 == name }!.1
        #expect(guoHallThin(BinaryMask(rows: rows)).rows == expected)
    }

    /// An isolated 2×2 square: A1 reduces it to one pixel.
    @Test func twoByTwoSquare() {
        let square = BinaryMask(rows: ["....", ".##.", ".##.", "...."])
        // python: skimage.morphology.thin(sq) → single pixel at row 2, col 1
        #expect(guoHallThin(square).rows == ["....", "....", ".#..", "...."])
        let s = skeletonize(square)
        #expect(s.rows == ["....", "....", ".#..", "...."])
    }

    /// Where Guo–Hall leaves staircase corners, the clean-up removes them;
    /// elsewhere skeletonize equals thin.
    @Test func cleanUpOnlyTouchesRedundantPixels() {
        var cleaned = 0
        for seed in UInt64(1) ... 40 {
            let mask = randomBlobs(seed: seed)
            let thin = guoHallThin(mask), skel = skeletonize(mask)
            #expect(isSubset(skel, of: thin))
            if thin != skel { cleaned += 1 }
        }
        print("clean-up changed \(cleaned) of 40 random masks")
    }

    // MARK: Edge-case catalogue

    @Test func emptyImages() {
        #expect(skeletonize(BinaryMask(width: 0, height: 0)) == BinaryMask(width: 0, height: 0))
        #expect(skeletonize(BinaryMask(width: 0, height: 5)).height == 5)
        let blank = BinaryMask(width: 9, height: 7)
        #expect(skeletonize(blank) == blank)
    }

    @Test func singlePixelStays() {
        let one = BinaryMask(rows: ["...", ".#.", "..."])
        #expect(skeletonize(one) == one)
        let corner = BinaryMask(rows: ["#"])
        #expect(skeletonize(corner) == corner)
    }

    @Test func onePixelWideImagesAreAlreadyThin() {
        let row = BinaryMask(rows: ["##########"])
        #expect(skeletonize(row) == row)
        let column = BinaryMask(width: 1, height: 6, bits: [1, 1, 1, 1, 1, 1])
        #expect(skeletonize(column) == column)
    }

    /// A full image (every pixel phase, touching all four borders) thins to a
    /// short central line; skimage's `thin` gives "..###..." on row 3.
    @Test func fullImageThinsToCentralLine() {
        let s = skeletonize(BinaryMask(rows: Fixtures.full))
        #expect(s.rows == ["........", "........", "........", "..###...", "........", "........"])
    }

    @Test func thickRingBecomesOnePixelRing() {
        let mask = BinaryMask(rows: Fixtures.ring)
        let s = skeletonize(mask)
        #expect(topology(s) == (1, 1))
        #expect(!has2x2Block(s))
        // Every pixel of a closed one-pixel ring has exactly two neighbours.
        let g = try! SkeletonGraph(skeleton: s)
        #expect(g.nodes.count == 1 && g.nodes[0].kind == .cycleAnchor)
        #expect(g.branches.count == 1 && g.branches[0].type == .cycle)
        // skimage.morphology.skeletonize(ring).sum() == 20; thin gives 22 pixels.
        #expect(abs(s.area - 20) <= 3)
    }

    @Test func crossAndRingWithTail() throws {
        let cross = skeletonize(BinaryMask(rows: Fixtures.thickCross))
        let gc = try SkeletonGraph(skeleton: cross)
        #expect(gc.summary.junctions == 1 && gc.summary.endpoints == 4 && gc.summary.branchTypes["1"] == 4)
        let tail = skeletonize(BinaryMask(rows: Fixtures.ringWithTail))
        #expect(topology(tail) == (1, 1))
        let gt = try SkeletonGraph(skeleton: tail)
        // skan.summarize(skan.Skeleton(skeletonize(ringWithTail))): types {1: 1, 3: 1}
        #expect(gt.summary.branchTypes == ["0": 0, "1": 1, "2": 0, "3": 1])
        #expect(gt.summary.cycles == 1)
    }

    @Test func objectsTouchingTheBorderAreThinned() {
        let s = skeletonize(BinaryMask(rows: Fixtures.borderBlob))
        // The 5×3 block in the corner and the 2×3 bar at the right edge both
        // thin away from the border (skimage.morphology.thin gives the same rows).
        #expect(s.rows == ["..........", ".###......", "..........", "........#.", "........#."])
        #expect(topology(s).components == 2)
    }

    @Test func staircaseCornersAreRemoved() {
        // A 4-connected staircase: the corner pixels are redundant for 8-connectivity.
        let stairs = BinaryMask(rows: ["##....", ".##...", "..##..", "...##.", "....##"])
        let s = skeletonize(stairs)
        #expect(topology(s).components == 1)
        let g = try! SkeletonGraph(skeleton: s)
        #expect(g.summary.junctions == 0 && g.summary.endpoints == 2 && g.branches.count == 1)
    }

    // MARK: Properties over random masks

    @Test func propertiesOverSeeds() {
        for seed in UInt64(1) ... 40 {
            let mask = randomBlobs(seed: seed)
            let copy = mask
            let s = skeletonize(mask)
            #expect(mask == copy, "input modified, seed \(seed)")
            #expect(isSubset(s, of: mask), "result not inside input, seed \(seed)")
            #expect(!has2x2Block(s), "2×2 block left, seed \(seed)")
            let before = topology(mask), after = topology(s)
            #expect(before.components == after.components, "components \(before.components) → \(after.components), seed \(seed)")
            #expect(before.holes == after.holes, "holes \(before.holes) → \(after.holes), seed \(seed)")
            #expect(skeletonize(s) == s, "not idempotent, seed \(seed)")
            let g = try! SkeletonGraph(skeleton: s)
            #expect(g.cycles == before.holes, "graph cycles \(g.cycles) vs holes \(before.holes), seed \(seed)")
            #expect(g.components == before.components)
        }
    }

    @Test func fastPathMatchesScalarReference() {
        for seed in UInt64(100) ... 115 {
            let mask = randomBlobs(seed: seed, width: 150 + Int(seed % 7), height: 90)
            #expect(skeletonize(mask, path: .fast) == skeletonize(mask, path: .scalarReference), "seed \(seed)")
        }
    }
}

@Suite("Zhang–Suen thinning, bit for bit scikit-image")
struct ZhangSuenThinTests {
    /// Expected rows: `skimage.morphology.skeletonize(mask)` (scikit-image 0.26), printed by
    /// tools/reference/zhang_reference.py.
    static let expected: [(String, [String])] = [
        ("bar", [".......", "....#..", ".###...", ".......", "......."]),
        ("full", ["........", "........", "...###..", ".##.....", "........", "........"]),
        ("ring", ["...........", "....###....", "...#...#...", "..#.....#..", ".#......#..", ".#......#..", ".#......#..",
                  "..#.....#..", "...#####...", "...........", "..........."]),
        ("thickCross", [".....#.....", ".....#.....", ".....#.....", ".....#.....", ".....#...#.", "#########..", ".....#.....",
                        ".....#.....", ".....#.....", "...........", "..........."]),
        ("ringWithTail", ["..........", "..####....", ".#....#...", ".#.....#..", "..#...#...", "...###....", "....#.....",
                          "....#.....", "....#.....", ".........."]),
        ("borderBlob", ["...#......", "###.......", "..........", "........#.", ".........."]),
    ]
    static let more: [(String, [String], [String])] = [
        ("block", ["....", ".##.", ".##.", "...."], ["....", ".##.", "....", "...."]),
        ("diagonalBand", ["#.........", "##........", "###.......", ".###......", "..###.....", "...###....", "....###...",
                          ".....###..", "......###.", ".......###"],
         ["#.........", "#.........", ".#........", "..#.......", "...#......", "....#.....", ".....#....", "......#...",
          ".......#..", "........##"]),
        ("taperedFlame", ["....#....", "...###...", "...###...", "..#####..", "..#####..", ".#######.", ".#######.", "#########",
                          "#########"],
         [".........", ".........", "....#....", "....#....", "....#....", "....#....", "...###...", "..#...##.", "........."]),
    ]

    @Test("small shapes: the rows scikit-image gives")
    func fixtures() {
        let inputs = Dictionary(uniqueKeysWithValues: Fixtures.all)
        for (name, rows) in Self.expected {
            #expect(zhangSuenThin(BinaryMask(rows: inputs[name]!)).rows == rows, "\(name)")
            #expect(skeletonize(BinaryMask(rows: inputs[name]!), method: .zhang).rows == rows, "\(name)")
        }
        for (name, input, rows) in Self.more {
            #expect(zhangSuenThin(BinaryMask(rows: input)).rows == rows, "\(name)")
        }
    }

    @Test("no table deletes a pixel whose four 4-neighbours are phase (the fast scan skips those)")
    func interiorNeverDeleted() {
        let fourNeighbours = 0b0101_0101   // E, N, W, S
        for code in 0 ..< 256 where code & fourNeighbours == fourNeighbours {
            #expect(ThinningTables.zhangFirst[code] == 0 && ThinningTables.zhangSecond[code] == 0, "code \(code)")
        }
    }

    @Test("the paper's conditions, where scikit-image does not depart from them")
    func paperConditions() {
        // An end (one neighbour) is never deleted.
        for bit in 0 ..< 8 { #expect(ThinningTables.zhangFirst[1 << bit] == 0 && ThinningTables.zhangSecond[1 << bit] == 0) }
        // The lower edge of an object above (E, NE, N, NW, W phase): B = 5, A = 1; pass 1
        // deletes it (N·E·S = E·S·W = 0), pass 2 does not (N·E·W = 1).
        let lowerEdge = 0b0001_1111
        #expect(ThinningTables.zhangFirst[lowerEdge] == 1)
        #expect(ThinningTables.zhangSecond[lowerEdge] == 0)
        // A pixel inside a straight 1-px line (E and W only) has two transitions: kept.
        #expect(ThinningTables.zhangFirst[0b0001_0001] == 0 && ThinningTables.zhangSecond[0b0001_0001] == 0)
    }

    /// The same algorithm as scikit-image's loop, written plainly: full scans, decisions on the
    /// image as it was when the subiteration began.
    func naiveZhang(_ mask: BinaryMask) -> BinaryMask {
        let w = mask.width + 2, h = mask.height + 2
        var g = [UInt8](repeating: 0, count: w * h)
        for y in 0 ..< mask.height { for x in 0 ..< mask.width { g[(y + 1) * w + x + 1] = mask.bits[y * mask.width + x] } }
        var changed = true
        while changed {
            changed = false
            for table in [ThinningTables.zhangFirst, ThinningTables.zhangSecond] {
                var delete: [Int] = []
                for y in 1 ..< h - 1 {
                    for x in 1 ..< w - 1 where g[y * w + x] != 0 {
                        let at = { (dx: Int, dy: Int) in Int(g[(y + dy) * w + x + dx]) }
                        let code = at(1, 0) | at(1, -1) << 1 | at(0, -1) << 2 | at(-1, -1) << 3 | at(-1, 0) << 4
                            | at(-1, 1) << 5 | at(0, 1) << 6 | at(1, 1) << 7
                        if table[code] != 0 { delete.append(y * w + x) }
                    }
                }
                for i in delete { g[i] = 0 }
                changed = changed || !delete.isEmpty
            }
        }
        var out = BinaryMask(width: mask.width, height: mask.height)
        for y in 0 ..< mask.height { for x in 0 ..< mask.width { out.bits[y * mask.width + x] = g[(y + 1) * w + x + 1] } }
        return out
    }

    @Test("the chunk-tracked parallel kernel equals the plain loop on random blobs")
    func fastKernelMatchesPlainLoop() {
        for seed in UInt64(200) ... 215 {
            let mask = randomBlobs(seed: seed, width: 150 + Int(seed % 7), height: 90)
            #expect(zhangSuenThin(mask) == naiveZhang(mask), "seed \(seed)")
        }
    }

    @Test("every vector scan this processor runs gives the plain loop's skeleton, Zhang–Suen and Guo–Hall",
          arguments: VectorKernels.supported)
    func vectorScansMatchPlainLoop(kernels: VectorKernels) {
        // Widths around the 32-pixel vectors and 64-pixel chunks, so whole vectors, the
        // 8-pixel words after them and the last odd pixels all occur.
        // Blobs, and salt at 55 % (every one of the 256 neighbour codes occurs).
        for seed in UInt64(300) ... 311 {
            let width = 95 + 11 * Int(seed % 5)
            var rng = SplitMix64(seed: seed)
            var salt = BinaryMask(width: width, height: 50)
            for i in salt.bits.indices where rng.next() % 100 < 55 { salt.bits[i] = 1 }
            for mask in [randomBlobs(seed: seed, width: width, height: 70), salt] {
                #expect(zhangSuenThin(mask, kernels: kernels) == naiveZhang(mask), "seed \(seed)")
                #expect(skeletonize(mask, path: .fast, kernels: kernels) == skeletonize(mask, path: .scalarReference),
                        "seed \(seed)")
            }
        }
    }

    @Test("the packed deletion table holds entry c at bit c & 7 of byte c >> 3")
    func packedTable() {
        var table = [UInt8](repeating: 0, count: 256)
        table[16] = 1; table[255] = 1; table[9] = 1
        let bits = ThinningRules.packed(table)
        #expect(bits.count == 32)
        #expect(bits[2] == 0b0000_0001)   // 16 = 2·8 + 0
        #expect(bits[1] == 0b0000_0010)   // 9 = 1·8 + 1
        #expect(bits[31] == 0b1000_0000)  // 255 = 31·8 + 7
        #expect(bits.reduce(0) { $0 + $1.nonzeroBitCount } == 3)
    }
}
