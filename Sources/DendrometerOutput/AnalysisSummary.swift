import DendrometerCore
import DendrometerPipeline
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
            lines.append("  penetration  max \(length(p.maxPx)), p95 \(length(p.p95Px)), front mean \(length(p.frontMeanPx))\(r.shortCircuit == true ? ", SHORT CIRCUIT" : "")\(r.depthTruncated == true ? ", reaches the far edge (depths are lower bounds)" : "")")
            if let c = r.connectedDepth, let inv = r.dendriteInventory {
                let rooted = inv.records.filter { $0.counted && $0.rooted }.count
                let loose = inv.records.filter { $0.counted && !$0.rooted }.count
                let aside = inv.records.filter { !$0.counted }.count
                lines.append("  dendrites    \(rooted) rooted at the anode (max \(length(c.maxPx)), p95 \(length(c.p95Px))), \(loose) unrooted pieces measured, \(aside) set aside\(r.maximumFromIsolatedPiece == true ? "; the maximum depth is set by an unrooted piece" : "")")
            }
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
        for w in r.review { lines.append("  REVIEW       \(w)") }
        if let outputs { lines.append("  wrote        \(outputs)") }
        return lines.joined(separator: "\n")
    }
}

/// Optional mask, skeleton and probability TIFFs, calibrated for Fiji, in the full raster
/// (data-bar rows are 0) so they lie exactly over the micrograph.
public enum MaskExport {
    /// The names `write` uses: `<stem>.<name>.tif`.
    public static let maskNames = ["phase", "mask", "skeleton", "depth"]

    /// Deflate at its fastest level: the samples are the same at any level (Fiji, tifffile and
    /// libtiff read them all), and at 4096² the default level spent more time compressing the
    /// depth map than the whole analysis took.
    static let fileOptions = TIFFWriteOptions(compression: .deflate, deflateLevel: 1)

    /// Writes `<stem>.phase.tif` (the segmented phase incl. the anode layer), `<stem>.mask.tif`
    /// (the dendrites) and `<stem>.skeleton.tif`, 255 = set, and, when an interface was found,
    /// `<stem>.depth.tif`: float32, the signed depth of every dendrite pixel in µm (calibrated) or
    /// px, NaN elsewhere (``AnalysisResult/dendriteDepthMap()``).
    ///
    /// - Returns: the paths written.
    @discardableResult
    public static func write(_ r: AnalysisResult, directory: String, stem: String) throws(ImageIOError) -> [String] {
        let cal = r.micrograph.calibration
        var written = [String]()
        // The result keeps these one bit per pixel: each is unpacked when written, one at a time.
        let masks: [(name: String, unpack: () -> BinaryMask)] = [("phase", { r.phaseMask }), ("mask", { r.dendrites }), ("skeleton", { r.skeleton })]
        for (name, unpack) in masks {
            let path = "\(directory)/\(stem).\(name).tif"
            try TIFFWriter.write(fullRaster(unpack().image(), r), to: path, calibration: cal, options: fileOptions)
            written.append(path)
        }
        if r.interface != nil {
            // Written straight into the TIFF raster (the full raster, NaN outside the field).
            let path = "\(directory)/\(stem).depth.tif"
            let w = r.micrograph.image.width, h = r.micrograph.image.height
            let raster = TIFFRaster.float32(width: w, height: h, fill: .nan) { samples in
                r.writeDendriteDepths(into: samples, rowStride: w, origin: (r.field.x, r.field.y))
            }
            try TIFFWriter.write(pages: [raster], to: path, calibration: cal, options: fileOptions)
            written.append(path)
        }
        return written
    }

    /// Writes `<stem>.probabilities.tif`: one float32 page per class of the trained model
    /// (page 0 = class 1, the dendrite phase), full raster; nothing when no model made the mask.
    ///
    /// - Returns: the path written, or nil.
    @discardableResult
    public static func writeProbabilities(_ r: AnalysisResult, directory: String, stem: String) throws(ImageIOError) -> String? {
        guard !r.segmentation.classProbabilities.isEmpty else { return nil }
        let path = "\(directory)/\(stem).probabilities.tif"
        let pages = r.segmentation.classProbabilities.map { fullRaster($0, r) }
        try TIFFWriter.write(pages: pages.map { TIFFRaster($0) }, to: path, calibration: r.micrograph.calibration,
                             options: fileOptions)
        return path
    }

    /// `image` (field coordinates) pasted into the full raster, `background` (zero) outside the field.
    static func fullRaster<P: PixelSample>(_ image: Image<P>, _ r: AnalysisResult, background: P = .zero) -> Image<P> {
        let w = r.micrograph.image.width, h = r.micrograph.image.height
        if image.width == w && image.height == h { return image }
        return Image.pasting(image, at: r.field.x, r.field.y, width: w, height: h, background: background)
    }
}
