import DendrometerCore
import DendrometerIO
import Foundation

/// The few lines `dendrometer analyze` prints for a person.
public enum AnalysisSummary {
    /// A readable summary of `r`; `outputs` names the files written.
    public static func text(_ r: AnalysisResult, outputs: String? = nil) -> String {
        let cal = r.micrograph.calibration
        func length(_ px: Double) -> String {
            if let um = cal.micrometres(fromPixels: px) { return String(format: "%.2f µm (%.1f px)", um, px) }
            return String(format: "%.1f px", px)
        }
        var lines = [r.micrograph.metadata.path]
        if let p = cal.pixelSize {
            lines.append("  calibration  \(PixelSize.format(p.micrometres)) µm/px (\(cal.source.rawValue))")
        } else {
            lines.append("  calibration  none: lengths in px only")
        }
        lines.append("  phase        \(r.phase): \(r.phaseReason)")
        if let i = r.interface, let p = r.penetration {
            lines.append(String(format: "  interface    anode at the %@, angle %.1f°", i.side.rawValue, i.angleDegrees))
            lines.append("  penetration  max \(length(p.maxPx)), p95 \(length(p.p95Px)), front mean \(length(p.frontMeanPx))\(p.shortCircuit ? ", SHORT CIRCUIT" : "")")
        } else {
            lines.append("  interface    none: \(r.interfaceReason)")
        }
        let s = r.graph.summary
        lines.append("  skeleton     \(length(s.lengthPx)) in \(s.branches) branches, \(s.junctions) junctions, \(s.cycles) loops")
        lines.append(String(format: "  orientation  dominant %.0f° from the interface, %.0f %% lateral, %.0f %% vertical, coherence %.2f",
                            r.orientation.dominantDegrees, 100 * r.orientation.lateralFraction, 100 * r.orientation.verticalFraction, r.orientation.coherence))
        lines.append(String(format: "  phase area   %.1f %% of the dendrite zone; %d components, %d holes", 100 * r.areaFraction, r.connectivity.components, r.connectivity.holes))
        lines.append(String(format: "  morphology   %@ (confidence %.2f)", r.morphology.label.rawValue, r.morphology.confidence))
        for region in r.regions {
            lines.append(String(format: "    %-8@ %@ (%.2f): %@", region.name as NSString, region.morphology.label.rawValue as NSString,
                                region.morphology.confidence, region.morphology.reason as NSString))
        }
        for w in r.warnings { lines.append("  warning      \(w)") }
        if let outputs { lines.append("  wrote        \(outputs)") }
        return lines.joined(separator: "\n")
    }
}

/// Optional mask and skeleton TIFFs, calibrated for Fiji.
public enum MaskExport {
    /// Writes `<stem>.mask.tif` and `<stem>.skeleton.tif` (255 = phase) of the analysed field.
    public static func write(_ r: AnalysisResult, directory: String, stem: String) throws(ImageIOError) {
        let cal = r.micrograph.calibration
        try TIFFWriter.write(r.dendrites.image(), to: "\(directory)/\(stem).mask.tif", calibration: cal,
                             options: TIFFWriteOptions(compression: .deflate))
        try TIFFWriter.write(r.skeleton.image(), to: "\(directory)/\(stem).skeleton.tif", calibration: cal,
                             options: TIFFWriteOptions(compression: .deflate))
    }
}
