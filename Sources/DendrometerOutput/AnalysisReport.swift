import DendrometerCalibration
import DendrometerCore
import DendrometerGeometry
import DendrometerMorphology
import DendrometerPipeline
import DendrometerSkeleton
import Foundation

/// The per-image JSON document of docs/REFERENCE.md §3 (`schema_version` 1). Lengths
/// carry their unit in the key; µm values are `null` without a calibration;
/// coordinates are px in the full raster (data bar included).
public struct AnalysisReport: Encodable, Sendable {
    /// The analysis being reported.
    public let result: AnalysisResult
    /// Extra columns carried from a manifest (batch), written under `manifest`.
    public var manifest: [String: String]

    /// A report of `result`.
    public init(_ result: AnalysisResult, manifest: [String: String] = [:]) {
        self.result = result
        self.manifest = manifest
    }

    typealias Key = JSONKey


    public func encode(to encoder: any Encoder) throws {
        let r = result
        let m = r.micrograph
        let um: (Double) -> Double? = { m.calibration.micrometres(fromPixels: $0) }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(1, forKey: Key("schema_version"))
        try c.encode(m.metadata.path, forKey: Key("file"))
        try c.encode(m.image.width, forKey: Key("width"))
        try c.encode(m.image.height, forKey: Key("height"))
        try c.encode(m.image.sampleFormat, forKey: Key("sample_format"))
        try c.encode(m.image.bitDepth, forKey: Key("bit_depth"))
        try ReportBlocks.encode(m.calibration, in: &c, forKey: Key("calibration"))
        try ReportBlocks.encode(m.dataBar, in: &c, forKey: Key("data_bar"))
        try c.encode(r.phase, forKey: Key("phase"))
        var seg = c.nestedContainer(keyedBy: Key.self, forKey: Key("segmentation"))
        try seg.encode(r.segmentation.method.name, forKey: Key("method"))
        try seg.encode(r.phaseReason, forKey: Key("reason"))
        try seg.encode(r.threshold, forKey: Key("threshold"))
        switch r.segmentation.method {
        case .model(let name): try seg.encode(name, forKey: Key("model"))
        case .mask(let name, let labels):
            try seg.encode(name, forKey: Key("mask"))
            try seg.encode(labels, forKey: Key("mask_labels"))
        default: break
        }
        try seg.encode(r.segmentation.warnings, forKey: Key("warnings"))
        try c.encode(r.interface?.side.rawValue, forKey: Key("anode_side"))
        if let i = r.interface {
            var ic = c.nestedContainer(keyedBy: Key.self, forKey: Key("interface"))
            try ic.encode(i.angleDegrees, forKey: Key("angle_deg"))
            try ic.encode(i.pointsPx.map { [$0[0] + Double(r.field.x), $0[1] + Double(r.field.y)] }, forKey: Key("points_px"))
            try ic.encode(r.interfaceReason, forKey: Key("reason"))
        } else {
            try c.encodeNil(forKey: Key("interface"))
        }
        var pen = c.nestedContainer(keyedBy: Key.self, forKey: Key("penetration"))
        let p = r.penetration
        try pen.encode(p.flatMap { um($0.maxPx) }, forKey: Key("max_um"))
        try pen.encode(p.flatMap { um($0.p95Px) }, forKey: Key("p95_um"))
        try pen.encode(p.flatMap { um($0.frontMeanPx) }, forKey: Key("front_mean_um"))
        try pen.encode(p?.maxPx, forKey: Key("max_px"))
        try pen.encode(p?.p95Px, forKey: Key("p95_px"))
        try pen.encode(p?.frontMeanPx, forKey: Key("front_mean_px"))
        try pen.encode(r.shortCircuit, forKey: Key("short_circuit"))
        let cp = r.connectedDepth
        try pen.encode(cp.flatMap { um($0.maxPx) }, forKey: Key("connected_max_um"))
        try pen.encode(cp.flatMap { um($0.p95Px) }, forKey: Key("connected_p95_um"))
        try pen.encode(cp?.maxPx, forKey: Key("connected_max_px"))
        try pen.encode(cp?.p95Px, forKey: Key("connected_p95_px"))
        try pen.encode(r.maximumFromIsolatedPiece, forKey: Key("max_from_isolated_fragment"))
        try pen.encode(r.depthTruncated, forKey: Key("depth_truncated"))
        if let f = r.isolatedFragments {
            var fc = pen.nestedContainer(keyedBy: Key.self, forKey: Key("isolated_fragments"))
            try fc.encode(f.components, forKey: Key("components"))
            try fc.encode(f.pixels, forKey: Key("pixels"))
            try fc.encode(f.farthestOffsetPx, forKey: Key("farthest_offset_px"))
            try fc.encode(um(f.farthestOffsetPx), forKey: Key("farthest_offset_um"))
        } else {
            try pen.encodeNil(forKey: Key("isolated_fragments"))
        }
        var prof = pen.nestedUnkeyedContainer(forKey: Key("profile"))
        for bin in p?.profile ?? [] {
            var b = prof.nestedContainer(keyedBy: Key.self)
            try b.encode(um(bin.depthPx), forKey: Key("depth_um"))
            try b.encode(bin.depthPx, forKey: Key("depth_px"))
            try b.encode(bin.areaFraction, forKey: Key("area_fraction"))
        }
        try c.encode(r.graph.summary, forKey: Key("skeleton"))
        var o = c.nestedContainer(keyedBy: Key.self, forKey: Key("orientation"))
        try o.encode(r.orientation.dominantDegrees, forKey: Key("dominant_deg"))
        try o.encode(r.orientation.coherence, forKey: Key("coherence"))
        try o.encode(r.orientation.lateralFraction, forKey: Key("lateral_fraction"))
        try o.encode(r.orientation.verticalFraction, forKey: Key("vertical_fraction"))
        try o.encode(r.orientation.histogram, forKey: Key("histogram"))
        try o.encode(r.orientation.sigmaPx, forKey: Key("sigma_px"))
        try o.encode(r.orientation.rhoPx, forKey: Key("rho_px"))
        try o.encode(r.interface != nil ? "interface" : r.options.anode.map { "given \($0.rawValue) edge" } ?? "image x axis",
                     forKey: Key("relative_to"))
        var k = c.nestedContainer(keyedBy: Key.self, forKey: Key("connectivity"))
        try k.encode(r.connectivity.components, forKey: Key("components"))
        try k.encode(r.connectivity.holes, forKey: Key("holes"))
        try k.encode(r.connectivity.eulerNumber, forKey: Key("euler_number"))
        try k.encode(r.connectivity.holeDensityPer1000SquareMicrometres, forKey: Key("hole_density_per_1000um2"))
        try k.encode(r.connectivity.junctionDensityPerMillimetre, forKey: Key("junction_density_per_mm"))
        try c.encode(r.areaFraction, forKey: Key("area_fraction"))
        var mo = c.nestedContainer(keyedBy: Key.self, forKey: Key("morphology"))
        try mo.encode(r.morphology.label.rawValue, forKey: Key("label"))
        try mo.encode(r.morphology.confidence, forKey: Key("confidence"))
        try mo.encode(r.morphology.reason, forKey: Key("reason"))
        var regions = c.nestedUnkeyedContainer(forKey: Key("regions"))
        for region in r.regions {
            var rc = regions.nestedContainer(keyedBy: Key.self)
            try rc.encode(region.name, forKey: Key("name"))
            try rc.encode([region.bboxPx.x, region.bboxPx.y, region.bboxPx.width, region.bboxPx.height], forKey: Key("bbox_px"))
            try rc.encode(region.features.areaFraction, forKey: Key("area_fraction"))
            var rm = rc.nestedContainer(keyedBy: Key.self, forKey: Key("morphology"))
            try rm.encode(region.morphology.label.rawValue, forKey: Key("label"))
            try rm.encode(region.morphology.confidence, forKey: Key("confidence"))
            try rm.encode(region.morphology.reason, forKey: Key("reason"))
            try rm.encode(region.morphology.scores, forKey: Key("scores"))
            try rc.encode(region.features, forKey: Key("features"))
        }
        var dc = c.nestedUnkeyedContainer(forKey: Key("dendrites"))
        for d in r.dendriteInventory?.records ?? [] {
            try ReportBlocks.encode(d, field: r.field, calibration: m.calibration, in: &dc)
        }
        if !r.edxAgreement.isEmpty { try c.encode(r.edxAgreement, forKey: Key("edx_agreement")) }
        if !manifest.isEmpty { try c.encode(manifest, forKey: Key("manifest")) }
        try c.encode(r.warnings, forKey: Key("warnings"))
        var q = c.nestedContainer(keyedBy: Key.self, forKey: Key("quality"))
        try q.encode(r.review, forKey: Key("review"))
        let hypotheses = r.segmentation.hypotheses
        var hc = q.nestedUnkeyedContainer(forKey: Key("hypotheses"))
        for h in hypotheses {
            var e = hc.nestedContainer(keyedBy: Key.self)
            try e.encode(h.appearance.description, forKey: Key("phase"))
            try e.encode(h.side?.rawValue, forKey: Key("anode_side"))
            try e.encode(h.layerThicknessPx, forKey: Key("layer_px"))
            try e.encode(h.greySpread, forKey: Key("grey_spread"))
            try e.encode(h.score, forKey: Key("score"))
            try e.encode(h.chosen, forKey: Key("chosen"))
            try e.encode(h.note, forKey: Key("note"))
        }
        func name(_ h: PhaseHypothesis?) -> String? {
            h.map { "\($0.appearance.description), anode \($0.side?.rawValue ?? "none")" }
        }
        let winner = hypotheses.first, runnerUp = hypotheses.dropFirst().first
        try q.encode(name(winner), forKey: Key("hypothesis"))
        try q.encode(winner?.score, forKey: Key("hypothesis_score"))
        try q.encode(name(runnerUp), forKey: Key("runner_up"))
        try q.encode(runnerUp?.score, forKey: Key("runner_up_score"))
        if !r.sideScores.isEmpty {
            try q.encode(Dictionary(uniqueKeysWithValues: r.sideScores.map { ($0.key.rawValue, $0.value) }), forKey: Key("side_scores_px"))
        } else {
            try q.encodeNil(forKey: Key("side_scores_px"))
        }
        try q.encode(r.interfaceResidualPx, forKey: Key("interface_residual_px"))
        try q.encode(r.interfaceHiddenFraction, forKey: Key("interface_hidden_fraction"))
        try q.encode(r.interface?.sharpestTurn?.degrees, forKey: Key("interface_sharpest_turn_deg"))
        try q.encode(r.interfaceGreyEdgeKnots, forKey: Key("interface_grey_edge_knots"))
        try q.encode(r.interfaceGreyEdgeShiftPx, forKey: Key("interface_grey_edge_shift_px"))
        try q.encode(r.interfaceBackingContrast, forKey: Key("interface_backing_contrast"))
        if let layer = r.interfaceSubstrate {
            var sc = q.nestedContainer(keyedBy: Key.self, forKey: Key("interface_substrate"))
            try sc.encode(layer.isBright ? "bright" : "dark", forKey: Key("grey"))
            try sc.encode(layer.threshold, forKey: Key("threshold"))
            try sc.encode(layer.thicknessPx, forKey: Key("layer_px"))
            try sc.encode(layer.greySpread, forKey: Key("grey_spread"))
            try sc.encode(layer.risingPixels, forKey: Key("rising_px"))
        } else {
            try q.encodeNil(forKey: Key("interface_substrate"))
        }
        if let k = r.contrast {
            var cc = q.nestedContainer(keyedBy: Key.self, forKey: Key("contrast"))
            try cc.encode(k.contrastToNoise, forKey: Key("cnr"))
            try cc.encode(k.phaseMedian, forKey: Key("phase_median"))
            try cc.encode(k.restMedian, forKey: Key("rest_median"))
            try cc.encode(k.restNoise, forKey: Key("rest_noise"))
        } else {
            try q.encodeNil(forKey: Key("contrast"))
        }
        try q.encode(r.edxAgreement, forKey: Key("edx_agreement"))
        try c.encode(DendrometerVersion.toolVersion, forKey: Key("tool_version"))
        try c.encode(ParameterFile.tree(of: r.options.parameters), forKey: Key("parameters"))
    }
}
