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

    /// One row per branch, skan-like columns (see ``SkeletonBranchRow``).
    public var branchRows: [SkeletonBranchRow] {
        branches.map { b in
            let s = nodes[b.source], t = nodes[b.destination]
            return SkeletonBranchRow(
                skeletonID: b.skeletonID, nodeIDSource: b.source, nodeIDDestination: b.destination,
                branchDistancePx: b.lengthPx, branchDistanceUm: b.lengthUm, branchType: b.type.rawValue,
                euclideanDistancePx: b.euclideanDistancePx, meanWidthPx: b.meanWidthPx,
                coordSourceX: s.x, coordSourceY: s.y, coordDestinationX: t.x, coordDestinationY: t.y)
        }
    }

    /// The branch table as CSV: ``SkeletonBranchRow/csvHeader`` then one line
    /// per branch, `\n`-terminated.
    public func branchTableCSV() -> String {
        var out = SkeletonBranchRow.csvHeader + "\n"
        for r in branchRows { out += r.csvLine + "\n" }
        return out
    }
}

/// One row of `branches.csv`, modelled on `skan.summarize(..., separator='_')`
/// with explicit units and x/y instead of row/column indices. Node ids index
/// ``SkeletonGraph/nodes`` (not skan's pixel ids); coordinates are node
/// positions in px (for a junction, its representative pixel).
public struct SkeletonBranchRow: Sendable, Equatable, Codable {
    /// Connected skeleton index.
    public var skeletonID: Int
    /// Source node index.
    public var nodeIDSource: Int
    /// Destination node index.
    public var nodeIDDestination: Int
    /// Branch length, px (skan `branch_distance` with spacing 1).
    public var branchDistancePx: Double
    /// Branch length, µm, `nil` without a pixel size.
    public var branchDistanceUm: Double?
    /// skan branch type 0–3.
    public var branchType: Int
    /// Distance between the end nodes, px.
    public var euclideanDistancePx: Double
    /// Mean width (2 × distance map), px, `nil` without a distance map.
    public var meanWidthPx: Double?
    /// Source node x, px.
    public var coordSourceX: Double
    /// Source node y, px.
    public var coordSourceY: Double
    /// Destination node x, px.
    public var coordDestinationX: Double
    /// Destination node y, px.
    public var coordDestinationY: Double

    enum CodingKeys: String, CodingKey {
        case skeletonID = "skeleton_id", nodeIDSource = "node_id_src", nodeIDDestination = "node_id_dst"
        case branchDistancePx = "branch_distance_px", branchDistanceUm = "branch_distance_um"
        case branchType = "branch_type", euclideanDistancePx = "euclidean_distance_px", meanWidthPx = "mean_width_px"
        case coordSourceX = "coord_src_x", coordSourceY = "coord_src_y"
        case coordDestinationX = "coord_dst_x", coordDestinationY = "coord_dst_y"
    }

    /// The CSV header, column names as in docs/REFERENCE.md.
    public static let csvHeader = "skeleton_id,node_id_src,node_id_dst,branch_distance_px,branch_distance_um,branch_type,euclidean_distance_px,mean_width_px,coord_src_x,coord_src_y,coord_dst_x,coord_dst_y"

    /// The row as CSV fields in header order; absent values are empty fields.
    /// Numbers use Swift's shortest round-trip decimal form.
    public var csvLine: String {
        func f(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        return [String(skeletonID), String(nodeIDSource), String(nodeIDDestination), f(branchDistancePx),
                f(branchDistanceUm), String(branchType), f(euclideanDistancePx), f(meanWidthPx),
                f(coordSourceX), f(coordSourceY), f(coordDestinationX), f(coordDestinationY)].joined(separator: ",")
    }
}
