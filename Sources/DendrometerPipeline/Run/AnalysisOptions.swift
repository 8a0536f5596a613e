import DendrometerCore
import Foundation
import DendrometerGeometry
import DendrometerLearning
import DendrometerMorphology

/// What the dendrite phase looks like (`--phase`).
public enum PhaseChoice: Sendable, Equatable, CustomStringConvertible {
    /// Decide from the image: the polarity whose phase forms a continuous anode layer.
    case auto
    /// Bright in BSE (Li-In alloy: high mean atomic number).
    case bright
    /// Dark in BSE (Li metal).
    case dark
    /// Segment from an EDX map of this element (e.g. `In`).
    case edx(String)

    /// Parses `auto`, `bright`, `dark` or `edx:ELEMENT`.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "auto": self = .auto
        case "bright": self = .bright
        case "dark": self = .dark
        default:
            guard argument.lowercased().hasPrefix("edx:"), argument.count > 4 else { return nil }
            self = .edx(String(argument.dropFirst(4)))
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .bright: "bright"
        case .dark: "dark"
        case .edx(let e): "edx:\(e)"
        }
    }
}

/// How the image is divided for per-region statistics (`--regions`, docs/REFERENCE.md §5).
public enum RegionChoice: Sendable, Equatable {
    /// Three depth bands of the dendrite zone, nearest the anode first: `bottom`, `middle`, `top` with
    /// the anode at the bottom, else `near`, `middle`, `far` (``AnodeSide/depthBandNames``).
    case auto
    /// One region: the whole dendrite zone.
    case whole
    /// `rows × columns` tiles of the field of view.
    case grid(rows: Int, columns: Int)
    /// Named rectangles, px or µm.
    case rectangles([RegionRectangle])

    /// Parses `auto`, `whole` or `grid:RxC` (a JSON file is read by the caller).
    public init?(argument: String) {
        let a = argument.lowercased()
        if a == "auto" { self = .auto; return }
        if a == "whole" { self = .whole; return }
        if a.hasPrefix("grid:") {
            let parts = a.dropFirst(5).split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts[0] > 0, parts[1] > 0, parts[0] * parts[1] <= 10_000 else { return nil }
            self = .grid(rows: parts[0], columns: parts[1])
            return
        }
        return nil
    }
}

/// A named rectangle from a regions file: `{"name", "x", "y", "w", "h", "unit": "px"|"um"}`.
public struct RegionRectangle: Sendable, Equatable, Codable {
    /// Region name used in reports.
    public var name: String
    /// Left edge, in `unit`.
    public var x: Double
    /// Top edge, in `unit`.
    public var y: Double
    /// Width, in `unit`.
    public var w: Double
    /// Height, in `unit`.
    public var h: Double
    /// `px` or `um`.
    public var unit: String?

    /// A rectangle in `unit` (`px` default).
    public init(name: String, x: Double, y: Double, w: Double, h: Double, unit: String? = "px") {
        self.name = name; self.x = x; self.y = y; self.w = w; self.h = h; self.unit = unit
    }

    /// Most rectangles a regions file may list (each costs a pass over its box).
    public static let maximumCount = 1000

    /// Whether the unit is micrometres (`um`, `µm`); nil or `px` is pixels.
    public var isMicrometres: Bool { ["um", "µm", "μm"].contains((unit ?? "px").lowercased()) }

    /// What is wrong in a regions file, in its own terms: "not valid JSON (…)", "the file is not
    /// a list", "rectangle 2 has no 'w'", "'x' of rectangle 1 is not a number" (Foundation's own
    /// text says only "The data isn't in the correct format").
    static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func place(_ path: [any CodingKey]) -> String {
            let rectangle = path.first?.intValue.map { "rectangle \($0 + 1)" }
            let field = path.count > 1 ? "'\(path[1].stringValue)'" : nil
            switch (field, rectangle) {
            case let (f?, r?): return "\(f) of \(r)"
            case let (nil, r?): return r
            default: return "the file"
            }
        }
        switch e {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON (\(ParameterFile.describe(e)))" : "\(place(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(place(context.codingPath)) has no '\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            let expected = type == [RegionRectangle].self || context.codingPath.isEmpty ? "a list"
                : type == String.self ? "a string" : type == Double.self ? "a number" : "an object"
            return "\(place(context.codingPath)) is not \(expected)"
        case .valueNotFound(_, let context):
            return "\(place(context.codingPath)) is null"
        @unknown default:
            return "\(e)"
        }
    }

    /// The rectangles of a regions file (a JSON list), checked: at most ``maximumCount``, each with
    /// a name, finite numbers, a positive size and a unit `px` or `um`.
    ///
    /// - Throws: one sentence naming the first rectangle that cannot be used.
    public static func list(fromJSON data: Data) throws(RegionFileError) -> [RegionRectangle] {
        let rects: [RegionRectangle]
        do { rects = try JSONDecoder().decode([RegionRectangle].self, from: data) } catch {
            throw RegionFileError("expected a JSON list of {\"name\", \"x\", \"y\", \"w\", \"h\", \"unit\": \"px\" | \"um\"}: \(describe(error))")
        }
        guard rects.count <= maximumCount else {
            throw RegionFileError("\(rects.count) rectangles; at most \(maximumCount) are accepted")
        }
        for (i, r) in rects.enumerated() {
            let which = "rectangle \(i + 1) (\(r.name.isEmpty ? "unnamed" : "'\(r.name)'"))"
            guard !r.name.isEmpty else { throw RegionFileError("\(which) has no name") }
            let u = (r.unit ?? "px").lowercased()
            guard u == "px" || r.isMicrometres else { throw RegionFileError("\(which): unit '\(r.unit ?? "")' is not px or um") }
            guard [r.x, r.y, r.w, r.h].allSatisfy(\.isFinite) else { throw RegionFileError("\(which): x, y, w and h must be finite numbers") }
            guard r.w > 0, r.h > 0 else { throw RegionFileError("\(which): w and h must be positive, got \(r.w) × \(r.h)") }
        }
        return rects
    }
}

/// A regions file that cannot be used, in one sentence.
public struct RegionFileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Where the phase mask comes from (docs/REFERENCE.md §2, "Segmentation source").
public enum SegmentationSource: Sendable {
    /// Grey-level threshold (or `--phase edx:El`), decided from the image.
    case automatic
    /// A pixel classifier trained with `dendrometer train` (`--model FILE`); `name` is its file.
    case model(PixelClassifier, name: String)
    /// A segmentation made elsewhere (`--mask FILE`).
    case mask(ExternalMask)
}

/// What the analysis is told about one micrograph, and the parameter set it runs with.
public struct AnalysisOptions: Sendable {
    /// What the dendrite phase looks like.
    public var phase: PhaseChoice = .auto
    /// Where the anode is; nil decides from the image.
    public var anode: AnodeSide?
    /// How to divide the dendrite zone into regions.
    public var regions: RegionChoice = .auto
    /// EDX element maps by element symbol (`In`, `S`, ...), already loaded.
    public var edxMaps: [String: Image<Float>] = [:]
    /// Where the phase mask comes from.
    public var segmentation: SegmentationSource = .automatic
    /// Every tunable (``AnalysisParameters``; `--config FILE` and the CLI flags set it).
    public var parameters = AnalysisParameters()
    /// With a trained model: keep its class probability planes in the segmentation record
    /// (`--save-probabilities`); otherwise only its class map is computed, which is faster.
    public var keepsClassProbabilities = false
    /// A hand-drawn anode interface (`--interface FILE`), used instead of detecting one.
    public var givenInterface: GivenInterface?
    /// Areas to leave out of the dendrites (`--exclude FILE`).
    public var excludedAreas: ExcludedAreas?

    /// Defaults.
    public init() {}

    /// The segmenter these options name: a trained model or an external mask when given,
    /// else the EDX map for `--phase edx:El`, else the grey-level threshold.
    public var segmenter: any PhaseSegmenter {
        let appearance: PhaseAppearance = switch phase {
        case .bright: .bright
        case .dark: .dark
        case .edx(let e): .edx(e)
        case .auto: .unspecified
        }
        switch segmentation {
        case .model(let model, let name): return TrainedModelSegmenter(model: model, name: name, appearance: appearance,
                                                                             keepsProbabilities: keepsClassProbabilities)
        case .mask(let mask): return ExternalMaskSegmenter(mask: mask, appearance: appearance)
        case .automatic:
            switch phase {
            case .edx(let element): return EDXSegmenter(element: element)
            case .bright: return ThresholdSegmenter(polarity: .bright, anode: anode)
            case .dark: return ThresholdSegmenter(polarity: .dark, anode: anode)
            case .auto: return ThresholdSegmenter(polarity: .auto, anode: anode)
            }
        }
    }
}
