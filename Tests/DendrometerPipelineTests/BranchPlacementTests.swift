@testable import DendrometerPipeline
import Dendrometer
import DendrometerCore
import DendrometerGeometry
import DendrometerSkeleton
import Testing

/// Depth and region per branch (`branches.csv`) on a hand-made skeleton, and the depth map.
@Suite("Branch placement and depth map")
struct BranchPlacementTests {
    /// A vertical 6-px branch (rows 3–8 of column 2) in a 5 × 10 window placed at field (x 3, y 1),
    /// anode at the top with the interface at field y = 1.5: the branch's pixels lie at field
    /// y 4 … 9, depths 2.5 … 7.5 px. Two depth bands split at field y = 6.5 (depth 5).
    @Test("max depth over the branch's pixels, region of its middle pixel, positions in the full raster")
    func hand() throws {
        var rows = [String](repeating: ".....", count: 10)
        for y in 3 ... 8 { rows[y] = "..#.." }
        let graph = try SkeletonGraph(skeleton: BinaryMask(rows: rows))
        let window = PixelRect(x: 3, y: 1, width: 5, height: 10)
        let field = PixelRect(x: 0, y: 40, width: 20, height: 20)   // a 40-row data bar above the field
        let interface = Interface.straight(side: .top, width: 20, height: 20, v0: 1.5)
        func band(_ name: String, _ y0: Int, _ y1: Int) -> RegionMask {
            RegionMask(name: name, bbox: PixelRect(x: 0, y: y0, width: 20, height: y1 - y0),
                       local: BinaryMask(width: 20, height: y1 - y0, bits: [UInt8](repeating: 1, count: 20 * (y1 - y0))))
        }
        let placed = BranchPlacement.rows(graph: graph, window: window, field: field, interface: interface,
                                          regions: [band("near", 2, 7), band("far", 7, 12)])
        #expect(placed.count == 1)
        let b = try #require(placed.first)
        #expect(b.maxDepthPx == 7.5)
        // Path of 6 pixels: the middle one (index 3) is field y 7 or y 6 depending on the path's
        // direction; either way its band follows from the same pixel. Both ends are endpoints.
        let ys = [b.sourceRow, b.destinationRow].sorted()
        #expect(ys == [44, 49])                                       // field y 4 and 9 + 40 rows of data bar
        #expect(b.sourceColumn == 5 && b.destinationColumn == 5)       // window x 2 + 3
        let middleFieldY = Int(b.sourceRow) - 40 + (b.sourceRow < b.destinationRow ? 3 : -3)
        #expect(b.region == (middleFieldY < 7 ? "near" : "far"))
        // Without an interface or regions: no depth, no region.
        let bare = BranchPlacement.rows(graph: graph, window: window, field: field, interface: nil, regions: [])
        #expect(bare[0].maxDepthPx == nil && bare[0].region == nil)
    }
}
