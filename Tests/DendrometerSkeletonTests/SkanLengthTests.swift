import DendrometerCore
import Testing
@testable import DendrometerSkeleton

/// Expected values: `skan.summarize(skan.Skeleton(mask)).branch_distance.sum()` with skan 0.13,
/// on exactly these rows.
@Suite("Total length in skan's convention")
struct SkanLengthTests {
    @Test("small shapes give skan's totals", arguments: [
        ("plus", [".....", "..#..", ".###.", "..#..", "....."], 4.0),        // five junction pixels: a spanning tree of 4 steps
        ("block", ["....", ".##.", ".##.", "...."], 3.0),                    // four junction pixels, three side steps
        ("staircase", ["#....", ".##..", "..##.", "...#."], 6.82842712474619), // 4 + 2√2: side edges kept, corners' diagonals kept
        ("line", ["#####"], 4.0),
        ("ringWithTail", ["..........", "..#####...", ".##...##..", ".#.....#..", ".##...##..", "..#####...",
                          "....##....", "....##....", "....##....", "....##...."], 28.0),
    ])
    func shapes(_ name: String, _ rows: [String], _ expected: Double) {
        #expect(abs(skanTotalLengthPx(BinaryMask(rows: rows)) - expected) < 1e-9, "\(name)")
    }

    @Test("empty and single-pixel masks have no length")
    func degenerate() {
        #expect(skanTotalLengthPx(BinaryMask(width: 0, height: 0)) == 0)
        #expect(skanTotalLengthPx(BinaryMask(rows: ["...", ".#.", "..."])) == 0)
    }

    @Test("the graph's summary carries it beside its own node-to-node length")
    func inSummary() throws {
        let plus = BinaryMask(rows: [".......", "...#...", "...#...", ".#####.", "...#...", "...#...", "......."])
        let g = try SkeletonGraph(skeleton: plus, pixelSize: PixelSize(micrometres: 0.5))
        #expect(abs(g.summary.skanLengthPx - 8.0) < 1e-12)   // skan 0.13 on these rows: 8.0
        #expect(abs(g.summary.skanLengthUm! - 0.5 * g.summary.skanLengthPx) < 1e-12)
    }
}
