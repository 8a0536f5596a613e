import DendrometerCore
import Foundation
import Testing
@testable import DendrometerSkeleton

/// Hand-checked graphs. skan values: tools/reference/graph_fixtures.py, i.e.
/// `skan.summarize(skan.Skeleton(mask), separator='_')` with skan 0.13.
@Suite("Skeleton graph (skan vocabulary)")
struct SkeletonGraphTests {
    static let plus = ["...#...", "...#...", "...#...", "#######", "...#...", "...#...", "...#..."]
    static let tee = ["#######", "...#...", "...#...", "...#..."]
    static let letterH = ["#...#", "#...#", "#####", "#...#", "#...#"]
    static let ladder = ["#.....#", "#.....#", "#######", "#.....#", "#.....#", "#.....#", "#######", "#.....#", "#.....#"]
    static let twoTees = ["..#...#...", "..#...#...", "##########"]

    func graph(_ rows: [String], distance: Image<Float>? = nil, pixelSize: PixelSize? = nil) -> SkeletonGraph {
        try! SkeletonGraph(skeleton: BinaryMask(rows: rows), distance: distance, pixelSize: pixelSize)
    }

    func types(_ g: SkeletonGraph) -> [Int] { g.branches.map(\.type.rawValue).sorted() }

    /// Plus of arm 3: the centre and its 4 neighbours all have degree ≥ 3 and
    /// merge into one junction at (3, 3); each arm is 1 px (junction position
    /// to attaching pixel) + 2 px = 3 px. skan: 4 type-1 branches of 3.0.
    @Test func plusSign() {
        let g = graph(Self.plus)
        let s = g.summary
        #expect(s.junctions == 1 && s.endpoints == 4 && s.branches == 4 && s.cycles == 0)
        #expect(s.branchTypes == ["0": 0, "1": 4, "2": 0, "3": 0])
        #expect(g.nodes.first { $0.kind == .junction }!.pixels.count == 5)
        let j = g.nodes.first { $0.kind == .junction }!
        #expect(j.x == 3 && j.y == 3 && j.degree == 4)
        for b in g.branches {
            #expect(abs(b.lengthPx - 3) < 1e-12)
            #expect(abs(b.euclideanDistancePx - 3) < 1e-12)
            #expect(abs(b.tortuosity! - 1) < 1e-12)
        }
        #expect(s.lengthPx == 12)
        #expect(s.meanTortuosity == 1)
        #expect(s.lengthUm == nil && s.meanBranchLengthUm == nil && s.meanWidthUm == nil)
    }

    /// T: cluster {(2,0),(3,0),(4,0),(3,1)}, centroid (3, 0.25) → placed at (3, 0).
    /// skan: 3 type-1 branches of 3.0, junction at row 0, col 3.
    @Test func tee() {
        let g = graph(Self.tee)
        #expect(g.summary.junctions == 1 && g.summary.endpoints == 3)
        #expect(types(g) == [1, 1, 1])
        #expect(g.branches.allSatisfy { abs($0.lengthPx - 3) < 1e-12 })
        let j = g.nodes.first { $0.kind == .junction }!
        #expect(j.x == 3 && j.y == 0)
    }

    /// H: two junctions at (0,2) and (4,2); 4 tips of 2 px; crossbar 4 px, type 2.
    /// skan: types {1: 4, 2: 1}, lengths 2, 2, 4, 2, 2; total 12.
    @Test func letterH() {
        let g = graph(Self.letterH)
        #expect(types(g) == [1, 1, 1, 1, 2])
        #expect(g.summary.lengthPx == 12)
        let bar = g.branches.first { $0.type == .junctionToJunction }!
        #expect(bar.lengthPx == 4 && bar.euclideanDistancePx == 4)
    }

    /// Ladder: 4 junctions, 4 tips of 2 px, rails 4 px, rungs 6 px; one loop.
    /// skan: types {1: 4, 2: 4}, total 28.0.
    @Test func ladder() {
        let g = graph(Self.ladder)
        let s = g.summary
        #expect(s.branchTypes == ["0": 0, "1": 4, "2": 4, "3": 0])
        #expect(s.junctions == 4 && s.endpoints == 4 && s.cycles == 1 && g.graphCycleRank == 1)
        #expect(s.lengthPx == 28)
    }

    /// Two tees with a one-pixel backbone between their junction clusters.
    /// skan: types {1: 4, 2: 1}, total 13.0.
    @Test func twoTees() {
        let g = graph(Self.twoTees)
        #expect(types(g) == [1, 1, 1, 1, 2])
        #expect(g.summary.lengthPx == 13)
        #expect(g.branches.first { $0.type == .junctionToJunction }!.path.count == 3)
    }

    /// A ring of 4 junction pixels round a one-pixel hole, with four tails: the
    /// hole is a loop inside one merged junction, invisible to the branch graph
    /// (E − V + C = 4 − 5 + 1 = 0) but counted by the Euler-number cycles.
    @Test func loopInsideMergedJunction() {
        let g = graph(["...#...", "...#...", "...#...", "###.###", "...#...", "...#...", "...#..."])
        #expect(g.summary.junctions == 1 && g.branches.count == 4)
        #expect(g.graphCycleRank == 0)
        #expect(g.cycles == 1)
    }

    /// Junction {a = (5,1), b = (6,1)} with a one-pixel bump r = (5,0) touching
    /// only a and b: r is absorbed (no type-3 loop), the junction sits on a
    /// (centroid (5.5, 1) ties, first in raster order).
    @Test func oneNodeBumpIsAbsorbed() {
        let g = graph([".....#.....",
                       ".....#####.",
                       "....#......",
                       "...#.......",
                       "..#........"])
        #expect(types(g) == [1, 1])
        #expect(g.graphCycleRank == 0 && g.cycles == 0)
        let j = g.nodes.first { $0.kind == .junction }!
        #expect(j.x == 5 && j.y == 1 && j.pixels.count == 3)
        let lengths = g.branches.map(\.lengthPx).sorted()
        #expect(lengths[0] == 4 && abs(lengths[1] - 3 * 2.squareRoot()) < 1e-12)
    }

    @Test func isolatedPiecesAndCycles() {
        // single pixel, 2-px segment, diagonal segment, closed diamond
        let g = graph(["#.##.#....#..", "......#..#.#.", "..........#.."])
        let s = g.summary
        #expect(g.components == 4)
        #expect(s.endpoints == 4 && s.junctions == 0)
        #expect(s.branchTypes == ["0": 2, "1": 0, "2": 0, "3": 1])
        #expect(s.cycles == 1)
        #expect(g.nodes.filter { $0.kind == .isolatedPixel }.count == 1)
        let lengths = g.branches.map(\.lengthPx).sorted()
        // 2-px segment 1; diagonal (5,0)-(6,1) √2; diamond 4√2
        #expect(abs(lengths[0] - 1) < 1e-12 && abs(lengths[1] - 2.squareRoot()) < 1e-12)
        #expect(abs(lengths[2] - 4 * 2.squareRoot()) < 1e-12)
        #expect(g.branches.first { $0.type == .cycle }!.tortuosity == nil)
        #expect(Set(g.branches.map(\.skeletonID)).count == 3)
    }

    @Test func emptyAndSinglePixel() {
        let e = try! SkeletonGraph(skeleton: BinaryMask(width: 5, height: 4))
        #expect(e.nodes.isEmpty && e.branches.isEmpty && e.cycles == 0 && e.components == 0)
        #expect(e.summary.meanTortuosity == nil && e.summary.lengthPx == 0)
        let one = try! SkeletonGraph(skeleton: BinaryMask(rows: ["#"]))
        #expect(one.components == 1 && one.branches.isEmpty && one.summary.endpoints == 0)
    }

    @Test func unitsAndWidths() throws {
        // Horizontal segment of 5 px on row 1, distance map 1.5 px on it.
        let rows = [".......", ".#####.", "......."]
        var d = Image<Float>(width: 7, height: 3, fill: 0)
        for x in 1 ... 5 { d[x, 1] = 1.5 }
        let g = graph(rows, distance: d, pixelSize: PixelSize(micrometres: 0.5))
        let b = g.branches[0]
        #expect(b.lengthPx == 4 && b.lengthUm == 2 && b.meanWidthPx == 3)
        let s = g.summary
        #expect(s.lengthUm == 2 && s.meanBranchLengthUm == 2 && s.meanWidthUm == 1.5)
        // Anisotropic pixel: vertical steps scale with the height.
        let v = graph([".#.", ".#.", ".#."], pixelSize: PixelSize(widthMicrometres: 1, heightMicrometres: 3))
        #expect(v.branches[0].lengthPx == 2 && v.branches[0].lengthUm == 6)
    }

    @Test func invalidInputsThrow() {
        let m = BinaryMask(rows: ["##"])
        #expect(throws: SkeletonError.distanceMapShape(expectedWidth: 2, expectedHeight: 1, width: 3, height: 1)) {
            try SkeletonGraph(skeleton: m, distance: Image<Float>(width: 3, height: 1))
        }
        #expect(throws: SkeletonError.self) { try SkeletonGraph(skeleton: m, pixelSize: PixelSize(micrometres: 0)) }
        #expect("\(SkeletonError.distanceMapShape(expectedWidth: 2, expectedHeight: 1, width: 3, height: 1))"
            == "distance map must have the skeleton's shape: expected 2×1 px, got 3×1 px")
    }

    @Test func summaryJSONKeys() throws {
        let s = graph(Self.plus).summary
        let data = try JSONEncoder().encode(s)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(Set(object.keys) == ["length_um", "length_px", "skan_length_um", "skan_length_px", "branches", "endpoints",
                                     "junctions", "cycles", "branch_types", "mean_branch_length_um", "mean_width_um",
                                     "mean_tortuosity"])
        #expect(object["length_um"] is NSNull)
        #expect((object["branch_types"] as! [String: Int]) == ["0": 0, "1": 4, "2": 0, "3": 0])
        #expect(try JSONDecoder().decode(SkeletonSummary.self, from: data) == s)
    }

    @Test func branchTableCSV() {
        let g = graph(Self.tee, pixelSize: PixelSize(micrometres: 2))
        let lines = g.branchTableCSV().split(separator: "\n", omittingEmptySubsequences: false)
        // skan.summarize(..., separator="_") names (without its pixel-value columns), then ours.
        #expect(lines[0] == "skeleton_id,node_id_src,node_id_dst,branch_distance,branch_type,image_coord_src_0,image_coord_src_1,image_coord_dst_0,image_coord_dst_1,coord_src_0,coord_src_1,coord_dst_0,coord_dst_1,euclidean_distance,unit,branch_distance_px,euclidean_distance_px,mean_width,mean_width_px,max_depth,max_depth_px,region")
        #expect(lines.count == 5 && lines[4].isEmpty)
        // First branch: from the left tip (node 0, row 0 col 0) to the junction (node 1, row 0 col 3):
        // 3 px = 6 µm at 2 µm/px, as skan with spacing 2 gives (branch_distance 6.0, coord_dst_1 6.0).
        #expect(lines[1] == "0,0,1,6.0,1,0,0,0,3,0.0,0.0,0.0,6.0,6.0,um,3.0,3.0,,,,,")
    }

    @Test("branch rows shift by the origin; uncalibrated tables are in px; depth, width and region are scaled and quoted")
    func branchRowsOriginAndUnits() {
        let g = graph(Self.tee)
        let rows = g.branchRows(originRow: 10, originColumn: 20)
        #expect(rows[0].sourceRow == 10 && rows[0].sourceColumn == 20 && rows[0].destinationRow == 10 && rows[0].destinationColumn == 23)
        #expect(SkeletonBranchTable.fields(rows[0], pixelSize: nil)[3 ... 14] ==
                ["3.0", "1", "10", "20", "10", "23", "10.0", "20.0", "10.0", "23.0", "3.0", "px"])
        var row = rows[0]
        row.meanWidthPx = 4; row.maxDepthPx = 7.5; row.region = "near, left"
        // Anisotropic pixel 0.5 µm wide, 0.25 µm high: rows scale by 0.25, columns by 0.5;
        // width and depth by the pixel width (the analysis' square-pixel convention).
        let f = SkeletonBranchTable.fields(row, pixelSize: PixelSize(widthMicrometres: 0.5, heightMicrometres: 0.25))
        #expect(f[9 ... 13] == ["2.5", "10.0", "2.5", "11.5", "1.5"])
        #expect(f[17 ... 21] == ["2.0", "4.0", "3.75", "7.5", "\"near, left\""])
    }

    /// Graph of skimage's skeleton of the fixtures (rows pasted from
    /// tools/reference/skeleton_fixtures.py, `skeletonize(mask)`), against skan on the same input.
    @Test func matchesSkanOnSkimageSkeletons() {
        // skan types {1: 4}, total 17.414213562373096
        let cross = graph([".....#.....", ".....#.....", ".....#.....", ".....#.....", ".....#...#.", "#########..",
                           ".....#.....", ".....#.....", ".....#.....", "...........", "..........."])
        #expect(types(cross) == [1, 1, 1, 1])
        #expect(abs(cross.summary.lengthPx - 17.414213562373096) < 0.03 * 17.41)
        // skan types {1: 1, 3: 1}, total 18.899494936611667
        let tail = graph(["..........", "..####....", ".#....#...", ".#.....#..", "..#...#...", "...###....",
                          "....#.....", "....#.....", "....#.....", ".........."])
        #expect(types(tail) == [1, 3])
        #expect(abs(tail.summary.lengthPx - 18.899494936611667) < 0.03 * 18.9)
        // skan types {3: 1}, total 23.313708498984763
        let ring = graph(["...........", "....###....", "...#...#...", "..#.....#..", ".#......#..", ".#......#..",
                          ".#......#..", "..#.....#..", "...#####...", "...........", "..........."])
        #expect(types(ring) == [3])
        #expect(abs(ring.summary.lengthPx - 23.313708498984763) < 1e-9)
    }
}

@Suite("Skeleton graph of empty shapes")
struct SkeletonGraphEmptyShapeTests {
    @Test("0×0, 0×N and N×0 masks give an empty graph, not a trap", arguments: [(0, 0), (0, 5), (7, 0)])
    func emptyShapes(_ size: (Int, Int)) throws {
        let g = try SkeletonGraph(skeleton: BinaryMask(width: size.0, height: size.1))
        #expect(g.branches.isEmpty && g.nodes.isEmpty)
        #expect(g.summary.lengthPx == 0)
        #expect(skeletonize(BinaryMask(width: size.0, height: size.1)).area == 0)
        #expect(try pruneSpurs(BinaryMask(width: size.0, height: size.1), minimumLength: 3).area == 0)
    }
}
