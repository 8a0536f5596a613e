import DendrometerCore
import DendrometerSegmentation
import Testing
@testable import DendrometerSkeleton

@Suite("Spur pruning")
struct PruneSpursTests {
    /// Plus with arms N = 2, W = 2, E = 6, S = 6 around (6, 6).
    static var lopsidedPlus: BinaryMask {
        var m = BinaryMask(width: 13, height: 13)
        m[6, 6] = true
        for k in 1 ... 2 { m[6, 6 - k] = true; m[6 - k, 6] = true }
        for k in 1 ... 6 { m[6 + k, 6] = true; m[6, 6 + k] = true }
        return m
    }

    @Test func crossLosesShortArmsOnly() throws {
        let m = Self.lopsidedPlus
        // Spur lengths are 2 px (1 from the junction position to the attaching pixel + 1).
        let kept = try pruneSpurs(m, minimumLength: 2)   // strictly shorter than 2: nothing
        #expect(kept == m)
        let pruned = try pruneSpurs(m, minimumLength: 3)
        #expect(isSubset(pruned, of: m))
        let g = try SkeletonGraph(skeleton: pruned)
        #expect(g.summary.branchTypes == ["0": 1, "1": 0, "2": 0, "3": 0])
        #expect(g.summary.junctions == 0 && g.summary.endpoints == 2)
        // E arm (7…12, 6) and S arm (6, 7…12) joined diagonally once the centre corner is cleaned.
        #expect(pruned.area == 12 && !pruned[6, 6])
        #expect(abs(g.summary.lengthPx - (10 + 2.squareRoot())) < 1e-12)
    }

    /// Two junctions joined by a one-pixel backbone (2 px long), each with two
    /// long diagonal arms and one short spur: the spurs go, the backbone stays
    /// although it is shorter than the threshold.
    @Test func backboneBetweenCloseJunctionsSurvives() throws {
        var m = BinaryMask(width: 15, height: 13)
        // Junction A at (5, 6), B at (7, 6), backbone pixel (6, 6).
        for x in 5 ... 7 { m[x, 6] = true }
        for k in 1 ... 5 {
            m[5 - k, 6 - k] = true; m[5 - k, 6 + k] = true   // A's arms NW, SW
            m[7 + k, 6 - k] = true; m[7 + k, 6 + k] = true   // B's arms NE, SE
        }
        let before = try SkeletonGraph(skeleton: m)
        #expect(before.summary.branchTypes == ["0": 0, "1": 4, "2": 1, "3": 0])
        let backbone = before.branches.first { $0.type == .junctionToJunction }!
        #expect(backbone.lengthPx == 2)
        let pruned = try pruneSpurs(m, minimumLength: 4)   // arms are 5√2 ≈ 7.07 px
        #expect(pruned == m)

        // Shorten A's NW arm to two diagonal pixels: a 2√2 px spur.
        var spurred = m
        spurred[2, 3] = false; spurred[1, 2] = false; spurred[0, 1] = false
        let g = try SkeletonGraph(skeleton: spurred)
        let spur = g.branches.filter { $0.type == .junctionToEndpoint }.map(\.lengthPx).min()!
        #expect(abs(spur - 2 * 2.squareRoot()) < 1e-12)
        let p2 = try pruneSpurs(spurred, minimumLength: 4)
        let g2 = try SkeletonGraph(skeleton: p2)
        // A dissolves (degree 3 → 2); B keeps its junction; the backbone is now
        // part of a junction–endpoint branch ≥ 4 px, so it survives.
        #expect(g2.summary.junctions == 1)
        #expect(g2.summary.branchTypes == ["0": 0, "1": 3, "2": 0, "3": 0])
        #expect(p2[6, 6] && p2[5, 6] && p2[7, 6])
    }

    /// Ladder: 4 corner spurs of 2 px go; the rungs and rails (type 2) stay and
    /// the remainder closes into one ring (rectangle with cleaned corners).
    @Test func ladder() throws {
        let m = BinaryMask(rows: SkeletonGraphTests.ladder)
        let pruned = try pruneSpurs(m, minimumLength: 3)
        let g = try SkeletonGraph(skeleton: pruned)
        #expect(g.summary.branchTypes == ["0": 0, "1": 0, "2": 0, "3": 1])
        #expect(g.summary.cycles == 1 && topology(pruned) == (1, 1))
        #expect(pruned.area == 16)
        #expect(abs(g.summary.lengthPx - (12 + 4 * 2.squareRoot())) < 1e-12)
        // Junction–junction branches are never removed, whatever the threshold.
        let g0 = try SkeletonGraph(skeleton: m)
        #expect(g0.branches.filter { $0.type == .junctionToJunction }.allSatisfy { $0.lengthPx < 100 })
        #expect(try pruneSpurs(m, minimumLength: 100) == pruned)
    }

    @Test func starOfShortArmsKeepsTwo() throws {
        let tee = BinaryMask(rows: SkeletonGraphTests.tee)
        let pruned = try pruneSpurs(tee, minimumLength: 10)
        let g = try SkeletonGraph(skeleton: pruned)
        #expect(g.summary.branchTypes == ["0": 1, "1": 0, "2": 0, "3": 0])
        #expect(topology(pruned).components == 1)
    }

    @Test func isolatedBranchAndInputsUntouched() throws {
        let seg = BinaryMask(rows: ["....", ".##.", "...."])
        #expect(try pruneSpurs(seg, minimumLength: 50) == seg)
        #expect(throws: SkeletonError.invalidPruneLength(-1)) { try pruneSpurs(seg, minimumLength: -1) }
        #expect(throws: SkeletonError.self) { try pruneSpurs(seg, minimumLength: .nan) }
    }

    @Test func pruningPreservesTopologyOverSeeds() throws {
        for seed in UInt64(1) ... 25 {
            let s = skeletonize(randomBlobs(seed: seed))
            let p = try pruneSpurs(s, minimumLength: 6)
            #expect(isSubset(p, of: s))
            #expect(topology(p) == topology(s), "seed \(seed)")
            #expect(try pruneSpurs(p, minimumLength: 6) == p, "not stable, seed \(seed)")
            let g = try SkeletonGraph(skeleton: p)
            #expect(!g.branches.contains { $0.type == .junctionToEndpoint && $0.lengthPx < 6 }, "seed \(seed)")
        }
    }

    @Test("the graph pruning hands back is the pruned skeleton's graph, widths, µm lengths and skan length included")
    func graphOfThePrunedSkeleton() throws {
        let pixelSize = PixelSize(widthMicrometres: 0.05, heightMicrometres: 0.07)
        for seed in UInt64(1) ... 12 {
            let blobs = randomBlobs(seed: seed)
            let distance = try distanceTransform(blobs)
            let thinned = skeletonize(blobs)
            let (pruned, graph) = try pruneSpursWithGraph(thinned, minimumLength: 6, distance: distance, pixelSize: pixelSize)
            #expect(pruned == (try pruneSpurs(thinned, minimumLength: 6)), "seed \(seed)")
            let rebuilt = try SkeletonGraph(skeleton: pruned, distance: distance, pixelSize: pixelSize)
            #expect(graph.nodes == rebuilt.nodes && graph.branches == rebuilt.branches, "seed \(seed)")
            #expect(graph.components == rebuilt.components && graph.cycles == rebuilt.cycles, "seed \(seed)")
            #expect(graph.meanWidthPx == rebuilt.meanWidthPx && graph.skanLengthPx == rebuilt.skanLengthPx, "seed \(seed)")
            #expect(graph.skanLengthPx > 0 && graph.meanWidthPx != nil)
        }
    }

    /// Pruning as it was first written: each round rebuilds the graph from a fresh copy of the
    /// mask and cleans the whole frame. The pruning under test keeps one workspace and, after
    /// the first round, cleans only the rows next to a change.
    static func referencePrune(_ skeleton: BinaryMask, minimumLength: Double) throws -> BinaryMask {
        var mask = skeleton
        while true {
            let graph = try SkeletonGraph(skeleton: mask)
            var spursAt = [Int: [Int]]()
            for (k, b) in graph.branches.enumerated() where b.type == .junctionToEndpoint && b.lengthPx < minimumLength {
                spursAt[graph.nodes[b.source].kind == .junction ? b.source : b.destination, default: []].append(k)
            }
            var removed = false
            for j in spursAt.keys.sorted() {
                let spurs = spursAt[j]!.sorted { (graph.branches[$0].lengthPx, $0) < (graph.branches[$1].lengthPx, $1) }
                for k in spurs.prefix(max(0, graph.nodes[j].degree - 2)) {
                    let b = graph.branches[k]
                    let attach = b.source == j ? b.path[0] : b.path[b.path.count - 1]
                    for q in b.path where q != attach { mask.bits[q] = 0 }
                    removed = true
                    let x = attach % mask.width, y = attach / mask.width
                    func at(_ dx: Int, _ dy: Int) -> Int {
                        let xx = x + dx, yy = y + dy
                        return xx >= 0 && yy >= 0 && xx < mask.width && yy < mask.height && mask[xx, yy] ? 1 : 0
                    }
                    let code = at(1, 0) | at(1, -1) << 1 | at(0, -1) << 2 | at(-1, -1) << 3
                        | at(-1, 0) << 4 | at(-1, 1) << 5 | at(0, 1) << 6 | at(1, 1) << 7
                    if ThinningTables.crossingNumber(code) == 1 && code.nonzeroBitCount >= 2 { mask.bits[attach] = 0 }
                }
            }
            if !removed { return mask }
            var padded = PaddedMask(mask)
            padded.buffer.withUnsafeMutableBufferPointer { buf in
                while !cleanUp(buf.baseAddress!, width: padded.width, height: padded.height).isEmpty {}
            }
            mask = padded.unpadded()
        }
    }

    @Test("the same pruned skeleton as rebuilding every round and cleaning the whole frame: both thinnings, and a mask with corners everywhere")
    func matchesWholeFrameRounds() throws {
        for seed in UInt64(1) ... 30 {
            let blobs = randomBlobs(seed: seed, width: 90, height: 70)
            // Zhang–Suen leaves staircase corners everywhere: the first round's clean-up must
            // still reach all of them, not only those next to a removed spur.
            for thinned in [skeletonize(blobs, method: .guoHall), skeletonize(blobs, method: .zhang)] {
                for length in [3.0, 8.0, 20.0] {
                    #expect(try pruneSpurs(thinned, minimumLength: length) == (try Self.referencePrune(thinned, minimumLength: length)),
                            "seed \(seed), length \(length)")
                }
            }
        }
    }
}
