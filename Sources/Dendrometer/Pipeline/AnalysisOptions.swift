import DendrometerCore
import DendrometerGeometry
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

/// How the image is divided for per-region statistics (`--regions`, DESIGN.md §5).
public enum RegionChoice: Sendable, Equatable {
    /// Three depth bands of the dendrite zone: `bottom` (nearest the anode), `middle`, `top`.
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
}

/// Every choice the analysis makes, with defaults a BSE user would expect.
public struct AnalysisOptions: Sendable {
    /// What the dendrite phase looks like.
    public var phase: PhaseChoice = .auto
    /// Where the anode is; nil decides from the image.
    public var anode: AnodeSide?
    /// How to divide the dendrite zone into regions.
    public var regions: RegionChoice = .auto
    /// EDX element maps by element symbol (`In`, `S`, ...), already loaded.
    public var edxMaps: [String: Image<Float>] = [:]
    /// Gaussian denoising before thresholding, px.
    public var denoiseSigmaPx = 1.0
    /// Specks smaller than this are removed, µm² (used when calibrated).
    public var minimumSpeckAreaSquareMicrometres = 1.0
    /// Specks smaller than this are removed, px² (used when uncalibrated).
    public var minimumSpeckAreaPx = 12
    /// Skeleton spurs shorter than this are pruned, µm (calibrated images).
    public var pruneLengthMicrometres = 1.0
    /// Skeleton spurs shorter than this are pruned, px (uncalibrated images, and a floor).
    public var pruneLengthPx = 3.0
    /// Structure-tensor gradient scale σ, px.
    public var orientationSigmaPx = 1.0
    /// Structure-tensor integration scale ρ, px.
    public var orientationRhoPx = 3.0
    /// Classifier thresholds.
    public var thresholds = MorphologyThresholds()

    /// Defaults.
    public init() {}
}
