// The one parameter set of the analysis (docs/REFERENCE.md §2, `--config FILE`).
//
// Every number a decision of the pipeline depends on lives here, grouped by
// stage, with its physical meaning and unit. It is Codable: a config file may
// give any subset (`ParameterFile.decode`), every JSON document records the
// full set that produced it, and the batch resume hash covers all of it.
//
// Sizes that describe material (a speck, a pore, a skeleton spur) are given
// both in µm (used when the image is calibrated) and in px (used when it is
// not), with a `…Unit` field saying which one applies to calibrated images:
// a user who says `--min-area 20px` means 20 px whatever the calibration.

import DendrometerCore
import DendrometerGeometry
import DendrometerMorphology
import DendrometerSkeleton

/// Which of a size parameter's two values applies to a calibrated image.
public enum SizeUnit: String, Sendable, Codable, Equatable {
    /// The µm (or µm²) value, converted with the pixel size.
    case micrometres = "um"
    /// The px value, as is.
    case pixels = "px"
}

/// How the grey-level threshold of the threshold segmenter is chosen (`--threshold`).
public enum ThresholdSetting: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Split around the electrolyte's histogram mode and the whole-image Otsu split; keep
    /// the one whose phase forms the thickest solid anode layer (the default).
    case auto
    /// Otsu's threshold of the whole denoised field.
    case otsu
    /// A fixed grey value, in the image's own units (0–255 for 8-bit, 0–65535 for 16-bit).
    case value(Double)

    /// Parses `auto`, `otsu` or a number.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "auto": self = .auto
        case "otsu": self = .otsu
        default:
            guard let v = Double(argument), v.isFinite else { return nil }
            self = .value(v)
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .otsu: "otsu"
        case .value(let v): PixelSizeFormat.number(v)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            guard v.isFinite else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected \"auto\", \"otsu\" or a finite grey value")
            }
            self = .value(v)
            return
        }
        let s = try c.decode(String.self)
        guard let t = ThresholdSetting(argument: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected \"auto\", \"otsu\" or a grey value, got \"\(s)\"")
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .value(let v): try c.encode(v)
        default: try c.encode(description)
        }
    }
}

/// Formatting shared by parameter descriptions.
enum PixelSizeFormat {
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(saturating: v)) : String(v)
    }
}

/// Every tunable of the analysis, with defaults. Decode any subset with ``ParameterFile``.
public struct AnalysisParameters: Sendable, Equatable, Codable {
    /// Before segmentation: scan-line streaks and shot noise.
    public struct Preparation: Sendable, Equatable, Codable {
        /// Remove scan-line streaks (row offsets, median of row differences) before denoising:
        /// a bright streak would bridge dendrites sideways.
        public var correctScanLines = true
        /// Gaussian denoising before thresholding, σ in px (`--denoise-sigma`). BSE shot noise is
        /// pixel-scale; σ = 1 px keeps 2-px-wide tips.
        public var denoiseSigmaPx = 1.0
        public init() {}
    }

    /// The grey-level (BSE) and EDX threshold segmenters.
    public struct Threshold: Sendable, Equatable, Codable {
        /// The threshold rule (`--threshold auto|otsu|VALUE`).
        public var threshold: ThresholdSetting = .auto
        /// Hysteresis: pixels past a lower threshold this fraction of the way back from the
        /// threshold toward the electrolyte's grey are kept when connected to pixels past the
        /// threshold itself, so faint tapered tips (thinner than the electron probe's spread)
        /// stay attached. 0 disables hysteresis.
        public var hysteresisFraction = 0.35
        /// A threshold that puts more than this share of the field in the phase has split the
        /// electrolyte, not found a metal phase; it is not a candidate.
        public var maximumPhaseFraction = 0.8
        /// The polarity/threshold decision only needs the layer geometry: it runs on a preview
        /// binned so that its short side is at least this many px.
        public var previewShortSidePx = 1536
        /// Holes in the phase smaller than this, px, are noise and filled.
        public var fillHolesBelowPx = 3
        /// EDX maps: hysteresis down to this fraction of the map's Otsu threshold (a thin tip
        /// covers only part of a coarse map pixel).
        public var edxLowFraction = 0.5
        /// An In map whose Dice agreement with a bright (Li-In) BSE phase is below this raises a warning.
        public var edxMinimumAgreement = 0.5
        public init() {}
    }

    /// What counts as a dendrite once the phase is known.
    public struct Dendrites: Sendable, Equatable, Codable {
        /// Connected pieces smaller than this are specks (noise, polishing debris), µm².
        public var minimumAreaSquareMicrometres = 1.0
        /// The same in px (uncalibrated images, or every image when `minimumAreaUnit` is `px`).
        public var minimumAreaPx = 12.0
        /// Which value applies to calibrated images (`--min-area 1um2` or `--min-area 12px`).
        public var minimumAreaUnit: SizeUnit = .micrometres
        /// Never fewer px than this: below it a piece is pixel noise at any calibration.
        public var minimumAreaFloorPx = 4.0
        /// A phase thresholded from the denoised grey (not a mask, a model or an EDX map): pixel
        /// noise smoothed by the denoising Gaussian (σ = `preparation.denoiseSigmaPx`) is
        /// correlated over a few σ, so where it crosses the threshold it makes blobs up to about
        /// this many σ in radius. Pieces smaller than such a blob, π (kσ)² px (13 px at σ = 1 px),
        /// cannot be told from noise at any calibration and are specks too. The size is the
        /// noise's, in px, not the specimen's: it matters where 1 µm² is only a few px (coarse
        /// pixels, overviews). White noise smoothed with σ = 1 (2) px and cut at 2 standard
        /// deviations leaves 8-connected blobs of 14 (52) px at the 99th percentile; π (2σ)²
        /// removes 98 % (99 %) of them. 0 disables this floor.
        public var noiseSpeckRadiusSigmas = 2.0
        /// Dark (Li) phase only: electrolyte pores are as dark as Li. Compact dark pieces whose
        /// bounding box is smaller than this in both directions are pores, µm (Li whiskers are long).
        public var poreSizeMicrometres = 2.0
        /// The same in px (uncalibrated images, `poreSizeUnit` px, and a floor).
        public var poreSizePx = 8.0
        /// Which value applies to calibrated images (`--pore-size 2um` or `--pore-size 8px`).
        public var poreSizeUnit: SizeUnit = .micrometres
        /// Dark (Li) phase from a grey threshold only: count only pieces rooted at the anode. Li
        /// whiskers are extruded from the anode and stay attached to it; pores, cracks and grain
        /// boundaries of the electrolyte are as dark and lie anywhere.
        public var darkPhaseRootedOnly = true
        /// A piece is rooted when it comes within this many px of the interface.
        public var rootTolerancePx = 3.0
        /// Dark (Li) phase from a grey threshold only: separate Li whiskers from the cracks and
        /// grain boundaries of their grey that touch them (``DendriteAnalysis/separatingCracks``).
        public var separateCracks = true
        /// Li whiskers grow perpendicular to the interface: dark material whose local direction
        /// is tilted more than this from the interface normal (degrees) is crack-like; only what
        /// stays connected to the anode through steeper material counts as Li.
        public var whiskerMaximumTiltDegrees = 45.0
        /// Crack-like pixels within this many px (8-connected steps) of the kept whiskers are given
        /// back: a needle's rounded tip and its edges turn sideways over about the structure
        /// tensor's integration scale ρ.
        public var whiskerTipRestorePx = 3
        /// Dark (Li) phase from a grey threshold only: remove the cracks that carry on from thin
        /// whisker tips, wider than the tip (``DendriteAnalysis/separatingTipCracks``).
        public var separateTipCracks = true
        /// Widths below are w, the distance from a skeleton pixel to the background (a line
        /// 2r + 1 px wide has w = r + 1). A whisker's base w is the largest (running median) over
        /// this many skeleton steps from the anode, px.
        public var whiskerBaseLengthPx = 30
        /// w is smoothed along the skeleton by a running median over this many steps (the pixel
        /// noise of a thresholded edge), px.
        public var tipWidthWindowPx = 9
        /// A whisker has thinned to its tip where its w is at most this fraction of its base w (a
        /// needle tapers; a crack from its side does not start at a neck).
        public var tipNeckFraction = 0.4
        /// Beyond the neck, a crack's w is at least this many times the neck's …
        public var tipCrackWidening = 2.0
        /// … and exceeds it by at least this many px (a pixel's noise cannot make a crack of a
        /// 1-px neck) …
        public var tipCrackMinimumWideningPx = 1.5
        /// … over at least this many consecutive skeleton steps, px (a crossing or a fork of thin
        /// whiskers widens for a few px only) …
        public var tipCrackMinimumLengthPx = 20
        /// … and at least this share of the skeleton beyond that point is that wide (a crack is
        /// wide to its end; thin whiskers going on beyond a crossing are not a crack).
        public var tipCrackWideShare = 0.6
        public init() {}
    }

    /// Phase pieces isolated beyond the dendrite front (``BinaryMask/removingIsolatedFragments(interface:minimumGapPx:gapFraction:maximumShare:)``).
    public struct Fragments: Sendable, Equatable, Codable {
        /// A gap along the depth isolates what lies beyond when larger than this fraction of
        /// the depth the growth has reached (growth fills its depth range continuously).
        public var gapFraction = 0.1
        /// … and larger than this, µm (calibrated images).
        public var minimumGapMicrometres = 2.0
        /// … or this, px (uncalibrated images, and a floor).
        public var minimumGapPx = 10.0
        /// Only a little phase beyond a gap is debris: at most this share of the dendrite pixels.
        public var maximumShare = 0.02
        /// Set false to keep every piece (depth then counts isolated specks too).
        public var remove = true
        public init() {}

        /// The minimum gap in px for an image with `pixelSize` (nil: uncalibrated).
        public func minimumGapPixels(pixelSize: PixelSize?) -> Double {
            max(minimumGapPx, pixelSize.map { minimumGapMicrometres / $0.micrometres } ?? 0)
        }
    }

    /// When an image is flagged for a person to check (`quality.review`).
    public struct Review: Sendable, Equatable, Codable {
        /// Phase auto: both polarities form a layer and the less uniform one's grey spread is
        /// within this ratio of the other's: the choice is close to a coin toss.
        public var polarityAmbiguityRatio = 0.8
        /// Anode side auto: the runner-up side's layer is at least this fraction as thick.
        public var sideAmbiguityRatio = 0.7
        /// The anode's edge is hidden under dendrite bases (or, for a layer leaving the field at
        /// one end, out of the field) over at least this share of the interface.
        public var hiddenEdgeFraction = 0.3
        /// Anode side auto, a layer that begins away from the edge: what lies behind it is within
        /// this many noise σ (of the electrolyte's grey) of the electrolyte's median grey, i.e. it is
        /// the electrolyte. A mount or a current collector behind an anode has a grey of its own in
        /// BSE (resin of low atomic number far darker than a sulfide electrolyte, steel far
        /// brighter), so the layer in front of it is a band of phase within the electrolyte.
        public var backingSameGreyNoiseWidths = 0.5
        /// Dark phase: more than this share of the dark pieces are not rooted at the anode. Phase
        /// auto also uses it: such a dark "phase" is the electrolyte's pores and cracks.
        public var unrootedShare = 0.5
        /// Phase auto, near tie: the other polarity stays a real alternative only if the dendrites
        /// rooted at its layer amount to at least this share of the chosen phase's rooted
        /// dendrites. A dendrite phase grows from its layer; a layer with (almost) nothing rising
        /// from it is the mount or a current collector. A near tie won by the dark layer: when its
        /// rooted dendrites are less than this share of the bright dendrites beyond the bright layer, the
        /// bright phase is measured instead. And with the phase's own layer found, when the phase
        /// rising from its edge is less than this share of the other grey rising from it (the same
        /// rule, ``SubstrateLayer``), the layer is an electrode of another grey than the dendrites,
        /// and the other polarity is measured.
        public var alternativeGrowthShare = 0.1
        /// Phase auto: a phase whose median grey differs from the rest of the field's by less than
        /// this many noise standard deviations (``PhaseContrast``) is faint: a threshold that
        /// close to the electrolyte's grey also picks the electrolyte's own noise, which
        /// percolates in a noisy image. When the other grey rises from the phase's layer too and
        /// is not faint, the other polarity is measured (``SubstrateLayer``). Phases of the
        /// project's own benchmark stand out by 3.8–20 noise standard deviations; a validation
        /// scene with 29 grey levels of noise by 2.1 (its other grey does not rise from the layer).
        public var faintPhaseContrastToNoise = 3.0
        /// A cathode band beginning within this fraction of the field's extent from the interface
        /// leaves no room for dendrites: probably dense dendrites read as cathode speckle.
        public var cathodeNearInterfaceFraction = 0.05
        /// The visible layer edge departs from the fitted interface by more than this fraction of
        /// the field's depth (RMS): an anode's edge is a smooth line (the fit allows it
        /// `interface.maximumWaviness` = 2 % of waviness), so what was taken for the layer has no
        /// clean edge: the electrolyte, the mount, or an anode out of view.
        public var edgeResidualFraction = 0.03
        /// Dark phase from a grey threshold: the dark pieces set aside in the electrolyte (not
        /// rooted, beyond the front) amount to more than this share of the dark phase counted as
        /// dendrites. The electrolyte then holds many features of Li's grey (cracks, large pores,
        /// grain boundaries); those that touch a whisker are counted with it, which a grey level
        /// cannot undo.
        public var looseDarkShare = 0.1
        /// The deepest dendrite pixel lies in a piece not rooted at the anode more than this many
        /// times the p95 depth away. A growth front is continuous: where the maximum comes from a
        /// loose piece (a tongue cut by the section), it lies near the bulk of the front (max/p95 ≤
        /// 1.31 on the own benchmark, ≤ 1.20 on the validation split); a loose piece far beyond it
        /// is more likely debris, noise read as phase or a cathode particle than a dendrite tip.
        public var loosePieceMaximumOverP95 = 1.5
        /// Dark phase from a grey threshold: more than this share of it runs within 30° of the
        /// interface. Li whiskers grow perpendicular to it (own benchmark: ≤ 1 %); lateral dark
        /// lines joined to them are cracks or grain boundaries.
        public var lateralDarkShare = 0.1
        public init() {}
    }

    /// The anode layer as a physical object.
    public struct AnodeLayer: Sendable, Equatable, Codable {
        /// An anode foil seen whole (with a collector or the mount behind it) is at least this
        /// thick, µm; a thinner band behind a stretch of non-phase is a stripe in the electrolyte.
        public var minimumEnclosedThicknessMicrometres = 2.0
        /// The same in px for uncalibrated images (``InterfaceDetector/Parameters/minimumEnclosedLayerThickness``
        /// is set from these).
        public var minimumEnclosedThicknessPx = 10.0
        /// Anode side auto: dendrites are the anode's material, so the anode layer has at least
        /// the contrast (against the electrolyte) of the phase rising from it (``AnodeLayerGrey``;
        /// thin roots only look fainter, through blur). A layer with less than this fraction of
        /// its roots' contrast is another material (a current collector, the mount), and the next
        /// side whose layer qualifies is chosen. Measured: anodes ≥ 0.94 (validation split) and
        /// ≥ 0.99 (own set); a Li-In cell's steel collector 0.60.
        public var minimumRootContrastRatio = 0.8
        /// The roots: phase pixels within this fraction of the field's depth beyond the interface.
        public var rootBandFraction = 0.1
        /// Fewer root pixels than this: too little to judge the layer's grey (the layer is kept).
        public var minimumRootPixels = 200
        /// A hand-drawn interface (`--interface`): the anode is a solid layer of the phase, so the
        /// strip between the anode edge and the line is at least this share phase; less is flagged
        /// for review (the line, or the side, may be wrong).
        public var minimumGivenLayerPhaseShare = 0.5
        /// The layer's edge read from its grey where a dense mesh of phase on the anode (a
        /// network, stripes) makes the threshold's layer end at the mesh's top (``SolidLayerEdge``):
        /// the anode is one solid material, a row of mesh is darker (brighter, for Li) by the
        /// electrolyte it holds.
        public var greyEdge = SolidLayerEdge.Parameters()
        /// An anode or substrate of another grey than the dendrites (a collector the dendrites were
        /// plated on, secondary-electron contrast): a uniform layer of the opposite grey with the
        /// phase rising from its edge is taken as the anode layer (``SubstrateLayer``).
        public var substrate = SubstrateLayer.Parameters()
        public init() {}

        /// The minimum enclosed thickness in px for an image with `pixelSize` (nil: uncalibrated).
        public func minimumEnclosedThicknessPixels(pixelSize: PixelSize?) -> Double {
            pixelSize.map { minimumEnclosedThicknessMicrometres / $0.micrometres } ?? minimumEnclosedThicknessPx
        }
    }

    /// The cathode composite on the far side of the electrolyte.
    public struct Cathode: Sendable, Equatable, Codable {
        /// Band detection (phase fraction and thickness).
        public var band = CathodeDetector.Parameters()
        /// By texture: the band's grey-level spread must exceed this multiple of the electrolyte's.
        public var textureSpreadRatio = 2.5
        /// Components touching the cathode and starting within this many px of it are its fringe
        /// (composite particles cut by the band's edge); the band's edge, when found from texture,
        /// moves at most this far to the 50 % point of the texture step …
        public var fringeMinimumPx = 10.0
        /// … or within (at most) this fraction of the cathode's distance from the interface.
        public var fringeFraction = 0.04
        /// A candidate band is the cathode only if at most this share of its phase belongs to pieces
        /// rooted at the anode. The composite is a layer of separate particles on the far side; a
        /// band whose phase is one mesh with the dendrites at the anode is a dense dendrite network
        /// (in a shorted cell only the few particles the dendrites touch join them).
        public var maximumRootedShare = 0.5
        /// With a user's mask (`--mask`), which marks the dendrites and the anode but not the
        /// cathode's particles, the rooted share above cannot judge a band (the only phase in a
        /// cathode band is the dendrites that reach it, all rooted). A band of grey speckle is then
        /// the cathode only if the mask's phase covers at most this share of it: a dense dendrite
        /// network read as speckle is the mask's own phase and covers much of its band; the few
        /// dendrites that reach a cathode cover little of it.
        public var maximumMaskShare = 0.3
        public init() {}
    }

    /// Skeleton and spur pruning.
    public struct Skeleton: Sendable, Equatable, Codable {
        /// Side branches shorter than this are spurs of the thinning (boundary roughness), µm.
        public var spurLengthMicrometres = 1.0
        /// The same in px (uncalibrated images, `spurLengthUnit` px, and a floor).
        public var spurLengthPx = 3.0
        /// Which value applies to calibrated images (`--spur-length 1um` or `--spur-length 3px`).
        public var spurLengthUnit: SizeUnit = .micrometres
        /// The thinning algorithm: `zhang` (default: bit for bit `skimage.morphology.skeletonize`,
        /// so skeletons agree with skan's on it; staircase corners stay until spur pruning cleans
        /// them) or `guo-hall` (one pixel wide everywhere; tapered tips a few px shorter).
        public var thinning: ThinningMethod = .zhang
        public init() {}
    }

    /// Orientation from the structure tensor.
    public struct Orientation: Sendable, Equatable, Codable {
        /// Gradient scale σ, px.
        public var sigmaPx = 1.0
        /// Integration scale ρ, px.
        public var rhoPx = 3.0
        /// Pixels whose tensor energy (λ1 + λ2, mask units²/px²) is below this have no orientation.
        public var energyFloor = 1e-3
        /// A pixel within this many degrees of the interface direction is lateral; within this
        /// many of the normal, vertical.
        public var toleranceDegrees = 30.0
        public init() {}
    }

    /// The depth profile.
    public struct Profile: Sendable, Equatable, Codable {
        /// About this many bins across the electrolyte (rounded to 1, 2 or 5 × 10ⁿ µm when calibrated).
        public var binsAcrossField = 25.0
        public init() {}
    }

    /// Before segmentation.
    public var preparation = Preparation()
    /// Threshold and EDX segmenters.
    public var threshold = Threshold()
    /// Interface detection in the phase mask.
    public var interface = InterfaceDetector.Parameters()
    /// The anode layer's physical size.
    public var anodeLayer = AnodeLayer()
    /// When to ask a person to check.
    public var review = Review()
    /// Cathode detection.
    public var cathode = Cathode()
    /// Dendrite clean-up.
    public var dendrites = Dendrites()
    /// Isolated fragments beyond the front.
    public var fragments = Fragments()
    /// Skeleton.
    public var skeleton = Skeleton()
    /// Orientation.
    public var orientation = Orientation()
    /// Depth profile.
    public var profile = Profile()
    /// Region labels (flame / stripe / network / vertical).
    public var morphology = MorphologyThresholds()

    /// The defaults documented on every field.
    public init() {}
}

extension AnalysisParameters.Dendrites {
    /// The minimum dendrite area in px for an image with `pixelSize` (nil: uncalibrated).
    public func minimumAreaPixels(pixelSize: PixelSize?) -> Int {
        let px: Double
        if let p = pixelSize, minimumAreaUnit == .micrometres {
            px = minimumAreaSquareMicrometres / p.areaSquareMicrometres
        } else {
            px = minimumAreaPx
        }
        return Int(saturating: max(minimumAreaFloorPx, px).rounded())
    }

    /// ``minimumAreaPixels(pixelSize:)`` for a phase thresholded from a grey field denoised with
    /// a Gaussian of `denoiseSigmaPx`: never below the area of the noise's own blobs,
    /// π (``noiseSpeckRadiusSigmas`` × σ)² px rounded up (13 px at σ = 1 px, k = 2).
    public func minimumAreaPixels(pixelSize: PixelSize?, denoiseSigmaPx: Double) -> Int {
        let radius = max(0, noiseSpeckRadiusSigmas) * max(0, denoiseSigmaPx)
        let noiseBlob = Int(saturating: (Double.pi * radius * radius).rounded(.up))
        return max(minimumAreaPixels(pixelSize: pixelSize), noiseBlob)
    }

    /// The pore size in px for an image with `pixelSize` (nil: uncalibrated).
    public func poreSizePixels(pixelSize: PixelSize?) -> Int {
        if let p = pixelSize, poreSizeUnit == .micrometres {
            return Int(saturating: max(poreSizePx, (poreSizeMicrometres / p.micrometres).rounded()))
        }
        return Int(saturating: poreSizePx.rounded())
    }
}

extension AnalysisParameters.Skeleton {
    /// The spur length in px for an image with `pixelSize` (nil: uncalibrated).
    public func spurLengthPixels(pixelSize: PixelSize?) -> Double {
        if let p = pixelSize, spurLengthUnit == .micrometres {
            return max(spurLengthPx, spurLengthMicrometres / p.micrometres)
        }
        return spurLengthPx
    }
}

extension AnalysisParameters {
    /// The interface detector's parameters for an image with `pixelSize`: the physical sizes
    /// of ``anodeLayer`` converted to px.
    public func interfaceParameters(pixelSize: PixelSize?) -> InterfaceDetector.Parameters {
        var p = interface
        p.minimumEnclosedLayerThickness = anodeLayer.minimumEnclosedThicknessPixels(pixelSize: pixelSize)
        return p
    }
}
