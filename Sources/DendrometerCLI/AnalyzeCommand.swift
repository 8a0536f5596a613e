import ArgumentParser
import Dendrometer
import Foundation

/// `dendrometer analyze IMAGE [options] [--out DIR] [--json]`
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Measure dendrites in one SEM cross-section: penetration depth, orientation, connectivity, morphology.",
        discussion: """
        Writes DIR/<stem>.json (every measurement, the tool version and the full parameter set), DIR/<stem>.branches.csv \
        (one row per skeleton branch, skan's columns), DIR/<stem>.rois.zip (interface, dendrite front and regions \
        for Fiji's ROI Manager) and DIR/<stem>.overlay.png \
        (--overlay preview or none for a smaller one or none), and prints a summary \
        (or the JSON with --json). Lengths are in µm when the image is calibrated (metadata or \
        --pixel-size), otherwise µm fields are null and a warning says why.
        """,
        aliases: ["analyse"])

    @Argument(help: "The micrograph (TIFF, PNG, BMP).")
    var image: String

    @Option(help: "Output folder.")
    var out = "dendrometer-out"

    @Flag(help: "Print the JSON document instead of a summary.")
    var json = false

    @Option(help: ArgumentHelp("The overlay picture: full (every pixel), preview (at most 2048 px on the longer side, lines and labels kept) or none.", valueName: "full|preview|none"))
    var overlay: OverlaySize = .full

    @Option(name: .customLong("overlay-format"), help: ArgumentHelp("The overlay's file: png (indexed colour, default) or tiff (palette TIFF calibrated like the micrograph, for Fiji).", valueName: "png|tiff"))
    var overlayFormat: OverlayFormat = .png

    @Flag(help: "Also write the segmented phase, the dendrite mask, the skeleton and the depth of every dendrite pixel (float, µm or px) as calibrated TIFFs (full image size: they lie on the original in Fiji).")
    var saveMasks = false

    @Flag(help: "With --model: also write the class probabilities as a calibrated float TIFF, one page per class (page 0 = dendrite phase).")
    var saveProbabilities = false

    @Option(name: .customLong("interface"), help: ArgumentHelp("Use this hand-drawn anode interface instead of detecting one: an ImageJ line/polyline .roi or ROI set .zip (the ROI named 'interface', else the first line), a JSON polyline [[x, y], ...] or {\"points\": ..., \"unit\": \"px\"|\"um\"}, or a CSV with x,y (px) or x_um,y_um columns; full-image coordinates. The anode side follows from --anode, else from which side of the line is solid phase.", valueName: "file"))
    var interfaceFile: String?

    @Option(help: ArgumentHelp("Leave these areas out of the dendrites (debris, cracks, charging): ImageJ ROIs (.roi or ROI set .zip: rectangles, ovals, polygons, freehand) or a mask image of the image's size (non-zero = excluded).", valueName: "file"))
    var exclude: String?

    @OptionGroup var calibration: CalibrationArguments
    @OptionGroup var analysis: AnalysisArguments

    func run() throws {
        var options: AnalysisOptions
        do {
            options = try analysis.analysisOptions(maximumPixels: calibration.maxPixels)
            if let interfaceFile { options.givenInterface = try GivenInterface.read(interfaceFile) }
            if let exclude { options.excludedAreas = try ExcludedAreas.read(exclude, maximumPixels: calibration.maxPixels) }
            // The output folder first: a folder that cannot be written is said before the analysis runs.
            try OutputFolder.create(out)
        } catch {
            reportFailure("\(error)")
            throw ExitCode(1)
        }
        options.keepsClassProbabilities = saveProbabilities
        do {
            var clock = StageClock(label: "analyze command")
            defer { clock.finish() }
            let micrograph = try Micrograph.open(image, options: calibration.micrographOptions)
            ProcessMemory.fitLargeBuffers(toFieldPixels: micrograph.image.width * micrograph.image.height)
            clock.lap("open")
            let result = try DendriteAnalysis.run(micrograph, options: options)
            clock.lap("analysis")
            let stem = URL(fileURLWithPath: image).deletingPathExtension().lastPathComponent
            // The JSON, branch table and ROIs are written on one core while the overlay is drawn
            // and compressed on the others: neither reads what the other writes.
            let records = BackgroundJob { () throws -> (text: String, paths: [String]) in
                let text = try ReportJSON.encode(AnalysisReport(result))
                try AtomicFile.write(text: text + "\n", to: "\(out)/\(stem).json")
                try AtomicFile.write(text: SkeletonBranchTable.csv(result.branches, pixelSize: result.micrograph.calibration.pixelSize),
                                     to: "\(out)/\(stem).branches.csv")
                return (text, ["\(out)/\(stem).json", "\(out)/\(stem).branches.csv",
                               try AnalysisROIs.write(result, directory: out, stem: stem)])
            }
            var overlayPath: String?
            do {
                if overlay != .none {
                    let path = "\(out)/\(stem).overlay.\(overlayFormat == .tiff ? "tif" : "png")"
                    if overlayFormat == .tiff {
                        try OverlayRenderer.writeTIFF(result, to: path, size: overlay)
                    } else {
                        try OverlayRenderer.write(result, to: path, size: overlay)
                    }
                    overlayPath = path
                }
            } catch {
                _ = try? records.wait()
                throw error
            }
            let (text, recordPaths) = try records.wait()
            var written = recordPaths + (overlayPath.map { [$0] } ?? [])
            clock.lap("json, tables and ROIs ‖ overlay")
            if saveMasks {
                ProcessMemory.returnFreedMemory()   // the depth map is a fresh mapping; do not hold the analysis's pages beside it
                written += try MaskExport.write(result, directory: out, stem: stem)
            }
            if saveProbabilities {
                if let path = try MaskExport.writeProbabilities(result, directory: out, stem: stem) {
                    written.append(path)
                } else {
                    reportFailure("\(image): --save-probabilities needs --model (only a trained classifier gives probabilities); none written")
                }
            }
            emit(json ? text : AnalysisSummary.text(result, outputs: written.joined(separator: ", ")))
        } catch let e as ImageIOError {
            reportFailure(e.description)
            throw ExitCode(1)
        } catch let e as AnalysisError where e.namesItsFile {
            reportFailure(e.description)
            throw ExitCode(1)
        } catch {
            reportFailure("\(image): \(error)")
            throw ExitCode(1)
        }
    }
}
