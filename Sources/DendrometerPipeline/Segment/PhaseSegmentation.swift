// The segmentation stage's public record and the seam every segmenter plugs into.
//
// load → calibrate → prepare (``PreparedField``) → **segment** (``PhaseSegmenter``
// → ``PhaseSegmentation``) → interface → dendrites → skeleton → measures → labels.
//
// Whatever made the phase mask (a grey-level threshold, an EDX map, a trained
// pixel classifier, a mask drawn in ilastik or Fiji), the later stages read
// only this record: the phase mask including the anode layer, what else is
// known about the scene, how the phase looks (bright, dark, unknown), and how
// and why it was made.

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation

/// How the dendrite phase appears in the micrograph, as far as the segmenter knows.
///
/// Later stages use it for physics that depends on the material: Li (dark in
/// BSE) is as dark as electrolyte pores, so compact dark pieces are pores; Li
/// grows as needles, Li-In (bright) as flames.
public enum PhaseAppearance: Sendable, Equatable, CustomStringConvertible {
    /// Bright in BSE (Li-In alloy: high mean atomic number).
    case bright
    /// Dark in BSE (Li metal).
    case dark
    /// Rich in this element's EDX map (e.g. In for Li-In).
    case edx(String)
    /// Not stated (a trained model or an external mask without `--phase`).
    case unspecified

    public var description: String {
        switch self {
        case .bright: "bright"
        case .dark: "dark"
        case .edx(let e): "edx:\(e)"
        case .unspecified: "unspecified"
        }
    }

    /// Whether the phase is the dark (Li) phase.
    public var isDark: Bool { self == .dark }
}

/// Which segmenter made the phase mask, with what it used.
public enum SegmentationMethod: Sendable, Equatable, CustomStringConvertible {
    /// A grey-level threshold of the denoised image (image units), with hysteresis.
    case threshold(Double)
    /// Otsu threshold of an EDX map (counts), with hysteresis.
    case edx(element: String, threshold: Double)
    /// A trained pixel classifier (its file or name).
    case model(String)
    /// A mask made elsewhere (its file or name, and the label values taken as phase; empty = non-zero).
    case mask(String, labels: [Int])

    /// Short name: `threshold`, `edx`, `model`, `mask`.
    public var name: String {
        switch self {
        case .threshold: "threshold"
        case .edx: "edx"
        case .model: "model"
        case .mask: "mask"
        }
    }

    /// The threshold in image units (grey or counts), when one was used.
    public var threshold: Double? {
        switch self {
        case .threshold(let t): t
        case .edx(_, let t): t
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .threshold(let t): "threshold \(t)"
        case .edx(let e, let t): "edx:\(e) threshold \(t)"
        case .model(let m): "model \(m)"
        case .mask(let m, let labels): labels.isEmpty ? "mask \(m)" : "mask \(m) labels \(labels.map(String.init).joined(separator: ","))"
        }
    }
}

/// The micrograph ready for segmentation: the scanned field (data bar cut off)
/// as it was recorded, and denoised.
public struct PreparedField: Sendable {
    /// The field in the full raster, px.
    public var rect: PixelRect
    /// Size of the full raster (data bar included), px.
    public var rasterWidth: Int, rasterHeight: Int
    /// The field's samples as recorded, in the file's own sample type (an 8-bit field costs
    /// 1 byte per pixel to keep, not 4), field coordinates.
    public var recorded: AnyImage
    /// The field's grey values as recorded (image units), field coordinates: ``recorded`` as
    /// 32-bit floats, converted on each access (only a trained model reads it).
    public var original: Image<Float> { recorded.asFloat() }
    /// Scan lines corrected and Gaussian-denoised (``AnalysisParameters/Preparation``).
    public var denoised: Image<Float>
    /// Pixel size; nil when uncalibrated.
    public var pixelSize: PixelSize?
    /// EDX maps resampled to the field grid, by element symbol.
    public var edx: [String: Image<Float>]

    /// A field prepared by the caller (e.g. for tests or other software).
    public init(rect: PixelRect, rasterWidth: Int? = nil, rasterHeight: Int? = nil, recorded: AnyImage, denoised: Image<Float>,
                pixelSize: PixelSize?, edx: [String: Image<Float>] = [:]) {
        self.rect = rect
        self.rasterWidth = rasterWidth ?? rect.x + rect.width
        self.rasterHeight = rasterHeight ?? rect.y + rect.height
        self.recorded = recorded
        self.denoised = denoised
        self.pixelSize = pixelSize
        self.edx = edx
    }

    /// A field prepared by the caller from Float grey values.
    public init(rect: PixelRect, rasterWidth: Int? = nil, rasterHeight: Int? = nil, original: Image<Float>, denoised: Image<Float>,
                pixelSize: PixelSize?, edx: [String: Image<Float>] = [:]) {
        self.init(rect: rect, rasterWidth: rasterWidth, rasterHeight: rasterHeight, recorded: .float32(original),
                  denoised: denoised, pixelSize: pixelSize, edx: edx)
    }

    /// The width of the field, px.
    public var width: Int { rect.width }
    /// The height of the field, px.
    public var height: Int { rect.height }
}

/// What the segmentation stage hands to every later stage.
public struct PhaseSegmentation: Sendable {
    /// The dendrite phase including the anode layer, field coordinates. An analysis result keeps
    /// it one bit per pixel (``packPhase()``) and unpacks it when it is read.
    public var phase: BinaryMask {
        get { packedPhase?.unpacked() ?? phaseBytes }
        set { phaseBytes = newValue; packedPhase = nil }
        _modify {
            if let packed = packedPhase { phaseBytes = packed.unpacked(); packedPhase = nil }
            yield &phaseBytes
        }
    }
    private var phaseBytes: BinaryMask
    private var packedPhase: PackedMask?
    /// The thresholded phase before clean-up and hysteresis, for segmentations whose phase can
    /// include cathode particles (a grey level cannot tell NCM from Li-In): the cathode's
    /// speckle survives here and the cathode stage looks for it. Nil: not searched, or (the
    /// threshold segmenter's own records) described by ``rawPhaseThreshold`` instead.
    public var rawPhase: BinaryMask?
    /// The raw phase of a grey threshold, described instead of stored: the pixels of ``texture``
    /// past this grey level on the phase's side (above it for a bright phase, at or below it for
    /// a dark one), read where the cathode is sought, with no mask made. Used when ``rawPhase``
    /// is nil; nil: not searched.
    public var rawPhaseThreshold: Double?
    /// Pixels known to be neither the dendrite phase nor the matrix it grows in (pores, cracks,
    /// cathode particles, current collector, debris), when the segmenter knows (a trained
    /// model's class 3). Nil: unknown.
    public var other: BinaryMask?
    /// How the phase looks.
    public var appearance: PhaseAppearance
    /// Which segmenter made the mask, and its threshold or model.
    public var method: SegmentationMethod
    /// Why this mask (one or two sentences a scientist can check).
    public var reason: String
    /// Problems worth telling the user.
    public var warnings: [String]
    /// Phase auto only: set when the polarity was decided by a near tie of the layers' grey
    /// uniformity (the evidence, in words); the analysis then tests the other polarity's
    /// dendrites for roots in the anode before it trusts the choice.
    public var polarityTieBreak: String?
    /// Phase auto from a grey threshold: the threshold the other polarity would be segmented at
    /// (its own choice among its candidates), so that the analysis can ask whether the layer the
    /// phase was chosen by grows the other grey rather than its own (``SubstrateLayer``); nil
    /// when the polarity was given or the phase did not come from a grey threshold.
    public var otherPolarityThreshold: Double?
    /// Why a person should check this image's segmentation (the segmenter was unsure), with the
    /// option that settles it.
    public var review: [String] = []
    /// The grey image later stages may read for texture (cathode speckle), field coordinates;
    /// empty (0 × 0) in an analysis result, released after the dendrite stage.
    public var texture: Image<Float>
    /// Whether electrolyte pores can be in ``phase``: a dark-phase grey threshold cannot tell Li
    /// from pores (both dark), so compact dark pieces are removed later; a model (class 3) or a
    /// user's mask already knows pores.
    public var phaseMayIncludePores = false
    /// Per-class probabilities when a classifier made the mask (index 0 = class 1, the phase), field coordinates.
    public var classProbabilities: [Image<Float>] = []
    /// Phase auto: the polarity hypotheses scored, best first (the chosen one first); empty when the
    /// phase was given or came from a model, a mask or an EDX map.
    public var hypotheses: [PhaseHypothesis] = []

    /// Whether the phase is brighter than its matrix in the grey image: a threshold or a trained
    /// model with a known polarity, or a user's mask whose phase was given (`--phase`) or measured
    /// brighter or darker than the rest. A mask marks the anode and the dendrites as one phase, so
    /// where a dense mesh lies on the foil it cannot show the foil's edge any better than a
    /// threshold can: the grey shows it (``SolidLayerEdge``). Nil for an EDX map (its phase is an
    /// element, not a grey) or an unknown polarity.
    public var greySegmentationIsBright: Bool? {
        switch method {
        case .threshold, .model, .mask:
            switch appearance {
            case .bright: true
            case .dark: false
            case .edx, .unspecified: nil
            }
        case .edx: nil
        }
    }

    /// This record's hypotheses re-decided when phase auto measured the other polarity after its
    /// first choice failed a test: `chosen` is marked chosen and comes first, `refuted` carries
    /// `reason` as its note. Handed to the other polarity's record before it is measured, so the
    /// rules that read the chosen hypothesis (its layer's side) apply to what is reported.
    public func hypotheses(choosing chosen: PhaseAppearance, refuting refuted: PhaseAppearance, because reason: String) -> [PhaseHypothesis] {
        hypotheses.map { h in
            var h = h
            h.chosen = h.appearance == chosen
            if h.appearance == refuted { h.note = reason }
            return h
        }.sorted { $0.chosen && !$1.chosen }
    }

    /// Drops the images only the interface, cathode and dendrite clean-up read (``texture``,
    /// ``rawPhase``, ``other``): once the dendrites are known, the rest of the analysis and the
    /// report read ``phase`` and the figures. At 4096² this frees 4 B/px of texture and 1 B/px
    /// per mask before the skeleton, orientation and region stages allocate theirs.
    public mutating func releaseDendriteStageImages() {
        texture = Image(width: 0, height: 0, pixels: [])
        rawPhase = nil
        rawPhaseThreshold = nil
        other = nil
    }

    /// Keeps ``phase`` one bit per pixel from now on (an eighth of the memory; each read unpacks
    /// it): for a record that is kept once every stage has read the phase, as an analysis
    /// result's is.
    public mutating func packPhase() {
        guard packedPhase == nil else { return }
        packedPhase = PackedMask(phaseBytes)
        phaseBytes = BinaryMask(width: 0, height: 0)
    }

    /// A record; `texture` is normally ``PreparedField/denoised``.
    public init(phase: BinaryMask, rawPhase: BinaryMask? = nil, other: BinaryMask? = nil, appearance: PhaseAppearance,
                method: SegmentationMethod, reason: String, warnings: [String] = [], texture: Image<Float>) {
        self.phaseBytes = phase
        self.rawPhase = rawPhase
        self.other = other
        self.appearance = appearance
        self.method = method
        self.reason = reason
        self.warnings = warnings
        self.texture = texture
    }
}

/// A segmenter: turns a prepared field into the phase record.
///
/// Conforming types: ``ThresholdSegmenter`` (grey level, today's automatic path),
/// ``EDXSegmenter`` (an element map), ``TrainedModelSegmenter`` (a pixel classifier
/// trained with `dendrometer train`), ``ExternalMaskSegmenter`` (a mask made elsewhere).
public protocol PhaseSegmenter: Sendable {
    /// Segments `field` with `parameters`.
    func segment(_ field: PreparedField, parameters: AnalysisParameters) throws(AnalysisError) -> PhaseSegmentation
}

extension PhaseSegmentation {
    /// Removes specks below `speckPx` (0: none) and fills holes below `holePx` (noise in the phase).
    /// `m` is consumed: the holes are filled in its own buffer when the caller passes its last use.
    static func cleaned(_ m: consuming BinaryMask, speckPx: Int, holePx: Int) throws(AnalysisError) -> BinaryMask {
        do {
            var mask = m
            if speckPx > 0 { mask = try removeSmallObjects(mask, minimumArea: speckPx) }
            return try removeSmallHoles(consume mask, minimumArea: holePx)
        } catch { throw .kernel(error.description) }
    }
}

extension PhaseAppearance {
    /// Pixels compared at most (evenly spaced) when inferring the appearance.
    static let inferenceSamples = 200_000

    /// How a phase looks, inferred from the image when nobody said (a model or a mask):
    /// in BSE, Li-In alloy is brighter than the Li6PS5Cl matrix and Li metal darker, so the
    /// phase is `bright` when its median grey exceeds the matrix's (pixels that are neither
    /// phase nor `other`), else `dark`.
    ///
    /// Example: phase median 182, matrix median 97 → `.bright`, "phase brighter than the
    /// matrix (median grey 182 vs 97)".
    /// - Returns: the appearance and one sentence of evidence; `.unspecified` when either set is empty.
    public static func inferred(phase: BinaryMask, other: BinaryMask?, grey: Image<Float>) -> (PhaseAppearance, String) {
        let n = min(phase.bits.count, grey.pixels.count)
        let step = max(1, n / inferenceSamples)
        var inPhase = [Float](), matrix = [Float]()
        for i in stride(from: 0, to: n, by: step) where grey.pixels[i].isFinite {
            if phase.bits[i] != 0 { inPhase.append(grey.pixels[i]) } else if other.map({ $0.bits[i] == 0 }) ?? true { matrix.append(grey.pixels[i]) }
        }
        guard !inPhase.isEmpty, !matrix.isEmpty else { return (.unspecified, "no phase or no matrix pixel to compare") }
        inPhase.sort()
        matrix.sort()
        let p = inPhase[inPhase.count / 2], m = matrix[matrix.count / 2]
        let text = String(format: "median grey %.4g vs %.4g", Double(p), Double(m))
        return p > m ? (.bright, "phase brighter than the matrix (\(text)): Li-In-like")
                     : (.dark, "phase darker than the matrix (\(text)): Li-like")
    }
}

/// One scene hypothesis of phase auto: "the dendrite phase is the bright (or dark) one, and its
/// anode layer lies along this edge", with the evidence for it.
///
/// Evidence: the anode is a continuous metal layer of one grey, so the polarity whose phase forms
/// a solid layer along an edge, with the more uniform grey inside it, is the dendrite phase. The
/// score is that uniformity's share: (1 / spread) / Σ over the polarities with a layer (1 / spread);
/// a polarity without a layer scores 0. Worked example: bright layer spread 0.04, dark layer
/// spread 0.12 → bright 0.75, dark 0.25.
public struct PhaseHypothesis: Sendable, Equatable {
    /// The dendrite phase's look under this hypothesis.
    public var appearance: PhaseAppearance
    /// The edge its layer lies along (nil: it forms no layer). When the analysis measured the
    /// phase from a layer of another grey (``SubstrateLayer``), the chosen hypothesis names that
    /// layer's edge, while its thickness, spread and score stay those of the phase's own layer.
    public var side: AnodeSide?
    /// 10th-percentile thickness of its solid layer, px (0: none).
    public var layerThicknessPx: Double
    /// Grey standard deviation inside the layer over the image's 5–95 % grey range (nil: no layer).
    public var greySpread: Double?
    /// Share of the evidence, 0…1 (see the type's documentation).
    public var score: Double
    /// Whether the analysis went on with this hypothesis.
    public var chosen: Bool
    /// Later evidence against it (e.g. "its pieces are not rooted at the layer"), if any.
    public var note: String?

    /// A hypothesis record.
    public init(appearance: PhaseAppearance, side: AnodeSide?, layerThicknessPx: Double, greySpread: Double?,
                score: Double, chosen: Bool, note: String? = nil) {
        self.appearance = appearance
        self.side = side
        self.layerThicknessPx = layerThicknessPx
        self.greySpread = greySpread
        self.score = score
        self.chosen = chosen
        self.note = note
    }

    /// Scores for the bright and dark candidates (`nil` spread or spread ≤ 0 with a layer counts as
    /// perfectly uniform), chosen one first.
    public static func scored(bright: (side: AnodeSide?, thickness: Double, spread: Double),
                              dark: (side: AnodeSide?, thickness: Double, spread: Double),
                              chosen: PhaseAppearance) -> [PhaseHypothesis] {
        func weight(_ c: (side: AnodeSide?, thickness: Double, spread: Double)) -> Double {
            c.thickness > 0 ? 1 / max(c.spread, Self.spreadFloor) : 0
        }
        let wb = weight(bright), wd = weight(dark), total = wb + wd
        let list = [
            PhaseHypothesis(appearance: .bright, side: bright.side, layerThicknessPx: bright.thickness,
                            greySpread: bright.thickness > 0 ? bright.spread : nil,
                            score: total > 0 ? wb / total : 0, chosen: chosen == .bright),
            PhaseHypothesis(appearance: .dark, side: dark.side, layerThicknessPx: dark.thickness,
                            greySpread: dark.thickness > 0 ? dark.spread : nil,
                            score: total > 0 ? wd / total : 0, chosen: chosen == .dark),
        ]
        return list.sorted { $0.chosen && !$1.chosen }
    }

    /// Smallest spread used in the score (a noiseless synthetic layer has spread 0). Numerical.
    static let spreadFloor = 1e-6
}
