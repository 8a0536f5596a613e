// Where each skeleton branch lies in the cross-section: its deepest point beyond the anode
// interface and the region it belongs to, for the rows of `branches.csv`.
//
// Method: a branch is the pixel path between two skeleton nodes (``SkeletonBranch/path``). Its
// depth is the largest signed distance to the interface over those pixels (positive into the
// electrolyte, as every depth of the analysis), so a branch of a flame reads the depth of its tip
// and a stripe band the depth it runs at. Its region is the one holding the path's middle pixel
// (the first such region in the order the analysis lists them): a branch crossing a band boundary
// belongs where most of it lies only approximately, but every branch gets exactly one region and
// the middle pixel is on the branch itself, which a bounding-box centre of a curved branch is not.
//
// Worked example: a vertical branch from field (x 5, y 9) up to (5, 4) above a straight interface
// at y = 10.5 with the anode at the bottom has path depths 1.5 … 6.5 px: `maxDepthPx` = 6.5; with
// bands `bottom` (depth 0–4) and `middle` (4–8), its middle pixel (5, 6 or 7) has depth 4.5 or 3.5,
// so the region is whichever band holds that pixel.
import DendrometerCore
import DendrometerGeometry
import DendrometerSkeleton

/// Branch rows of an analysis placed in the cross-section (depth and region per branch).
enum BranchPlacement {
    /// One ``SkeletonBranchRow`` per branch of `graph`, positions in the full raster.
    ///
    /// - Parameters:
    ///   - graph: the skeleton graph, built on the `window` crop of the field.
    ///   - window: where the graph's pixel (0, 0) lies in the field, px.
    ///   - field: the analysed field in the full raster (its origin shifts every position).
    ///   - interface: the anode interface in field coordinates; `nil` leaves depths empty.
    ///   - regions: the regions of the analysis (field coordinates), in reporting order.
    static func rows(graph: SkeletonGraph, window: PixelRect, field: PixelRect, interface: Interface?,
                     regions: [RegionMask]) -> [SkeletonBranchRow] {
        var rows = graph.branchRows(originRow: field.y + window.y, originColumn: field.x + window.x)
        let w = window.width
        for (i, branch) in graph.branches.enumerated() where !branch.path.isEmpty {
            if let interface {
                var deepest = -Double.infinity
                for p in branch.path {
                    let d = interface.depth(x: Double(p % w + window.x), y: Double(p / w + window.y))
                    if d > deepest { deepest = d }
                }
                rows[i].maxDepthPx = deepest
            }
            let middle = branch.path[branch.path.count / 2]
            let x = middle % w + window.x, y = middle / w + window.y
            rows[i].region = regions.first { $0.contains(x: x, y: y) }?.name
        }
        return rows
    }
}
