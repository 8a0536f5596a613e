// The `skeleton` block of the per-image JSON document (docs/REFERENCE.md §3) and the
// rows of `branches.csv` (skan-like columns, after `skan.summarize`).
import DendrometerCore

/// Summary of a skeleton graph: the `skeleton` block of the JSON document.
/// Encodes with exactly the keys of docs/REFERENCE.md §3; µm values (and means over
/// no branches) encode as `null`.
public struct SkeletonSummary: Codable, Sendable, Equatable {
    /// Total branch length, µm (`nil` without a pixel size).
    public var lengthUm: Double?
    /// Total branch length, px.
    public var lengthPx: Double
    /// Total length in skan's convention (junction clusters counted once, by their spanning tree), px.
    public var skanLengthPx: Double
    /// The same in µm (`nil` without a pixel size, or with non-square pixels, where a px
    /// length has no single µm value).
    public var skanLengthUm: Double?
    /// Number of branches.
    public var branches: Int
    /// Number of endpoint nodes (pixels with one skeleton neighbour).
    public var endpoints: Int
    /// Number of junction nodes (merged clusters of pixels with ≥ 3 neighbours).
    public var junctions: Int
    /// Independent loops (components − Euler number of the skeleton).
    public var cycles: Int
    /// Branch count per skan type, keys "0", "1", "2", "3" (always all four).
    public var branchTypes: [String: Int]
    /// Mean branch length, µm (`nil` without a pixel size or without branches).
    public var meanBranchLengthUm: Double?
    /// Mean of 2 × distance over skeleton pixels, µm (`nil` without a distance map or pixel size).
    public var meanWidthUm: Double?
    /// Mean tortuosity over branches where it is defined (not cycles), `nil` if none.
    public var meanTortuosity: Double?

    enum CodingKeys: String, CodingKey {
        case lengthUm = "length_um", lengthPx = "length_px", skanLengthUm = "skan_length_um", skanLengthPx = "skan_length_px"
        case branches, endpoints, junctions, cycles
        case branchTypes = "branch_types", meanBranchLengthUm = "mean_branch_length_um"
        case meanWidthUm = "mean_width_um", meanTortuosity = "mean_tortuosity"
    }

    /// Encodes every key, writing `null` for absent values.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lengthUm, forKey: .lengthUm)
        try c.encode(lengthPx, forKey: .lengthPx)
        try c.encode(skanLengthUm, forKey: .skanLengthUm)
        try c.encode(skanLengthPx, forKey: .skanLengthPx)
        try c.encode(branches, forKey: .branches)
        try c.encode(endpoints, forKey: .endpoints)
        try c.encode(junctions, forKey: .junctions)
        try c.encode(cycles, forKey: .cycles)
        try c.encode(branchTypes, forKey: .branchTypes)
        try c.encode(meanBranchLengthUm, forKey: .meanBranchLengthUm)
        try c.encode(meanWidthUm, forKey: .meanWidthUm)
        try c.encode(meanTortuosity, forKey: .meanTortuosity)
    }
}

extension SkeletonGraph {
    /// The `skeleton` block for this graph.
    public var summary: SkeletonSummary {
        var types = ["0": 0, "1": 0, "2": 0, "3": 0]
        for b in branches { types[String(b.type.rawValue), default: 0] += 1 }
        let lengthPx = totalLengthPx
        let lengthUm: Double? = pixelSize == nil ? nil : branches.reduce(0) { $0 + ($1.lengthUm ?? 0) }
        let tort = branches.compactMap(\.tortuosity)
        return SkeletonSummary(
            lengthUm: lengthUm,
            lengthPx: lengthPx,
            skanLengthPx: skanLengthPx,
            skanLengthUm: pixelSize.flatMap { $0.widthMicrometres == $0.heightMicrometres ? skanLengthPx * $0.widthMicrometres : nil },
            branches: branches.count,
            endpoints: nodes.lazy.filter { $0.kind == .endpoint }.count,
            junctions: nodes.lazy.filter { $0.kind == .junction }.count,
            cycles: cycles,
            branchTypes: types,
            meanBranchLengthUm: lengthUm.flatMap { branches.isEmpty ? nil : $0 / Double(branches.count) },
            meanWidthUm: pixelSize.flatMap { p in meanWidthPx.map { $0 * p.widthMicrometres } },
            meanTortuosity: tort.isEmpty ? nil : tort.reduce(0, +) / Double(tort.count)
        )
    }

    /// One row per branch in skan's vocabulary (see ``SkeletonBranchRow``), node positions shifted by
    /// `originRow`/`originColumn` px: the position of this graph's pixel (0, 0) in the image the
    /// table is read against (for `analyze`, the full raster of the input file).
    public func branchRows(originRow: Int = 0, originColumn: Int = 0) -> [SkeletonBranchRow] {
        branches.map { b in
            let s = nodes[b.source], t = nodes[b.destination]
            return SkeletonBranchRow(
                skeletonID: b.skeletonID, nodeIDSource: b.source, nodeIDDestination: b.destination, branchType: b.type.rawValue,
                branchDistancePx: b.lengthPx, branchDistanceUm: b.lengthUm, euclideanDistancePx: b.euclideanDistancePx,
                meanWidthPx: b.meanWidthPx,
                sourceRow: s.y + Double(originRow), sourceColumn: s.x + Double(originColumn),
                destinationRow: t.y + Double(originRow), destinationColumn: t.x + Double(originColumn))
        }
    }

    /// The branch table as CSV (``SkeletonBranchTable``), node positions in this graph's own frame.
    public func branchTableCSV() -> String {
        SkeletonBranchTable.csv(branchRows(), pixelSize: pixelSize)
    }
}

/// One branch of a skeleton, in the vocabulary of `skan.summarize(skeleton, spacing, separator="_")`:
/// node ids index ``SkeletonGraph/nodes`` (not skan's pixel ids); positions are (row, column) px,
/// origin at the top-left pixel's centre, of the image the table refers to (for `analyze` and
/// `batch`, the full raster of the input file, data bar included); a junction node sits on its
/// representative pixel.
public struct SkeletonBranchRow: Sendable, Equatable {
    /// Connected skeleton index.
    public var skeletonID: Int
    /// Source node index.
    public var nodeIDSource: Int
    /// Destination node index.
    public var nodeIDDestination: Int
    /// skan branch type: 0 endpoint–endpoint, 1 junction–endpoint, 2 junction–junction, 3 cycle.
    public var branchType: Int
    /// Branch length along its pixels, px (steps of 1 and √2).
    public var branchDistancePx: Double
    /// Branch length, µm (each step scaled by the pixel's sides), `nil` without a pixel size.
    public var branchDistanceUm: Double?
    /// Straight-line distance between the end nodes, px.
    public var euclideanDistancePx: Double
    /// Mean width (2 × the distance map on the branch), px; `nil` without a distance map.
    public var meanWidthPx: Double?
    /// Source node row, px.
    public var sourceRow: Double
    /// Source node column, px.
    public var sourceColumn: Double
    /// Destination node row, px.
    public var destinationRow: Double
    /// Destination node column, px.
    public var destinationColumn: Double
    /// Deepest point of the branch beyond the anode interface, px (signed depth, positive into
    /// the electrolyte); `nil` when no interface is known (e.g. `dendrometer skeleton`).
    public var maxDepthPx: Double?
    /// Name of the region holding the branch's middle pixel; `nil` outside every region or without regions.
    public var region: String?

    public init(skeletonID: Int, nodeIDSource: Int, nodeIDDestination: Int, branchType: Int, branchDistancePx: Double,
                branchDistanceUm: Double?, euclideanDistancePx: Double, meanWidthPx: Double?, sourceRow: Double,
                sourceColumn: Double, destinationRow: Double, destinationColumn: Double, maxDepthPx: Double? = nil,
                region: String? = nil) {
        self.skeletonID = skeletonID; self.nodeIDSource = nodeIDSource; self.nodeIDDestination = nodeIDDestination
        self.branchType = branchType; self.branchDistancePx = branchDistancePx; self.branchDistanceUm = branchDistanceUm
        self.euclideanDistancePx = euclideanDistancePx; self.meanWidthPx = meanWidthPx
        self.sourceRow = sourceRow; self.sourceColumn = sourceColumn
        self.destinationRow = destinationRow; self.destinationColumn = destinationColumn
        self.maxDepthPx = maxDepthPx; self.region = region
    }
}

/// `branches.csv`: one row per branch, skan's column names and conventions where they mean the
/// same thing, then Dendrometer's own.
///
/// skan's columns (`skan.summarize(Skeleton(mask, spacing=(h, w)), separator="_")`, without its
/// pixel-value columns): `skeleton_id`, `node_id_src`, `node_id_dst`, `branch_distance`,
/// `branch_type`, `image_coord_src_0/1`, `image_coord_dst_0/1` (row, column px), `coord_src_0/1`,
/// `coord_dst_0/1` (row × h, column × w) and `euclidean_distance`. As in skan, `branch_distance`,
/// `coord_*` and `euclidean_distance` are in calibrated units when the image is calibrated
/// (µm, spacing = the pixel size) and in px otherwise; the `unit` column says which. Then:
/// `branch_distance_px`, `euclidean_distance_px`, `mean_width` / `mean_width_px` (2 × the
/// distance map on the branch), `max_depth` / `max_depth_px` (the branch's deepest point beyond
/// the interface) and `region`.
///
/// Example: a 4-px horizontal branch from (row 2, column 0) to (2, 3) at 0.5 µm/px reads
/// `…,3.0,…,2,0,2,3,1.0,0.0,1.0,1.5,1.5,um,3.0,3.0,…`: length and distance 1.5 µm, 3 px.
public enum SkeletonBranchTable {
    /// The header line (no line break).
    public static let header = [
        "skeleton_id", "node_id_src", "node_id_dst", "branch_distance", "branch_type",
        "image_coord_src_0", "image_coord_src_1", "image_coord_dst_0", "image_coord_dst_1",
        "coord_src_0", "coord_src_1", "coord_dst_0", "coord_dst_1", "euclidean_distance", "unit",
        "branch_distance_px", "euclidean_distance_px", "mean_width", "mean_width_px", "max_depth", "max_depth_px", "region",
    ].joined(separator: ",")

    /// The CSV fields of `row` in header order (absent values empty). Lengths in µm when
    /// `pixelSize` is given; widths and depths then use the pixel width (square pixels, as the
    /// other µm widths and depths of the analysis).
    public static func fields(_ row: SkeletonBranchRow, pixelSize: PixelSize?) -> [String] {
        func f(_ v: Double?) -> String { v.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int(saturating: $0)) : "\($0)" } ?? "" }
        func g(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        let rowScale = pixelSize?.heightMicrometres ?? 1, columnScale = pixelSize?.widthMicrometres ?? 1
        let dRow = (row.destinationRow - row.sourceRow) * rowScale, dColumn = (row.destinationColumn - row.sourceColumn) * columnScale
        let euclidean = pixelSize == nil ? row.euclideanDistancePx : (dRow * dRow + dColumn * dColumn).squareRoot()
        let length = pixelSize == nil ? row.branchDistancePx : row.branchDistanceUm
        let region = row.region.map(CSV.escape) ?? ""
        return [
            String(row.skeletonID), String(row.nodeIDSource), String(row.nodeIDDestination), g(length), String(row.branchType),
            f(row.sourceRow), f(row.sourceColumn), f(row.destinationRow), f(row.destinationColumn),
            g(row.sourceRow * rowScale), g(row.sourceColumn * columnScale),
            g(row.destinationRow * rowScale), g(row.destinationColumn * columnScale),
            g(euclidean), pixelSize == nil ? "px" : "um",
            g(row.branchDistancePx), g(row.euclideanDistancePx),
            g(row.meanWidthPx.map { $0 * columnScale }), g(row.meanWidthPx),
            g(row.maxDepthPx.map { $0 * columnScale }), g(row.maxDepthPx), region,
        ]
    }

    /// The whole table: header, then one `\n`-terminated line per row.
    public static func csv(_ rows: [SkeletonBranchRow], pixelSize: PixelSize?) -> String {
        var out = header + "\n"
        for r in rows { out += fields(r, pixelSize: pixelSize).joined(separator: ",") + "\n" }
        return out
    }
}
