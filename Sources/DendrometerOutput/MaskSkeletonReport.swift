import DendrometerCore
import DendrometerPipeline
import Foundation

extension MaskSkeletonAnalysis {
    /// The docs/REFERENCE.md §3 blocks `skeleton` and `connectivity` as one JSON object.
    public var report: some Encodable & Sendable { MaskSkeletonReport(analysis: self) }
}

/// The JSON of ``MaskSkeletonAnalysis`` (`dendrometer skeleton --json`).
struct MaskSkeletonReport: Encodable, Sendable {
    let analysis: MaskSkeletonAnalysis
    enum Keys: String, CodingKey { case skeleton, connectivity, calibration, warnings, toolVersion = "tool_version", pruneLengthPx = "prune_length_px", thinning }
    enum ConnectivityKeys: String, CodingKey {
        case components, holes, eulerNumber = "euler_number"
        case holeDensity = "hole_density_per_1000um2", junctionDensity = "junction_density_per_mm"
    }
    func encode(to encoder: any Encoder) throws {
        let a = analysis
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(DendrometerVersion.toolVersion, forKey: .toolVersion)
        try c.encode(a.pruneLengthPx, forKey: .pruneLengthPx)
        try c.encode(a.thinning.rawValue, forKey: .thinning)
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
