import DendrometerCore
import DendrometerSegmentation
import DendrometerSkeleton
import Foundation

/// The `skeleton` and `connectivity` blocks of a binary mask taken exactly as
/// given (no smoothing, no speck or hole removal): what `dendrometer skeleton`
/// reports and what the analysis computes on its dendrite mask.
public struct MaskSkeletonAnalysis: Sendable {
    /// The thinned (and optionally pruned) skeleton.
    public var skeleton: BinaryMask
    /// The skeleton graph with widths from the mask's distance transform.
    public var graph: SkeletonGraph
    /// Components, holes and Euler number of the mask.
    public var topology: ConnectivitySummary
    /// The calibration used for µm values.
    public var calibration: Calibration

    /// Skeletonizes `mask`, prunes spurs shorter than `pruneLengthPx` (0 = none) and builds the graph.
    public init(mask: BinaryMask, calibration: Calibration, pruneLengthPx: Double = 0) throws {
        var skeleton = skeletonize(mask)
        if pruneLengthPx > 0 { skeleton = try pruneSpurs(skeleton, minimumLength: pruneLengthPx) }
        self.skeleton = skeleton
        self.graph = try SkeletonGraph(skeleton: skeleton, distance: try distanceTransform(mask), pixelSize: calibration.pixelSize)
        self.topology = connectivitySummary(mask)
        self.calibration = calibration
        self.imageArea = mask.count
    }

    /// Pixels of the whole mask image (the area hole density refers to).
    public let imageArea: Int

    /// The DESIGN.md §3 blocks `skeleton` and `connectivity` as one JSON object.
    public var report: some Encodable & Sendable { Report(analysis: self) }

    struct Report: Encodable, Sendable {
        let analysis: MaskSkeletonAnalysis
        enum Keys: String, CodingKey { case skeleton, connectivity, calibration, warnings }
        enum ConnectivityKeys: String, CodingKey {
            case components, holes, eulerNumber = "euler_number"
            case holeDensity = "hole_density_per_1000um2", junctionDensity = "junction_density_per_mm"
        }
        func encode(to encoder: any Encoder) throws {
            let a = analysis
            var c = encoder.container(keyedBy: Keys.self)
            let summary = a.graph.summary
            try c.encode(summary, forKey: .skeleton)
            var k = c.nestedContainer(keyedBy: ConnectivityKeys.self, forKey: .connectivity)
            try k.encode(a.topology.components, forKey: .components)
            try k.encode(a.topology.holes, forKey: .holes)
            try k.encode(a.topology.eulerNumber, forKey: .eulerNumber)
            let area = a.calibration.squareMicrometres(fromPixels: Double(a.imageArea))
            try k.encode(area.map { $0 > 0 ? Double(a.topology.holes) / $0 * 1000 : 0 }, forKey: .holeDensity)
            try k.encode(summary.lengthUm.map { $0 > 0 ? Double(summary.junctions) / ($0 / 1000) : 0 }, forKey: .junctionDensity)
            try ReportBlocks.encode(a.calibration, in: &c, forKey: .calibration)
            try c.encode(a.calibration.isCalibrated ? [String]() : ["no calibration (\(a.calibration.detail)): µm values are null; pass --pixel-size"],
                         forKey: .warnings)
        }
    }
}
