import ArgumentParser
import Dendrometer
import Foundation

/// Analysis options shared by `analyze` and `batch` (docs/REFERENCE.md §2).
struct AnalysisArguments: ParsableArguments {
    @Option(help: ArgumentHelp("What the dendrite phase looks like: auto, bright (Li-In), dark (Li) or edx:ELEMENT (e.g. edx:In).", valueName: "phase"))
    var phase = "auto"

    @Option(help: ArgumentHelp("Where the anode layer is: auto, bottom, top, left or right. The layer is usually of the dendrites' grey; with --phase bright or dark, an electrode of another grey with the phase rising from it (a collector the dendrites were plated on, secondary-electron contrast) is taken too.", valueName: "side"))
    var anode = "auto"

    @Option(help: ArgumentHelp("Regions for per-region statistics: auto (three depth bands from the anode: bottom/middle/top with the anode at the bottom, else near/middle/far), whole, grid:RxC, or a JSON file of rectangles [{\"name\",\"x\",\"y\",\"w\",\"h\",\"unit\":\"px\"|\"um\"}].", valueName: "regions"))
    var regions = "auto"

    @Option(name: .customLong("edx"), help: ArgumentHelp("EDX map of an element, ELEMENT=FILE (repeatable), e.g. In=cell3_In.tif. Maps cover the image without its data bar.", valueName: "element=file"))
    var edx: [String] = []

    @Option(help: ArgumentHelp("JSON file setting any subset of the analysis parameters (print them all with 'dendrometer parameters'); the flags below override it.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Segment with a pixel classifier trained by 'dendrometer train' instead of a grey-level threshold.", valueName: "model"))
    var model: String?

    @Option(help: ArgumentHelp("Take the segmentation from a mask made elsewhere (ilastik, Fiji, napari): non-zero, or the --mask-label values, is the dendrite phase INCLUDING the anode layer. Full-image or scanned-field size.", valueName: "file"))
    var mask: String?

    @Option(help: ArgumentHelp("Label values of the --mask file that are the dendrite phase, e.g. 1 or 2,5 (default: every non-zero value).", valueName: "n[,m...]"))
    var maskLabel: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Page of a multi-page --mask file holding the phase (a probability map exported one page per class), counted from 0.", valueName: "n"))
    var maskChannel: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Grey-level threshold of the threshold segmenter: auto (default), otsu, or a value in image units (0-255 for 8-bit).", valueName: "auto|otsu|value"))
    var threshold: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Smallest dendrite piece kept, e.g. 1um2 (default) or 12px; smaller pieces are specks. A grey threshold also drops pieces the size of the denoised noise's blobs, π(2σ)² px (13 px at --denoise-sigma 1).", valueName: "area"))
    var minArea: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Dark (Li) phase: compact dark pieces smaller than this across are electrolyte pores, e.g. 2um (default) or 8px.", valueName: "length"))
    var poreSize: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Skeleton side branches shorter than this are pruned as spurs, e.g. 1um (default) or 3px.", valueName: "length"))
    var spurLength: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Gaussian denoising before thresholding, σ in px (default 1).", valueName: "px"))
    var denoiseSigma: Double?

    @Option(help: ArgumentHelp("Thinning of the skeleton: zhang (default: bit for bit skimage.morphology.skeletonize, the skeleton skan users measure) or guo-hall (one pixel wide everywhere, tapered tips a few px shorter).", valueName: "zhang|guo-hall"))
    var thinning: ThinningMethod?

    func validate() throws {
        guard PhaseChoice(argument: phase) != nil else {
            throw ValidationError("--phase expects auto, bright, dark or edx:ELEMENT, got '\(phase)'")
        }
        guard anode == "auto" || AnodeSide(rawValue: anode) != nil else {
            throw ValidationError("--anode expects auto, bottom, top, left or right, got '\(anode)'")
        }
        if RegionChoice(argument: regions) == nil && !regions.lowercased().hasSuffix(".json") {
            throw ValidationError("--regions expects auto, whole, grid:RxC or a .json file, got '\(regions)'")
        }
        for e in edx where e.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--edx expects ELEMENT=FILE, got '\(e)'")
        }
        if model != nil, mask != nil { throw ValidationError("--model and --mask are two ways to segment; give one") }
        if let model, case .edx = PhaseChoice(argument: phase) { throw ValidationError("--phase edx:… segments from the EDX map; it cannot be combined with --model \(model)") }
        if let mask, case .edx = PhaseChoice(argument: phase) { throw ValidationError("--phase edx:… segments from the EDX map; it cannot be combined with --mask \(mask)") }
        if (maskLabel != nil || maskChannel != nil), mask == nil { throw ValidationError("--mask-label and --mask-channel need --mask FILE") }
        if let maskLabel, Self.labels(maskLabel) == nil {
            throw ValidationError("--mask-label expects label values 0-65535 separated by commas, e.g. 2,5; got '\(maskLabel)'")
        }
        if let maskChannel, maskChannel < 0 { throw ValidationError("--mask-channel expects a page number from 0, got \(maskChannel)") }
        if let threshold, ThresholdSetting(argument: threshold) == nil {
            throw ValidationError("--threshold expects auto, otsu or a grey value, got '\(threshold)'")
        }
        for (flag, text, area, example) in [("--min-area", minArea, true, "1um2 or 12px"), ("--pore-size", poreSize, false, "2um or 8px"),
                                            ("--spur-length", spurLength, false, "1um or 3px")] {
            if let text, SizeArgument(text, area: area) == nil {
                throw ValidationError("\(flag) expects \(area ? "an area" : "a length") with a unit, e.g. \(example); got '\(text)'")
            }
        }
        if let denoiseSigma, !(denoiseSigma >= 0 && denoiseSigma <= 100) {
            throw ValidationError("--denoise-sigma expects a σ in px from 0 to 100, got \(denoiseSigma)")
        }
    }

    /// Label values from `2,5`, or nil.
    static func labels(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 65535 }) else { return nil }
        return parts.map { $0! }
    }

    /// The parameter set: defaults, then the --config file, then the flags.
    func parameters() throws -> AnalysisParameters {
        var p = AnalysisParameters()
        if let config {
            let data = try readSmallFile(config, what: "config file")
            do { p = try ParameterFile.decode(data) } catch { throw CLIError("\(config): \(error)") }
        }
        if let threshold { p.threshold.threshold = ThresholdSetting(argument: threshold)! }
        SizeArgument(minArea, area: true)?.apply(to: &p, unit: \.dendrites.minimumAreaUnit, pixels: \.dendrites.minimumAreaPx,
                                                  micrometres: \.dendrites.minimumAreaSquareMicrometres)
        SizeArgument(poreSize, area: false)?.apply(to: &p, unit: \.dendrites.poreSizeUnit, pixels: \.dendrites.poreSizePx,
                                                   micrometres: \.dendrites.poreSizeMicrometres)
        SizeArgument(spurLength, area: false)?.apply(to: &p, unit: \.skeleton.spurLengthUnit, pixels: \.skeleton.spurLengthPx,
                                                     micrometres: \.skeleton.spurLengthMicrometres)
        if let denoiseSigma { p.preparation.denoiseSigmaPx = denoiseSigma }
        if let thinning { p.skeleton.thinning = thinning }
        return p
    }

    /// EDX map files by element.
    var edxFiles: [String: String] {
        Dictionary(edx.map { e in
            let parts = e.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        }, uniquingKeysWith: { _, last in last })
    }

    /// The library options, loading the regions file, config file and EDX maps.
    /// - Throws: a one-line error naming the file that could not be used.
    func analysisOptions(maximumPixels: Int) throws -> AnalysisOptions {
        var o = AnalysisOptions()
        o.phase = PhaseChoice(argument: phase)!
        o.anode = AnodeSide(rawValue: anode)
        if let r = RegionChoice(argument: regions) {
            o.regions = r
        } else {
            let data = try readSmallFile(regions, what: "regions file")
            do { o.regions = .rectangles(try RegionRectangle.list(fromJSON: data)) } catch {
                throw CLIError("\(regions): \(error.description)")
            }
        }
        o.parameters = try parameters()
        if let model {
            o.segmentation = .model(try Self.loadModel(model), name: model)
        } else if let mask {
            do {
                o.segmentation = .mask(try ExternalMask.read(mask, labels: maskLabel.flatMap(Self.labels) ?? [], channel: maskChannel,
                                                             maximumPixels: maximumPixels))
            } catch { throw CLIError(error.description) }
        }
        for (element, file) in edxFiles {
            do { o.edxMaps[element] = try ImageFile.read(file, options: ReadOptions(maximumPixels: maximumPixels)).image.asFloat() }
            catch { throw CLIError(error.description) }
        }
        return o
    }
}

extension AnalysisArguments {
    /// Loads a model file written by `dendrometer train`.
    static func loadModel(_ path: String) throws -> PixelClassifier {
        do { return try TrainedModelSegmenter.loadModel(path) } catch { throw CLIError(error.description) }
    }
}

/// A size given on the command line with its unit: `1um`, `250nm`, `3px`; areas `1um2`, `12px`.
struct SizeArgument {
    var value: Double
    var unit: SizeUnit

    /// Sets a size parameter: its unit and the value in that unit.
    func apply(to p: inout AnalysisParameters, unit: WritableKeyPath<AnalysisParameters, SizeUnit>,
               pixels: WritableKeyPath<AnalysisParameters, Double>, micrometres: WritableKeyPath<AnalysisParameters, Double>) {
        p[keyPath: unit] = self.unit
        p[keyPath: self.unit == .pixels ? pixels : micrometres] = value
    }

    /// Parses `text` (nil when absent or not a size).
    init?(_ text: String?, area: Bool) {
        guard let text else { return nil }
        let t = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "µ", with: "u")
        let units: [(String, SizeUnit, Double)] = area
            ? [("um2", .micrometres, 1), ("um^2", .micrometres, 1), ("nm2", .micrometres, 1e-6), ("px", .pixels, 1)]
            : [("um", .micrometres, 1), ("nm", .micrometres, 1e-3), ("px", .pixels, 1)]
        for (suffix, unit, scale) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0, v < 1e9 else { return nil }
            value = v * scale
            self.unit = unit
            return
        }
        return nil
    }
}

/// A one-line user-facing error from the command-line layer.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
