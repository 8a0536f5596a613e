// The analysis pipeline of one micrograph (docs/REFERENCE.md §1):
// load → calibrate → mask out data bar → (EDX resample) → segment → find
// interface → skeletonize + graph → penetration / orientation / connectivity
// → regions → classify. Every stage is a library call; this file only wires
// them together and records each choice so the report can explain it.

import DendrometerCalibration
import DendrometerCore
import DendrometerFilters
import DendrometerGeometry
import DendrometerMorphology
import DendrometerSegmentation
import DendrometerSkeleton
import Dispatch
import Foundation

/// Why an analysis could not run at all (bad options, unusable maps). Image
/// read errors are ``ImageIOError``s.
public enum AnalysisError: Error, Equatable, CustomStringConvertible {
    /// `--phase edx:X` without a map for X.
    case missingEDXMap(element: String, available: [String])
    /// The scanned field is empty (e.g. the data bar covers the whole image).
    case emptyField
    /// A kernel refused its input; the kernel's own words.
    case kernel(String)
    /// An external mask (`--mask FILE`) cannot be used: the file and why.
    case badMask(String, String)
    /// A trained model cannot be applied: the model and why.
    case badModel(String, String)
    /// A training label image cannot be used: the file (or option) and why.
    case badLabels(String, String)
    /// A hand-drawn interface or an exclusion file (`--interface`, `--exclude`) cannot be used: the file and why.
    case badGeometry(String, String)

    public var description: String {
        switch self {
        case .missingEDXMap(let e, let a):
            "--phase edx:\(e) needs an EDX map for \(e) (--edx \(e)=FILE); maps given: \(a.isEmpty ? "none" : a.joined(separator: ", "))"
        case .emptyField: "no scanned field left after removing the data bar"
        case .kernel(let why): why
        case .badMask(let file, let why): "\(file): \(why)"
        case .badModel(let file, let why): "\(file): \(why)"
        case .badLabels(let file, let why): "\(file): \(why)"
        case .badGeometry(let file, let why): "\(file): \(why)"
        }
    }

    /// Whether the message starts with the file it is about (a mask, model or label image),
    /// so a command must not prefix the micrograph's name.
    public var namesItsFile: Bool {
        switch self {
        case .badMask, .badModel, .badLabels, .badGeometry: true
        default: false
        }
    }
}

/// Everything measured on one micrograph, in px with µm conversions from the calibration.
public struct AnalysisResult: Sendable {
    /// The input micrograph.
    public var micrograph: Micrograph
    /// The analysed field (the raster without its data bar), px in the full raster.
    public var field: PixelRect
    /// The segmentation stage's record: phase mask (anode + dendrites), how it looks, how it was made and why.
    /// Its stage images (``PhaseSegmentation/texture``, ``PhaseSegmentation/rawPhase``,
    /// ``PhaseSegmentation/other``) are released once the dendrites are known; the segmenter's
    /// own record, kept by a caller that entered at the measurement stage, still holds them.
    public var segmentation: PhaseSegmentation
    /// The detected (or given) anode/electrolyte interface, field coordinates; nil when no anode layer is in view.
    public var interface: Interface?
    /// Why this interface (or none).
    public var interfaceReason: String
    /// The cathode composite, when one is in view (offset above the interface).
    public var cathode: CathodeLayer?
    /// Phase pieces isolated beyond the front and not counted as dendrites, if any.
    public var isolatedFragments: IsolatedFragments?
    /// Dendrite pixels: phase on the electrolyte side, specks removed; field coordinates. Kept one
    /// bit per pixel (``dendritesPacked``) and unpacked on each read: keep a copy to read it often.
    public var dendrites: BinaryMask {
        get { dendritesPacked.unpacked() }
        set { dendritesPacked = PackedMask(newValue) }
    }
    /// ``dendrites`` as kept, one bit per pixel (read in place, e.g. by the overlay).
    public var dendritesPacked: PackedMask
    /// Pruned skeleton of the dendrites, field coordinates. Kept one bit per pixel
    /// (``skeletonPacked``) and unpacked on each read.
    public var skeleton: BinaryMask {
        get { skeletonPacked.unpacked() }
        set { skeletonPacked = PackedMask(newValue) }
    }
    /// ``skeleton`` as kept, one bit per pixel.
    public var skeletonPacked: PackedMask
    /// Skeleton graph with widths, built on the ``graphWindow`` crop of the field.
    public var graph: SkeletonGraph
    /// Where the graph's pixel (0, 0) lies in the field, px (the dendrites' bounding box plus a margin).
    public var graphWindow: PixelRect
    /// One row per skeleton branch (`branches.csv`): positions in the full raster, with its deepest
    /// point beyond the interface and its region.
    public var branches: [SkeletonBranchRow]
    /// Penetration statistics (nil without an interface).
    public var penetration: PenetrationDepth?
    /// Depth of the dendrites rooted at the anode alone (zeros when none is; nil without an interface).
    public var connectedDepth: ConnectedDepth?
    /// One record per dendrite and the depths of the rooted ones (nil without an interface).
    public var dendriteInventory: DendriteInventory?
    /// Orientation of the dendrite structure relative to the interface.
    public var orientation: OrientationStatistics
    /// Components, holes and derived densities of the dendrite phase.
    public var connectivity: ConnectivityStatistics
    /// Dendrite area fraction of the dendrite zone (or of the field without an interface).
    public var areaFraction: Double
    /// Per-region measurements and labels.
    public var regions: [RegionResult]
    /// Dominant morphology of the dendrite zone.
    public var morphology: MorphologyDecision
    /// Agreement of the BSE segmentation with an In (or other) EDX map, if one was given.
    public var edxAgreement: [String: Double]
    /// Problems worth telling the user.
    public var warnings: [String]
    /// Why a person should check this image (empty: nothing doubtful was seen), each with the
    /// option that settles it.
    public var review: [String]
    /// Share of the interface hidden under dendrite bases (interpolated), nil without an interface.
    public var interfaceHiddenFraction: Double?
    /// RMS distance between the interface and the visible layer edge, px; nil without one.
    public var interfaceResidualPx: Double?
    /// Interface knots moved to the anode foil's grey edge (``SolidLayerEdge``); nil when it was
    /// not sought (no interface, a drawn interface, a mask, a dark phase).
    public var interfaceGreyEdgeKnots: Int?
    /// The largest of those moves toward the anode, px (0 when none moved); nil as above.
    public var interfaceGreyEdgeShiftPx: Double?
    /// Anode side auto, a layer beginning away from the edge: the grey behind it against the
    /// electrolyte's, in noise σ (``InterfaceDetection/backingContrastToNoise``); nil otherwise.
    public var interfaceBackingContrast: Double? = nil
    /// Anode side auto: each side's layer-continuity score (10th-percentile layer thickness, px); empty when given.
    public var sideScores: [AnodeSide: Double]
    /// Grey contrast between the phase and the rest of the field (``PhaseContrast``); nil when undefined.
    public var contrast: PhaseContrast?
    /// The anode layer when it has a grey of its own, not the phase's (``SubstrateLayer``: an
    /// electrode of another material or contrast); nil when the layer is of the phase or absent.
    public var interfaceSubstrate: SubstrateLayer? = nil
    /// Dark phase from a threshold: share of its pixels (after pore removal) in pieces not rooted
    /// at the anode; nil otherwise.
    public var darkUnrootedShare: Double?
    /// Phase auto from a grey threshold: the other grey rising from the edge of the layer the phase
    /// was chosen by, against (almost) none of the phase or against a faint phase
    /// (``SubstrateLayer/otherGreyOutgrowing(grey:phase:phaseIsBright:phaseContrastToNoise:otherThreshold:otherPhase:interface:parameters:)``);
    /// nil when it does not, or was not asked. The analysis then measures the other polarity.
    public var otherGreyOutgrowth: SubstrateLayer.Outgrowth? = nil
    /// The options used (their ``AnalysisOptions/parameters`` are the full parameter set).
    public var options: AnalysisOptions

    /// How the phase looks: `bright`, `dark`, `edx:In` or `unspecified`.
    public var phase: String { segmentation.appearance.description }
    /// Why this phase mask.
    public var phaseReason: String { segmentation.reason }
    /// Threshold applied (grey of the denoised image, or EDX counts); nil for a model or a mask.
    public var threshold: Double? { segmentation.method.threshold }
    /// Segmented phase (anode + dendrites), field coordinates.
    public var phaseMask: BinaryMask { segmentation.phase }
    /// Dendrite material reaches the cathode (when in view) or the far edge of the field; nil
    /// without an interface. Only counted material bridges: pieces isolated beyond a gap in the
    /// growth (``IsolatedFragments``) and unrooted dark pieces are set aside before this is
    /// decided. Unrooted Li-In bands are counted: in a section, a stripe's connection to the anode
    /// may lie outside the plane, but the bands fill the depth range without a gap.
    public var shortCircuit: Bool? { penetration?.shortCircuit }
    /// Dendrites touch the far edge of the field, so the depths are lower bounds; nil without an interface.
    public var depthTruncated: Bool? { penetration?.reachesFarEdge }
    /// The deepest dendrite pixel belongs to a piece not rooted at the anode; nil without an interface.
    public var maximumFromIsolatedPiece: Bool? {
        guard let all = penetration, let rooted = connectedDepth else { return nil }
        return all.maxPx > rooted.maxPx
    }
}

/// Orientation statistics of the dendrite phase relative to the interface (0° lateral, 90° vertical).
public struct OrientationStatistics: Sendable, Equatable {
    /// Dominant direction relative to the interface, degrees in [0, 180).
    public var dominantDegrees: Double
    /// Mean structure-tensor coherence over dendrite pixels, 0…1.
    public var coherence: Double
    /// Share of oriented dendrite pixels within 30° of lateral.
    public var lateralFraction: Double
    /// Share of oriented dendrite pixels within 30° of vertical.
    public var verticalFraction: Double
    /// Share of oriented dendrite pixels in 18 bins of 10° over [0, 180).
    public var histogram: [Double]
    /// Gradient scale σ, px.
    public var sigmaPx: Double
    /// Integration scale ρ, px.
    public var rhoPx: Double
    /// Pixels with a defined orientation.
    public var pixels: Int
}

/// Topology of the dendrite phase (8-connected phase, 4-connected background).
public struct ConnectivityStatistics: Sendable, Equatable {
    /// Connected dendrite components.
    public var components: Int
    /// Holes enclosed by the phase (components − Euler number).
    public var holes: Int
    /// Euler number.
    public var eulerNumber: Int
    /// Holes per 1000 µm² of dendrite zone; nil when uncalibrated.
    public var holeDensityPer1000SquareMicrometres: Double?
    /// Skeleton junctions per mm of skeleton; nil when uncalibrated.
    public var junctionDensityPerMillimetre: Double?
}

/// One region's box, measurements and label.
public struct RegionResult: Sendable {
    /// `bottom`, `middle`, `top`, `whole`, `r1c2`, or the name from a regions file.
    public var name: String
    /// Bounding box in the full raster, px.
    public var bboxPx: PixelRect
    /// The features the label was decided from.
    public var features: RegionFeatures
    /// The label, confidence and reason.
    public var morphology: MorphologyDecision
}

/// Runs the pipeline.
public enum DendriteAnalysis {
    /// Analyses an opened micrograph: prepare, segment with the segmenter the options
    /// name (``AnalysisOptions/segmenter``), then every later stage on its record.
    ///
    /// - Throws: ``AnalysisError`` for unusable options (e.g. `--phase edx:In` without an In map).
    public static func run(_ micrograph: Micrograph, options: AnalysisOptions = AnalysisOptions()) throws(AnalysisError) -> AnalysisResult {
        var clock = StageClock()
        defer { clock.finish() }
        let prepared = try prepare(micrograph, options: options, clock: &clock)
        let first = try options.segmenter.segment(prepared, parameters: options.parameters)
        clock.lap("segment")
        // The record's polarity, hypotheses and tie-break are what the tests of phase auto below
        // read; its images and the prepared field are handed to the measurement, which releases
        // them once the dendrites are known (peak memory). A test that segments again prepares
        // the field again (the same computation, so the same field).
        var segmentation = first
        segmentation.releaseDendriteStageImages()
        segmentation.phase = BinaryMask(width: 0, height: 0)
        var result = try measure(consume first, field: consume prepared, micrograph: micrograph, options: options, clock: &clock)
        guard case .automatic = options.segmentation, options.phase == .auto else { return result }
        var preparedAgain: PreparedField?
        func field() throws(AnalysisError) -> PreparedField {
            if let f = preparedAgain { return f }
            let f = try prepare(micrograph, options: options, clock: &clock)
            preparedAgain = f
            return f
        }
        // Phase auto, tested on the dendrites: the dendrite phase grows from the anode, so most of
        // its pieces are rooted there; a dark "phase" whose pieces mostly float in the electrolyte
        // is its pores and cracks (a dark threshold of a Li-In image).
        let limit = options.parameters.review.unrootedShare
        if segmentation.appearance == .dark, let share = result.darkUnrootedShare, share > limit {
            var bright = try ThresholdSegmenter(polarity: .bright, anode: options.anode).segment(try field(), parameters: options.parameters)
            bright.reason = bright.reason.replacingOccurrences(
                of: "bright phase (given)",
                with: String(format: "auto: the bright phase, since %.0f %% of the dark phase's pieces are not rooted at its layer", 100 * share))
            bright.hypotheses = segmentation.hypotheses(choosing: .bright, refuting: .dark,
                                                        because: String(format: "%.0f %% of its pieces are not rooted at its layer (pores, cracks)", 100 * share))
            var alternative = try measure(bright, field: try field(), micrograph: micrograph, options: options, clock: &clock)
            if alternative.interface != nil {
                alternative.warnings.append(String(format: "phase auto: the dark phase that forms an anode layer is %.0f %% pieces not rooted at it (pores, cracks of the electrolyte, not dendrites), so the bright phase (Li-In) was measured instead; say --phase dark if this is Li",
                                                   100 * share))
                return alternative
            }
            // The bright phase has no layer of its own: the dark phase stands, unless its layer grows
            // the bright grey (an electrode of another grey than the dendrites, tested next).
            guard result.otherGreyOutgrowth != nil else { return result }
        }
        // Phase auto, tested on what the hypothesis explains: the dendrite phase is the anode's
        // material and grows from it, so the polarity chosen must give an anode interface and,
        // when the other polarity's layer has dendrites rooted at it, some dendrites of its own.
        // A "layer" that gives no interface (too thin or broken along every edge) or has nothing
        // rising from it (a dark band along the field's edge: the mount, a scan artefact) loses
        // to the other polarity when that one gives an interface (with rooted dendrites, in the
        // second case), which is then measured. So does a layer that grows the other grey and almost
        // none of its own (``SubstrateLayer/Outgrowth``): an electrode of another grey than the
        // dendrites, chosen for its uniformity (third case, rooted dendrites needed as in the second).
        if segmentation.appearance == .dark || segmentation.appearance == .bright {
            let noInterface = result.interface == nil
            let nothingRises = result.interface != nil && result.dendritesPacked.area == 0
            let outgrown = !noInterface && !nothingRises ? result.otherGreyOutgrowth : nil
            if noInterface || nothingRises || outgrown != nil {
                let otherAppearance: PhaseAppearance = segmentation.appearance == .dark ? .bright : .dark
                var swapped = try ThresholdSegmenter(polarity: otherAppearance == .bright ? .bright : .dark, anode: options.anode)
                    .segment(try field(), parameters: options.parameters)
                let chosen = segmentation.appearance
                let why = noInterface ? "the \(chosen) phase's layer gives no anode interface along any edge"
                    : outgrown.map { o in
                        o.contrastsToNoise.map { String(format: "the %@ phase stands out from the rest of the field by only %.1f noise σ (its threshold picks the electrolyte's noise), the %@ phase rising from its layer by %.1f σ",
                                                        chosen.description, abs($0.phase), otherAppearance.description, abs($0.other)) }
                        ?? "the \(chosen) phase's layer grows \(o.otherRisingPx) px of \(otherAppearance) phase from its edge against \(o.phaseRisingPx) px of its own" }
                    ?? "nothing rises from the \(chosen) phase's layer"
                swapped.reason = swapped.reason.replacingOccurrences(of: "\(otherAppearance) phase (given)",
                                                                     with: "auto: the \(otherAppearance) phase, since \(why)")
                swapped.hypotheses = segmentation.hypotheses(choosing: otherAppearance, refuting: chosen, because: why)
                // Measured as if its polarity were given, so that its layer may also be an electrode
                // of another grey than it (``SubstrateLayer``): the chosen phase's own layer, with
                // nothing of that phase but this one rising from it.
                var swappedOptions = options
                swappedOptions.phase = otherAppearance == .bright ? .bright : .dark
                var alternative = try measure(swapped, field: try field(), micrograph: micrograph, options: swappedOptions, clock: &clock)
                alternative.options = options
                let rooted = alternative.dendriteInventory?.rootedArea ?? alternative.dendritesPacked.area
                if alternative.interface != nil && (noInterface || rooted > 0), let layer = alternative.interfaceSubstrate {
                    // Weaker evidence than a layer of the phase itself: a pristine anode with grains
                    // of the other grey along its edge would read the same way.
                    let layerGrey = layer.isBright ? "bright" : "dark"
                    // The winning hypothesis's anode is that layer (its score stays its own layer's
                    // uniformity share: none).
                    for i in alternative.segmentation.hypotheses.indices where alternative.segmentation.hypotheses[i].chosen {
                        alternative.segmentation.hypotheses[i].side = layer.side
                    }
                    alternative.review.append(String(format: "phase auto: %@, while %d px of %@ phase rise from the edge of a uniform %@ layer along the %@ edge: measured as %@ dendrites grown from an electrode of another grey (a collector they were plated on, or secondary-electron contrast); check on the overlay, or say --phase %@ if that layer is an anode of the %@ phase with nothing grown from it",
                                                     why, layer.risingPixels, otherAppearance.description, layerGrey, layer.side.rawValue,
                                                     otherAppearance.description, chosen.description, chosen.description))
                    return alternative
                }
                if alternative.interface != nil && (noInterface || rooted > 0) {
                    alternative.warnings.append("phase auto: the \(chosen) phase forms the more uniform layer, but \(why), while the \(otherAppearance) phase's layer gives an interface\(noInterface ? "" : " with dendrites rooted at it"), so the \(otherAppearance) phase was measured; say --phase if this is wrong")
                    if noInterface {
                        // Weaker evidence than dendrites rooted at the other layer: with the anode out of
                        // view, the layer left may be the mount or the electrolyte.
                        alternative.review.append("phase auto: the \(otherAppearance) phase was measured because \(why); if the anode is out of view its layer may be the mount or the electrolyte: check the interface on the overlay, or say --phase and --anode")
                    } else if outgrown != nil {
                        alternative.review.append("phase auto: the \(otherAppearance) phase was measured from its own layer because \(why); check the interface on the overlay, or say --phase and --anode")
                    }
                    return alternative
                }
                if outgrown != nil {
                    result.review.append("phase auto: \(why), but the \(otherAppearance) phase, measured, gave no interface with dendrites rooted at it: the dendrites may be \(otherAppearance), grown from an electrode of another grey; check on the overlay, or say --phase and --anode")
                }
            }
        }
        // A near tie of grey uniformity decided dark: the same test the other way round. A dendrite
        // phase grows from its layer, so when almost nothing rises from the dark layer (its rooted
        // dendrites less than review.alternativeGrowthShare of the bright dendrites beyond the
        // bright layer), that layer is the electrolyte beyond the front, the mount or a collector,
        // and the bright phase (Li-In), whose layer gives an interface, is measured. When both
        // grow, a person should say.
        if let tie = segmentation.polarityTieBreak, segmentation.appearance == .dark {
            let bright = try ThresholdSegmenter(polarity: .bright, anode: options.anode).segment(try field(), parameters: options.parameters)
            var probe = bright, brightField = try field()
            let other = try dendriteStage(&probe, field: &brightField, micrograph: micrograph, options: options, clock: &clock)
            let chosenRooted = result.dendriteInventory?.rootedArea ?? result.dendritesPacked.area
            let share = options.parameters.review.alternativeGrowthShare
            if other.detection.interface != nil, Double(chosenRooted) < share * Double(other.dendrites.area) {
                let why = String(format: "%@, and the dark layer has %d px of dendrites rooted at it against %d px of bright dendrites beyond the bright layer",
                                 tie, chosenRooted, other.dendrites.area)
                var swapped = bright
                swapped.reason = swapped.reason.replacingOccurrences(of: "bright phase (given)", with: "auto: the bright phase, since \(why)")
                swapped.hypotheses = segmentation.hypotheses(choosing: .bright, refuting: .dark, because: "almost nothing rises from its layer")
                var alternative = try measure(swapped, field: try field(), micrograph: micrograph, options: options, clock: &clock)
                if alternative.interface != nil {
                    alternative.warnings.append("phase auto: \(why): a dendrite phase grows from its layer, so the bright phase (Li-In) was measured; say --phase dark if this is Li")
                    return alternative
                }
            }
            // Both grow (or the bright phase, measured, gave no interface after all): a person should say.
            if other.detection.interface != nil, Double(other.dendrites.area) >= share * Double(chosenRooted) {
                result.review.append("phase auto: \(tie), and the bright phase's layer has dendrites rising from it too: Li-In or Li cannot be told apart; say --phase bright (Li-In) or --phase dark (Li)")
            }
        }
        // A near tie of grey uniformity decided bright: the dark hypothesis is refuted only if its
        // pieces are mostly unrooted; otherwise both stay possible and a person should say.
        if let tie = segmentation.polarityTieBreak, segmentation.appearance == .bright {
            var dark = try ThresholdSegmenter(polarity: .dark, anode: options.anode).segment(try field(), parameters: options.parameters)
            var darkField = try field()
            let other = try dendriteStage(&dark, field: &darkField, micrograph: micrograph, options: options, clock: &clock)
            // A dendrite phase grows from its layer: a dark layer with (almost) nothing rising from it
            // is the mount or a collector, not an anode.
            let chosenRooted = result.dendriteInventory?.rootedArea ?? result.dendritesPacked.area
            let grows = Double(other.dendrites.area) >= options.parameters.review.alternativeGrowthShare * Double(chosenRooted)
            if other.detection.interface != nil, let share = other.unrootedShare, share <= limit, grows {
                result.review.append("phase auto: \(tie), and the dark phase's pieces are rooted at its layer too (\(Int(saturating: (100 * (1 - share)).rounded())) %): Li-In or Li cannot be told apart; say --phase bright (Li-In) or --phase dark (Li)")
            }
        }
        return result
    }

    /// The prepare stage: the scanned field, scan lines corrected, denoised, EDX maps resampled.
    public static func prepare(_ micrograph: Micrograph, options: AnalysisOptions = AnalysisOptions()) throws(AnalysisError) -> PreparedField {
        var clock = StageClock()
        return try prepare(micrograph, options: options, clock: &clock)
    }

    static func prepare(_ micrograph: Micrograph, options: AnalysisOptions, clock: inout StageClock) throws(AnalysisError) -> PreparedField {
        let field = micrograph.scannedField
        guard !field.isEmpty else { throw .emptyField }
        let p = options.parameters.preparation
        // The field is cut from the samples as recorded (1 byte per pixel for 8-bit); the only
        // Float image made from them is the denoised one.
        let raster = micrograph.image
        let recorded = field == PixelRect(x: 0, y: 0, width: raster.width, height: raster.height) ? raster : raster.cropped(to: field)
        clock.lap("crop")
        // Scan-line streaks first (they would bridge dendrites sideways), then Gaussian noise: the
        // rows' offsets are measured, and subtracted as the blur reads each row.
        var offsets: [Float]?
        if p.correctScanLines {
            switch recorded {
            case .uint8(let i): offsets = scanLineOffsets(i)
            case .uint16(let i): offsets = scanLineOffsets(i)
            case .float32(let i): offsets = scanLineOffsets(i)
            }
        }
        clock.lap("scan lines")
        func denoised<P: PixelSample>(_ image: Image<P>) throws(FilterError) -> Image<Float> {
            if let offsets { return try gaussianBlur(image, sigma: p.denoiseSigmaPx, subtractingRowOffsets: offsets) }
            return try gaussianBlur(image, sigma: p.denoiseSigmaPx)
        }
        let smooth: Image<Float>
        do {
            switch recorded {
            case .uint8(let i): smooth = try denoised(i)
            case .uint16(let i): smooth = try denoised(i)
            case .float32(let i): smooth = try denoised(i)
            }
        } catch { throw .kernel(error.description) }
        clock.lap("denoise")
        var edx: [String: Image<Float>] = [:]
        for (element, map) in options.edxMaps {
            edx[element] = EDXMaps.resample(map, toWidth: field.width, height: field.height)
        }
        clock.lap("edx")
        return PreparedField(rect: field, rasterWidth: raster.width, rasterHeight: raster.height, recorded: recorded, denoised: smooth,
                             pixelSize: micrograph.calibration.pixelSize, edx: edx)
    }

    /// Every stage after segmentation, reading only the segmentation record (and the
    /// micrograph for its calibration): interface, cathode, dendrites, penetration,
    /// skeleton, orientation, connectivity, regions, labels.
    public static func measure(_ seg: PhaseSegmentation, field prepared: PreparedField, micrograph: Micrograph,
                               options: AnalysisOptions = AnalysisOptions()) throws(AnalysisError) -> AnalysisResult {
        var clock = StageClock()
        return try measure(seg, field: prepared, micrograph: micrograph, options: options, clock: &clock)
    }

    static func measure(_ seg: consuming PhaseSegmentation, field prepared: consuming PreparedField, micrograph: Micrograph,
                        options: AnalysisOptions, clock: inout StageClock) throws(AnalysisError) -> AnalysisResult {
        let parameters = options.parameters
        let field = prepared.rect
        let pixelSize = prepared.pixelSize
        let prunePx = parameters.skeleton.spurLengthPixels(pixelSize: pixelSize)

        // The stage releases the grey field once the interface is known and the record's stage
        // images once the cathode is (the caller's copies, if any, keep theirs).
        let stage = try dendriteStage(&seg, field: &prepared, micrograph: micrograph, options: options, clock: &clock)
        let darkPhase = seg.appearance.isDark
        // EDX agreement with the phase: the phase's last reader. From here on the record keeps it
        // one bit per pixel (the result's copy of it; its warnings come last, below).
        var agreement: [String: Double] = [:]
        var agreementWarnings = [String]()
        if case .edx = seg.appearance {} else {
            for (element, map) in prepared.edx {
                let dice = EDXMaps.agreement(phase: seg.phase, map: map)
                agreement[element] = dice
                // An In map confirms a Li-In (bright) segmentation; say so when it does not.
                if element.lowercased() == "in", seg.appearance != .dark, dice < parameters.threshold.edxMinimumAgreement {
                    agreementWarnings.append(String(format: "the In EDX map agrees poorly with the phase (Dice %.2f): check the segmentation or try --phase edx:In", dice))
                }
            }
        }
        seg.packPhase()
        var warnings = stage.warnings
        var review = stage.review
        let detection = stage.detection, dendrites = stage.dendrites, cathode = stage.cathode
        clock.lap("dendrite clean-up")
        // Skeleton and widths, computed on the dendrites' bounding box (plus a
        // margin of background) and pasted back into field coordinates. Thinning,
        // the distance transform (background exists inside the margin) and the
        // structure tensor (margin ≥ 3ρ) give the same values as on the full field.
        let margin = Int(saturating: (3 * parameters.orientation.rhoPx + 4 * parameters.orientation.sigmaPx).rounded(.up)) + 2
        let zone = (dendrites.boundingBox ?? PixelRect(x: 0, y: 0, width: 1, height: 1))
        let work = PixelRect(x: zone.x - margin, y: zone.y - margin, width: zone.width + 2 * margin, height: zone.height + 2 * margin)
            .clipped(toWidth: field.width, height: field.height)
        var sub = dendrites.cropped(to: work)
        var thinned = skeletonize(sub, method: parameters.skeleton.thinning)
        clock.lap("thinning")
        // Widths are the distance map read at skeleton pixels, and only there: it is computed at
        // the thinned skeleton's pixels (a superset of the pruned one's) alone, not as a dense map
        // (4 bytes per pixel of the zone).
        let widths: SampledDistances
        do { widths = try distanceTransform(sub, sampledAt: thinned) } catch { throw .kernel(error.description) }
        clock.lap("distance")
        // Spur pruning (ending with the graph of the pruned skeleton, widths and µm lengths
        // included) is sequential: it runs on one core while penetration, orientation and
        // connectivity, which do not read the skeleton, use the others.
        let pruning = BackgroundJob { [thinned] () throws -> (skeleton: BinaryMask, graph: SkeletonGraph) in
            try pruneSpursWithGraph(thinned, minimumLength: prunePx, widths: widths, pixelSize: pixelSize)
        }
        // The job holds the thinned skeleton now; the crop goes after its last reader below. Both
        // are zone-sized masks, gone before the full-size skeleton is pasted (peak memory).
        thinned = BinaryMask(width: 0, height: 0)
        func prunedSkeleton() throws(AnalysisError) -> (skeleton: BinaryMask, graph: SkeletonGraph) {
            do { return try pruning.wait() } catch { throw .kernel(String(describing: error)) }
        }
        // The dendrites' components and their pixels' depths (the per-dendrite table's first half,
        // which needs no skeleton), and from those depths the penetration.
        var penetration: PenetrationDepth?
        var components: DendriteComponents?
        if let interface = detection.interface {
            let bin = profileBinWidthPx(pixelSize: pixelSize, extent: Double(interface.side.extent(width: field.width, height: field.height)),
                                        bins: parameters.profile.binsAcrossField)
            let measured = DendriteComponents(dendrites, interface: interface, rootTolerancePx: parameters.dendrites.rootTolerancePx,
                                              cathodeOffsetPx: cathode?.offsetPx, cathodeContactPx: parameters.cathode.band.contactPx)
            penetration = PenetrationDepth.measure(samples: measured.depthSamples, interface: interface, binWidthPx: bin)
            components = measured
            if penetration!.dendritePixels == 0 { warnings.append("no dendrite phase on the electrolyte side of the interface") }
        }
        // Orientation and the regions' taper read only the interface's direction and which way is
        // away from the anode. With no anode layer in view but its side given (an anode beyond the
        // field's edge, as in a cut through the electrolyte alone), that is the given edge:
        // "lateral" is parallel to it, as it would be to the anode's own edge. Depths stay null.
        let frame = detection.interface ?? options.anode.map {
            Interface.straight(side: $0, width: field.width, height: field.height, v0: 0)
        }
        // Regions (they need only the interface and the maximum depth), then the orientation
        // relative to the interface, summed over the whole zone, the regions and the bands as the
        // structure tensor streams: no angle per pixel is kept.
        let regionMasks = RegionBuilder.regions(options.regions, field: field, interface: detection.interface,
                                                maxDepthPx: penetration?.maxPx ?? 0, pixelSize: pixelSize, warnings: &warnings)
        // The image's dominant morphology comes from the depth bands whatever regions the user asked
        // for: Li-In morphologies are layered by depth (network near the anode, stripes, flames at
        // the front), so halves or tiles each mix all three and would flip the image's label.
        var bandWarnings = [String]()
        let bandMasks = options.regions == .auto ? nil : RegionBuilder.regions(
            .auto, field: field, interface: detection.interface, maxDepthPx: penetration?.maxPx ?? 0,
            pixelSize: pixelSize, warnings: &bandWarnings)
        let orientationSets: [OrientationStatistics]
        do {
            orientationSets = try relativeOrientationStatistics(
                dendrites, interface: frame, parameters: parameters.orientation, within: work, crop: sub,
                regions: [nil] + regionMasks.map { $0 } + (bandMasks ?? []).map { $0 })
        } catch {
            _ = try? pruning.wait()
            throw error
        }
        // Connectivity.
        // The components were counted by the per-dendrite pass (same mask, 8-connected): only the
        // Euler number is left to count, on the crop that holds every dendrite pixel (a 2 × 2
        // window outside it holds no phase and counts nothing).
        let topo: ConnectivitySummary
        if let components {
            let euler = eulerNumber(sub)
            topo = ConnectivitySummary(components: components.labels.count, holes: components.labels.count - euler, eulerNumber: euler)
        } else {
            topo = connectivitySummary(dendrites)
        }
        sub = BinaryMask(width: 0, height: 0)
        let (subSkeleton, graph) = try prunedSkeleton()
        clock.lap("components and penetration, orientation, connectivity ‖ pruning and graph")
        // The pruned skeleton in field coordinates, one bit per pixel (no full-size byte mask).
        let skeleton = PackedMask(subSkeleton, at: (work.x, work.y), width: field.width, height: field.height)

        clock.lap("skeleton")
        // Dendrite by dendrite; the depths of the rooted ones alone.
        var inventory: DendriteInventory?
        if let components {
            inventory = DendriteInventory.measure(components, setAside: stage.setAside, graph: graph, graphOrigin: work)
        }
        let connected = inventory.map { $0.connected ?? ConnectedDepth(maxPx: 0, p95Px: 0, reachesCathodeOrFarEdge: false) }
        // Dendrites grow from the anode, so a section through them shows some attached to it. When
        // none is, the pieces are not dendrites (a particle or debris far from the layer), a gap
        // lies between them and the layer found (a shadow or charging along an electrode of
        // another contrast, when the nearest starts a few px beyond it), or the layer is not
        // their anode at all.
        if let inv = inventory, inv.rootedArea == 0,
           let nearest = inv.records.filter(\.counted).map(\.nearestOffsetPx).min() {
            review.append(String(format: "no dendrite is attached to the interface (the nearest starts %.1f px beyond it), while dendrites grow from their anode: the pieces may not be dendrites (particles, debris, electrolyte read as phase), a thin gap may separate them from the layer found (a shadow or charging along an electrode), or the layer is not their anode; depths are measured from the layer's edge and penetration.connected_max counts attached dendrites only (0 here): check the interface on the overlay, or draw it with --interface",
                                 nearest))
        } else if let inv = inventory,
                  let loose = inv.records.filter({ $0.counted && !$0.rooted }).map(\.nearestOffsetPx).min(),
                  let attached = inv.records.filter({ $0.counted && $0.rooted }).map(\.maxDepthPx).max(),
                  loose - attached > parameters.fragments.minimumGapPixels(pixelSize: pixelSize) {
            // What is attached ends before the rest of the phase begins, a gap wider than the one
            // that isolates a loose piece between them: the growth is not attached to this layer
            // either, only bumps of its edge are. A mount or a collector of the phase's grey found
            // along the edge, with the anode of another grey between it and the dendrites, reads so.
            review.append(String(format: "what is attached to the interface ends %.1f px beyond it, and the rest of the phase starts %.1f px beyond it, past a gap with nothing of the phase: dendrites grow from their anode, so the layer found may not be theirs (a mount or a collector of the phase's grey, with the anode of another grey between it and the dendrites), or a gap separates the growth from it; depths are measured from the layer's edge and penetration.connected_max counts attached dendrites only: check the interface on the overlay, or draw it with --interface",
                                 attached, loose))
        }
        if penetration?.shortCircuit == true, connected?.reachesCathodeOrFarEdge == false {
            review.append("short circuit: the phase reaches the cathode (or the far edge) only through pieces not connected to the anode in this section: check that they are dendrites and not electrolyte read as phase (say --phase, or give --mask or --model)")
        }
        if let p = penetration, let c = connected, p.maxPx > c.maxPx, p.p95Px > 0,
           p.maxPx > parameters.review.loosePieceMaximumOverP95 * p.p95Px {
            review.append(String(format: "the maximum depth (%.0f px) comes from a piece not connected to the anode, %.1f times the p95 depth (%.0f px): a growth front is continuous, so a loose piece that far beyond it may be debris, noise read as phase or a cathode particle; check it on the overlay (penetration.connected_max is the depth of what is rooted at the anode), leave it out with --exclude, or give --mask or --model",
                                 p.maxPx, p.maxPx / p.p95Px, p.p95Px))
        }
        clock.lap("dendrites")
        let zonePx = zoneArea(field: field, interface: detection.interface, maxDepthPx: penetration?.maxPx)
        let summary = graph.summary
        let skeletonMm = summary.lengthUm.map { $0 / 1000 }
        let connectivity = ConnectivityStatistics(
            components: topo.components, holes: topo.holes, eulerNumber: topo.eulerNumber,
            holeDensityPer1000SquareMicrometres: pixelSize.map { zonePx > 0 ? Double(topo.holes) / (Double(zonePx) * $0.areaSquareMicrometres) * 1000 : 0 },
            junctionDensityPerMillimetre: skeletonMm.map { $0 > 0 ? Double(summary.junctions) / $0 : 0 })
        let areaFraction = zonePx > 0 ? Double(dendrites.area) / Double(zonePx) : 0

        clock.lap("connectivity")
        // Regions and labels.
        let classifier = MorphologyClassifier(thresholds: parameters.morphology,
                                              orientationToleranceDegrees: parameters.orientation.toleranceDegrees)
        let statistics = orientationSets[0]
        let regionOrientation = Array(orientationSets[1 ..< 1 + regionMasks.count])
        let bandOrientation = Array(orientationSets[(1 + regionMasks.count)...])
        let skeletonPixelCount = subSkeleton.area
        let zoneGraph = RegionFeatureExtractor.ZoneGraph(
            graph: graph, origin: work, lengthPerPixel: skeletonPixelCount > 0 ? graph.totalLengthPx / Double(skeletonPixelCount) : 0)
        // Regions are measured independently of each other, so concurrently; each region's own
        // figures come from one thread, so they do not depend on the number of threads.
        func classified(_ masks: [RegionMask], _ orientation: [OrientationStatistics]) -> [RegionResult] {
            parallelBandResults(masks.count, minimumPerBand: 1, initial: { [RegionResult]() }) { range, results in
                for k in range { results.append(result(masks[k], orientation[k])) }
            }.flatMap { $0 }
        }
        func result(_ region: RegionMask, _ orientation: OrientationStatistics) -> RegionResult {
            let features = RegionFeatureExtractor.features(
                region: region, dendrites: dendrites, skeleton: skeleton, widths: widths, widthWindow: work,
                graph: zoneGraph, orientation: orientation,
                interface: frame, pixelSize: pixelSize, darkPhase: darkPhase)
            var box = region.bbox
            box.x += field.x; box.y += field.y
            return RegionResult(name: region.name, bboxPx: box, features: features, morphology: classifier.classify(features))
        }
        let regions = classified(regionMasks, regionOrientation)
        let branchRows = BranchPlacement.rows(graph: graph, window: work, field: field, interface: detection.interface,
                                              regions: regionMasks)
        let dominant = bandMasks.map { dominantMorphology(classified($0, bandOrientation)) } ?? dominantMorphology(regions)

        clock.lap("regions")
        if seg.phaseMayIncludePores, detection.interface != nil, dominant.label != .none,
           statistics.lateralFraction > parameters.review.lateralDarkShare {
            review.append(String(format: "dark phase: %.0f %% of it runs parallel to the interface, while Li whiskers grow perpendicular to it: lateral dark lines are probably cracks or grain boundaries joined to the whiskers and counted with them; check on the overlay, or give --mask or --model",
                                 100 * statistics.lateralFraction))
        }
        warnings += agreementWarnings

        return AnalysisResult(
            micrograph: micrograph, field: field, segmentation: seg, interface: detection.interface,
            interfaceReason: detection.explanation, cathode: cathode, isolatedFragments: stage.fragments, dendritesPacked: PackedMask(dendrites), skeletonPacked: skeleton, graph: graph,
            graphWindow: work, branches: branchRows,
            penetration: penetration, connectedDepth: connected, dendriteInventory: inventory, orientation: statistics, connectivity: connectivity, areaFraction: areaFraction,
            regions: regions, morphology: dominant, edxAgreement: agreement, warnings: warnings, review: review,
            interfaceHiddenFraction: detection.interface == nil ? nil : detection.hiddenFraction,
            interfaceResidualPx: detection.interface == nil ? nil : detection.edgeResidualPx,
            interfaceGreyEdgeKnots: detection.greyEdge?.movedKnots, interfaceGreyEdgeShiftPx: detection.greyEdge?.largestShiftPx,
            interfaceBackingContrast: detection.backingContrastToNoise,
            sideScores: options.anode == nil ? detection.sideScores : [:],
            contrast: stage.contrast, interfaceSubstrate: stage.substrate,
            darkUnrootedShare: stage.unrootedShare, otherGreyOutgrowth: stage.outgrowth, options: options)
    }

    /// What the interface and dendrite stages decided, before anything is measured.
    struct DendriteStage {
        var detection: InterfaceDetection
        var dendrites: BinaryMask
        var cathode: CathodeLayer?
        var fragments: IsolatedFragments?
        /// Phase pieces removed from the dendrites (isolated fragments, unrooted dark pieces);
        /// nil when none was (no field-sized mask of zeros is kept through the later stages).
        var setAside: BinaryMask?
        var unrootedShare: Double?
        /// The phase's contrast against the rest of the field (nil: not measurable).
        var contrast: PhaseContrast?
        /// The anode layer when it is of another grey than the phase (nil: of the phase's).
        var substrate: SubstrateLayer?
        /// Phase auto: the other grey outgrowing the phase from the phase's own layer (nil: it does not).
        var outgrowth: SubstrateLayer.Outgrowth?
        var warnings: [String]
        var review: [String]
    }

    /// Interface, cathode and the dendrite clean-up (specks, pores, unrooted dark pieces,
    /// isolated fragments): the dendrite pixels every measurement is made on.
    /// Nothing after the interface reads the grey field (`prepared.denoised`, shared by the record's
    /// texture): it is released there, before the electrolyte side's and the cathode's masks are
    /// made; nothing after the cathode reads the other stage images (raw phase, other), released
    /// there, before the clean-up allocates.
    static func dendriteStage(_ seg: inout PhaseSegmentation, field prepared: inout PreparedField, micrograph: Micrograph,
                              options: AnalysisOptions, clock: inout StageClock) throws(AnalysisError) -> DendriteStage {
        let parameters = options.parameters
        var warnings = micrograph.warnings + seg.warnings
        var review = seg.review
        let field = prepared.rect
        let pixelSize = prepared.pixelSize
        // A phase thresholded from the denoised grey also loses the noise's own blobs; a mask,
        // a model or an EDX map keeps what its maker drew or found down to the area floor.
        let speckPx: Int
        if case .threshold = seg.method {
            speckPx = parameters.dendrites.minimumAreaPixels(pixelSize: pixelSize, denoiseSigmaPx: parameters.preparation.denoiseSigmaPx)
        } else {
            speckPx = parameters.dendrites.minimumAreaPixels(pixelSize: pixelSize)
        }
        var detection: InterfaceDetection
        if let given = options.givenInterface {
            detection = try given.detection(phase: seg.phase, field: field, side: options.anode, pixelSize: pixelSize,
                                            minimumAnodePhaseShare: parameters.anodeLayer.minimumGivenLayerPhaseShare, review: &review)
        } else {
            detection = InterfaceDetector.detect(in: seg.phase, side: options.anode, parameters: parameters.interfaceParameters(pixelSize: pixelSize))
            if options.anode == nil {
                detection = layerOfTheRootsMaterial(detection, phase: seg.phase, grey: prepared.denoised,
                                                    parameters: parameters, pixelSize: pixelSize, review: &review)
            }
        }
        // With the side given, a layer of another grey is taken without the rising share the side
        // found automatically needs (SubstrateLayer.swift): stripes lie loose beyond their electrode,
        // but so does phase over the mount or a collector with the anode out of view. Said when short
        // (not for a band on a collector of the phase's grey, whose layer along that edge bears the
        // side out).
        func reviewLooseBeyond(_ layer: SubstrateLayer) {
            let share = Double(layer.risingPixels) / Double(max(1, layer.phaseBeyondPixels))
            guard options.anode != nil, share < parameters.anodeLayer.substrate.minimumRisingShare else { return }
            review.append(String(format: "the anode was taken to be a layer of another grey along the %@ edge, but only %.0f %% of the phase beyond it rises from it (with the side found automatically %.0f %% is asked): stripes lie loose beyond their electrode, but so does phase over the mount or a collector with the anode out of view; check the interface on the overlay, or draw it with --interface",
                                 layer.side.rawValue, 100 * share, 100 * parameters.anodeLayer.substrate.minimumRisingShare))
        }
        var substrate: SubstrateLayer?
        // Takes a layer of another grey as the anode (`onCollector`: a band on a layer of the
        // phase's grey); `warning` says why.
        func takeSubstrate(_ found: (layer: SubstrateLayer, detection: InterfaceDetection), onCollector: Bool, warning: String) {
            let layer = found.layer
            substrate = layer
            detection = found.detection
            detection.explanation = String(format: "anode at the %@: %@ of its own grey (%@ than the phase, grey spread %.3f)%@ with %d px of phase rising from its edge",
                                           layer.side.rawValue, onCollector ? "a band" : "a layer", layer.isBright ? "brighter" : "darker", layer.greySpread,
                                           onCollector ? " on a layer of the phase's grey," : "", layer.risingPixels)
            warnings.append(warning)
        }
        // The phase given bright or dark but leaving no layer: an anode or substrate of its own grey
        // with the phase rising from it (``SubstrateLayer``), for a grey threshold (a mask, a model
        // or an EDX map marks the anode as the phase).
        if detection.interface == nil, options.givenInterface == nil, options.phase == .bright || options.phase == .dark,
           case .threshold = seg.method, let bright = seg.greySegmentationIsBright,
           let found = SubstrateLayer.find(grey: prepared.denoised, phase: seg.phase, phaseIsBright: bright, side: options.anode,
                                           parameters: parameters, pixelSize: pixelSize) {
            let layer = found.layer
            takeSubstrate(found, onCollector: false, warning: String(format: "the phase forms no layer along the %@ edge, but a uniform %@ layer (%.0f px, grey spread %.3f of the grey range) lies there with %d px of phase rising from its edge: it is taken as the electrode the dendrites grew from, of another material or contrast than they (a collector they were plated on, secondary-electron contrast), and the interface is its edge; if it is not, draw the interface with --interface, or set anodeLayer.substrate.enabled = false",
                                                                  layer.side.rawValue, layer.isBright ? "bright" : "dark", layer.thicknessPx, layer.greySpread, layer.risingPixels))
            // With the side not given, the layer of another grey may also be the mount or the
            // cathode's collector on the far side, reached by dendrites grown from an anode out of view.
            if options.anode == nil {
                review.append("anode side auto: the anode was taken to be a layer of another grey than the phase, along the \(layer.side.rawValue) edge; if that is the mount or the cathode's collector on the far side (the anode out of view), say --anode SIDE, or draw the interface with --interface")
            }
            reviewLooseBeyond(layer)
        }
        // The phase's layer found, but nothing of the phase rising from it, while a uniform band
        // of the other grey lies beyond it with the phase rising from its far edge: a collector of
        // the phase's grey under an anode of another (``SubstrateLayer/beyondCollector``).
        if substrate == nil, options.givenInterface == nil, case .threshold = seg.method,
           let bright = seg.greySegmentationIsBright, let layerFound = detection.interface,
           let found = SubstrateLayer.beyondCollector(grey: prepared.denoised, phase: seg.phase, phaseIsBright: bright, layer: layerFound,
                                                      sideGiven: options.anode != nil, parameters: parameters, pixelSize: pixelSize) {
            let layer = found.layer
            takeSubstrate(found, onCollector: true, warning: String(format: "nothing of the phase rises from its layer along the %@ edge, but a uniform %@ band (%.0f px from the edge, grey spread %.3f of the grey range) lies beyond it with %d px of phase rising from its far edge: it is taken as the anode, of another grey than the dendrites, on a collector of their grey, and the interface is its far edge; if it is not, draw the interface with --interface, or set anodeLayer.substrate.enabled = false",
                                                                 layer.side.rawValue, layer.isBright ? "bright" : "dark", layer.thicknessPx, layer.greySpread, layer.risingPixels))
        }
        // The phase given and its layer found, but nothing of it at the layer's edge while the
        // other grey rises from there: the phase was probably given the wrong way round. (Only
        // when the user gave it: phase auto's swapped polarity carries its hypotheses and is
        // judged by the swap itself.)
        if substrate == nil, options.givenInterface == nil, options.phase == .bright || options.phase == .dark,
           seg.hypotheses.isEmpty, case .threshold = seg.method, let bright = seg.greySegmentationIsBright, let interface = detection.interface,
           let rising = SubstrateLayer.otherGreyRising(grey: prepared.denoised, phase: seg.phase, phaseIsBright: bright,
                                                       interface: interface, parameters: parameters) {
            let given = bright ? "bright" : "dark", other = bright ? "dark" : "bright"
            review.append("--phase \(given): nothing of the \(given) phase lies at its layer's edge, while \(rising) px of \(other) phase rise from it as dendrites grow from their anode: the dendrites are probably \(other) (say --phase \(other), or --phase auto)")
        }
        var contrast: PhaseContrast?
        var foilLeavesUnderMesh = false
        if options.givenInterface == nil, substrate == nil, let interface = detection.interface, let bright = seg.greySegmentationIsBright {
            contrast = PhaseContrast.measure(prepared.denoised, phase: seg.phase)
            if let electrolyte = contrast?.restMedian,
               let refined = SolidLayerEdge.refine(interface, grey: prepared.denoised, phaseIsBright: bright, electrolyteGrey: electrolyte,
                                                   windowFraction: parameters.interface.windowFraction, parameters: parameters.anodeLayer.greyEdge) {
                detection.greyEdge = (refined.movedKnots, refined.largestShiftPx)
                if refined.movedKnots > 0 {
                    detection.interface = refined.interface
                    warnings.append(String(format: "the anode layer's edge was placed by its grey at %d of %d interface knots, up to %.0f px nearer the anode than the edge of the phase's layer: a dense mesh of phase on the anode (network, stripes) reads as solid layer in the phase; check the interface on the overlay, draw it with --interface, or keep the phase's layer with anodeLayer.greyEdge.enabled = false",
                                           refined.movedKnots, interface.knotsU.count, refined.largestShiftPx))
                }
                if refined.carriedKnots > 0, let last = refined.lastKnotInView {
                    // Those knots show no edge of the foil: they count as hidden for the review.
                    let share = Double(refined.carriedKnots) / Double(interface.knotsU.count)
                    detection.hiddenFraction = max(detection.hiddenFraction, share)
                    foilLeavesUnderMesh = true
                    warnings.append(String(format: "under the mesh of phase at %d of %d interface knots at one end of the %@ edge no row has the anode foil's grey (found under the mesh elsewhere) down to the field's edge: the foil leaves the field there (a section cut or mounted at an angle), and the interface is carried on beyond (%.0f, %.0f) px along the line of the knots in view; check it on the overlay, or draw it with --interface",
                                           refined.carriedKnots, interface.knotsU.count, interface.side.rawValue,
                                           last.x + Double(field.x), last.y + Double(field.y)))
                }
            }
        }
        // The grey field's last readers: the contrast of the phase against the rest and the
        // cathode's bands in the raw phase and in the texture (they need only the interface). From
        // here on only masks are read, so the grey field (4 bytes per pixel), shared by the
        // record's texture, goes now, before the electrolyte side's and the cathode's masks are made.
        if contrast == nil { contrast = PhaseContrast.measure(prepared.denoised, phase: seg.phase) }
        // Side auto: what lies behind a layer that begins away from the edge.
        if options.givenInterface == nil, options.anode == nil, substrate == nil, let interface = detection.interface,
           let noise = contrast?.restNoise, noise > 0,
           let backing = AnodeLayerGrey.backing(grey: prepared.denoised, side: interface.side, layerStartPx: detection.layerStartPx,
                                                minimumBackingPx: parameters.interfaceParameters(pixelSize: pixelSize).minimumBackingPx),
           let electrolyte = AnodeLayerGrey.measure(phase: seg.phase, grey: prepared.denoised, interface: interface,
                                                    rootBandPx: parameters.anodeLayer.rootBandFraction * Double(interface.side.extent(width: field.width, height: field.height)))?.electrolyteGrey {
            let contrastToNoise = (backing.grey - electrolyte) / noise
            detection.backingContrastToNoise = contrastToNoise
            if abs(contrastToNoise) <= parameters.review.backingSameGreyNoiseWidths {
                review.append(String(format: "anode side auto: the %@ layer begins %d px from the edge, behind material of the electrolyte's own grey (%.1f noise σ from it): a mount or a current collector behind an anode has a grey of its own (resin far darker, steel far brighter), so this layer may be a band of phase within the electrolyte, with the anode elsewhere or out of view; check the interface on the overlay, or say --anode SIDE",
                                     interface.side.rawValue, backing.medianStartPx, abs(contrastToNoise)))
            }
        }
        // Phase auto chose the phase by its layer: when that layer grows the other grey and almost
        // none of its own, or the phase hardly stands out from the electrolyte's noise while the
        // other grey, not faint, rises from the layer too, the layer is an electrode of
        // another grey and the other grey the dendrites (read by ``run(_:options:)``, which then
        // measures the other polarity).
        var outgrowth: SubstrateLayer.Outgrowth?
        if substrate == nil, options.givenInterface == nil, options.phase == .auto, case .threshold = seg.method,
           let bright = seg.greySegmentationIsBright, let otherThreshold = seg.otherPolarityThreshold, let interface = detection.interface {
            let otherSegmenter = ThresholdSegmenter(polarity: bright ? .dark : .bright, anode: options.anode)
            outgrowth = SubstrateLayer.otherGreyOutgrowing(grey: prepared.denoised, phase: seg.phase, phaseIsBright: bright,
                                                           phaseContrastToNoise: contrast?.contrastToNoise, otherThreshold: otherThreshold,
                                                           otherPhase: { try? otherSegmenter.segment(prepared, parameters: parameters).phase },
                                                           interface: interface, parameters: parameters)
        }
        let rawCathode = detection.interface.flatMap { rawPhaseCathodeCandidate(seg, interface: $0, parameters: parameters) }
        let textureCathode = detection.interface.flatMap { textureCathodeCandidate(seg, interface: $0, parameters: parameters) }
        prepared.denoised = Image(width: 0, height: 0, pixels: [])
        seg.texture = Image(width: 0, height: 0, pixels: [])
        seg.rawPhase = nil
        clock.lap("interface")
        if detection.interface != nil, options.anode == nil, options.givenInterface == nil {
            let ranked = detection.sideScores.sorted { $0.value > $1.value }
            // (When the layer-material rule chose a thinner layer, thickness did not decide.)
            if ranked.count >= 2, detection.side.flatMap({ detection.sideScores[$0] }) == ranked[0].value, ranked[1].value > 0, ranked[1].value >= parameters.review.sideAmbiguityRatio * ranked[0].value {
                review.append(String(format: "anode side auto: the %@ layer (%.0f px) is hardly more continuous than the %@ one (%.0f px); say --anode SIDE",
                                     ranked[0].key.rawValue, ranked[0].value, ranked[1].key.rawValue, ranked[1].value))
            }
            // Phase auto found the phase's own layer (read at the threshold that singles out the
            // phase) along another edge than the one the interface was drawn along (the thickest
            // layer at the final threshold, which may take a collector or the mount in too).
            if let chosen = seg.hypotheses.first(where: { $0.chosen && $0.appearance == seg.appearance }),
               let layerSide = chosen.side, let side = detection.side, layerSide != side {
                review.append("anode side auto: the phase's own layer, found when the phase was chosen, lies along the \(layerSide.rawValue) edge, but the interface was drawn along the \(side.rawValue) edge, where the threshold's layer is thicker; one of them may be a current collector or the mount: check the interface on the overlay, or say --anode SIDE")
            }
        }
        if let interface = detection.interface, let residual = detection.edgeResidualPx {
            let extent = Double(interface.side.extent(width: field.width, height: field.height))
            if residual > parameters.review.edgeResidualFraction * extent {
                review.append(String(format: "the layer's visible edge departs from the interface by %.0f px (RMS, %.1f %% of the field's depth): an anode's edge is a smooth line, so the layer found may not be the anode (the electrolyte, the mount, or an anode out of view); check the interface on the overlay, say --anode SIDE and --phase, or give --mask",
                                     residual, 100 * residual / extent))
            }
        }
        // A detected interface that turns more sharply than the detector's own waviness allows
        // (InterfaceTurn.swift) steps from the foil's edge onto something else.
        if options.givenInterface == nil, let interface = detection.interface, let turn = interface.sharpestTurn,
           let limit = parameters.interface.smoothEdgeTurnLimitDegrees(length: interface.side.length(width: field.width, height: field.height)),
           turn.degrees > limit {
            let at = interface.pointsPx[turn.knot]
            review.append(String(format: "the interface turns by %.0f° at (%.0f, %.0f) px, more than an anode's smooth edge turns between neighbouring stretches (at most %.0f° with the waviness the fit allows): on one side of that point it lies on something else than the foil's edge (the top of a dense mesh of phase, a foil that leaves the field, the mount), and depths near it are off by up to that step; check the interface on the overlay, draw it with --interface, or give --mask",
                                 turn.degrees, at[0] + Double(field.x), at[1] + Double(field.y), limit))
        }
        if detection.interface != nil, let share = detection.leavingLayerShare, let side = detection.side {
            warnings.append(String(format: "the anode layer is in view along %.0f %% of the %@ edge and thins away out of the field beyond it (a section cut or mounted at an angle): the interface is carried on beyond it along the direction the edge has where it is last seen; check it on the overlay, or draw it with --interface",
                                   100 * share, side.rawValue))
        }
        if detection.interface != nil, detection.hiddenFraction >= parameters.review.hiddenEdgeFraction {
            let hiddenBy = detection.leavingLayerShare == nil && !foilLeavesUnderMesh ? "under dendrite bases" : "under dendrite bases or out of the field"
            review.append(String(format: "the anode's edge is hidden %@ along %.0f %% of the interface, where it is drawn from the visible parts: check the interface on the overlay, or give a --mask of the anode and dendrites",
                                 hiddenBy, 100 * detection.hiddenFraction))
        }
        var dendrites: BinaryMask
        var cathode: CathodeLayer?
        var fragments: IsolatedFragments?
        var unrootedShare: Double?
        var setAside: BinaryMask?
        func setAsideAdding(_ removed: BinaryMask) {
            if setAside == nil { setAside = removed } else { setAside!.formUnion(removed) }
        }
        if let interface = detection.interface {
            dendrites = interface.electrolyteSide(of: seg.phase)
            clock.lap("electrolyte side")
            cathode = locateCathode(seg, rawCandidate: rawCathode, textureCandidate: textureCathode, interface: interface, electrolyteSide: dendrites,
                                    parameters: parameters, warnings: &warnings)
            clock.lap("cathode")
            if let c = cathode {
                dendrites = dendrites.removingOffsets(atOrBeyond: c.offsetPx, from: interface)
                let labels = labelComponents(dendrites, connectivity: .eight)
                let fringe = max(parameters.cathode.fringeMinimumPx, parameters.cathode.fringeFraction * c.offsetPx)
                dendrites = dendrites.removingCathodeFringe(offsetPx: c.offsetPx, fringePx: fringe,
                                                            interface: interface, labels: labels.labels,
                                                            componentCount: labels.components.count,
                                                            contactPx: parameters.cathode.band.contactPx)
                warnings.append(String(format: "cathode composite in view from %.0f px above the interface; excluded from the dendrites", c.offsetPx))
                let extent = Double(interface.side.extent(width: field.width, height: field.height))
                if c.offsetPx < parameters.review.cathodeNearInterfaceFraction * extent {
                    review.append(String(format: "a cathode band was found only %.0f px from the interface, so almost no phase is left as dendrites: a dense network or stripes can read as cathode speckle; check, or give --mask or --model", c.offsetPx))
                }
            }
        } else {
            warnings.append("no anode layer found: \(detection.explanation); depth fields are null and orientation is measured relative to \(options.anode.map { "the given \($0.rawValue) edge" } ?? "the image x axis"); \(Self.noLayerRemedy(givenSide: options.anode))")
            review.append("no anode layer found, so no depth: \(Self.noLayerRemedy(givenSide: options.anode))")
            dendrites = seg.phase
        }
        // The stage images (the raw phase, the other classes) have had their last reader.
        seg.releaseDendriteStageImages()
        if let excluded = options.excludedAreas {
            let area = try excluded.mask(field: field, rasterWidth: micrograph.image.width, rasterHeight: micrograph.image.height)
            let before = dendrites.area
            dendrites = dendrites.subtracting(area)
            warnings.append("\(before - dendrites.area) px of phase in the areas of --exclude \(excluded.source) not counted as dendrites")
        }
        do { dendrites = try removeSmallObjects(dendrites, minimumArea: speckPx) } catch { throw .kernel(error.description) }
        if seg.phaseMayIncludePores {
            // Pores of the electrolyte are as dark as Li: drop compact components; needles are long.
            let limit = parameters.dendrites.poreSizePixels(pixelSize: pixelSize)
            let before = dendrites.area
            dendrites = removeCompactComponents(dendrites, maximumExtentPx: limit)
            if dendrites.area < before {
                warnings.append("dark phase: \(before - dendrites.area) px in compact dark blobs (< \(limit) px across, electrolyte pores) not counted as dendrites")
            }
            if parameters.dendrites.darkPhaseRootedOnly, let interface = detection.interface {
                let kept = keepingRooted(dendrites, interface: interface, tolerancePx: parameters.dendrites.rootTolerancePx)
                unrootedShare = Double(kept.removedPixels) / Double(max(1, dendrites.area))
                if kept.removedPixels > 0 {
                    if Double(kept.removedPixels) > parameters.review.unrootedShare * Double(dendrites.area) {
                        review.append(String(format: "dark phase: %.0f %% of the dark pieces are not rooted at the anode (pores, cracks, grain boundaries, or Li whose roots are out of the section): check, or give --mask or --model",
                                             100 * Double(kept.removedPixels) / Double(max(1, dendrites.area))))
                    }
                    setAsideAdding(dendrites.subtracting(kept.mask))
                    dendrites = kept.mask
                    warnings.append("dark phase: \(kept.removedPixels) px in \(kept.removedComponents) dark pieces not rooted at the anode (pores, cracks, grain boundaries are as dark as Li) not counted as dendrites; give --mask or --model to count them")
                }
            }
            if parameters.dendrites.separateCracks, parameters.dendrites.darkPhaseRootedOnly, let interface = detection.interface {
                let (kept, removed) = try separatingCracks(dendrites, interface: interface, orientation: parameters.orientation,
                                                           dendrites: parameters.dendrites)
                if removed > 0 {
                    setAsideAdding(dendrites.subtracting(kept))
                    warnings.append("dark phase: \(removed) px of crack-like material (running sideways, joined to the whiskers only through it) not counted as Li; keep it with dendrites.separateCracks = false")
                    dendrites = kept
                }
            }
            if parameters.dendrites.separateTipCracks, parameters.dendrites.darkPhaseRootedOnly, let interface = detection.interface {
                let (kept, removed) = try separatingTipCracks(dendrites, interface: interface, dendrites: parameters.dendrites)
                if removed > 0 {
                    setAsideAdding(dendrites.subtracting(kept))
                    warnings.append("dark phase: \(removed) px of cracks carrying on from thin whisker tips (wider than the tip they start from) not counted as Li; keep them with dendrites.separateTipCracks = false")
                    dendrites = kept
                }
            }
        }

        if parameters.fragments.remove, let interface = detection.interface {
            let f = parameters.fragments
            let (kept, isolated) = dendrites.removingIsolatedFragments(
                interface: interface, minimumGapPx: f.minimumGapPixels(pixelSize: pixelSize), gapFraction: f.gapFraction, maximumShare: f.maximumShare)
            if let isolated {
                review.append("isolated pieces of phase beyond the growth front were not counted as dendrites (see warnings): check them on the overlay")
                setAsideAdding(dendrites.subtracting(kept))
                dendrites = kept
                let um = { (px: Double) in pixelSize.map { String(format: " (%.1f µm)", px * $0.micrometres) } ?? "" }
                warnings.append(String(format: "%d isolated piece%@ of phase (%d px) from %.0f to %.0f px above the interface%@, beyond a gap after the growth front at %.0f px%@, not counted as dendrites; check them, or keep them with fragments.remove = false",
                                       isolated.components, isolated.components == 1 ? "" : "s", isolated.pixels, isolated.firstOffsetPx,
                                       isolated.farthestOffsetPx, um(isolated.farthestOffsetPx), isolated.reachPx, um(isolated.reachPx)))
            }
            fragments = isolated
        }

        if seg.phaseMayIncludePores, detection.interface != nil, dendrites.area > 0,
           let setAside, Double(setAside.area) > parameters.review.looseDarkShare * Double(dendrites.area) {
            review.append(String(format: "dark phase: the electrolyte holds %.0f %% as much loose dark material (cracks, pores, grain boundaries of Li's grey, pieces of faint whisker tips) as the whiskers; where such features touch a whisker they are counted with it (max and p95 too deep), and a faint tip broken into pieces at the noise level is set aside with them (too shallow): check on the overlay, or give --mask or --model (whiskers only a few px wide keep more of their faint tips with a smaller --denoise-sigma, e.g. 0.7)",
                                 100 * Double(setAside.area) / Double(dendrites.area)))
        }
        return DendriteStage(detection: detection, dendrites: dendrites, cathode: cathode, fragments: fragments,
                             setAside: setAside, unrootedShare: unrootedShare,
                             contrast: contrast, substrate: substrate, outgrowth: outgrowth,
                             warnings: warnings, review: review)
    }

    /// The cathode band: a speckled composite shows as phase texture (in a threshold's raw
    /// phase, which cannot tell cathode particles from dendrites, or in the pixels the
    /// segmenter knows are something else, e.g. a model's class 3) or as grey texture; the
    /// band nearest the interface wins. A mask or model phase is not searched for cathode
    /// speckle: it marks the dendrite phase only, and a dense network would read as speckle.
    ///
    /// A candidate whose phase is mostly one mesh with the dendrites rooted at the anode
    /// (``AnalysisParameters/Cathode/maximumRootedShare``, measured on `electrolyteSide`, the phase
    /// beyond the interface) is a dense dendrite network, not the composite: it is dropped, with a warning.
    static func locateCathode(_ seg: PhaseSegmentation, rawCandidate: CathodeLayer?, textureCandidate: CathodeLayer?, interface: Interface,
                              electrolyteSide: BinaryMask, parameters: AnalysisParameters, warnings: inout [String]) -> CathodeLayer? {
        let p = parameters.cathode
        var found = [CathodeLayer]()
        if let c = rawCandidate { found.append(c) }
        if let other = seg.other, let c = CathodeDetector.detect(in: other, interface: interface, parameters: p.band) { found.append(c) }
        if let c = textureCandidate { found.append(c) }
        guard !found.isEmpty else { return nil }
        // The components and their nearest offsets, for the rooted-share test (not a mask's).
        var rooting: (labels: [Int32], nearest: [Double])?
        func components() -> (labels: [Int32], nearest: [Double]) {
            if let rooting { return rooting }
            let labels = labelComponents(electrolyteSide, connectivity: .eight)
            let made = (labels.labels, interface.componentOffsets(labels: labels.labels, componentCount: labels.components.count).nearest)
            rooting = made
            return made
        }
        var kept = [CathodeLayer]()
        for c in found {
            // A user's mask marks the dendrites, not the cathode's particles: the band's only phase
            // is whatever dendrites reach it, all rooted, so the rooted share cannot judge it; how
            // much of the band the mask covers can (cathode.maximumMaskShare).
            if case .mask = seg.method {
                let share = c.phaseShare(of: electrolyteSide, interface: interface)
                if share > p.maximumMaskShare {
                    warnings.append(String(format: "a speckled band from %.0f px above the interface was not taken for the cathode: the mask's phase covers %.0f %% of it (a dense dendrite network, not cathode particles)",
                                           c.offsetPx, 100 * share))
                } else {
                    kept.append(c)
                }
                continue
            }
            let (labels, nearest) = components()
            let share = c.rootedShare(labels: labels, nearestOffsets: nearest, interface: interface,
                                      rootTolerancePx: parameters.dendrites.rootTolerancePx)
            if share > p.maximumRootedShare {
                warnings.append(String(format: "a speckled band from %.0f px above the interface was not taken for the cathode: %.0f %% of its phase is one piece with the dendrites rooted at the anode (a dense dendrite network, not cathode particles)",
                                       c.offsetPx, 100 * share))
            } else {
                kept.append(c)
            }
        }
        return kept.min { $0.offsetPx < $1.offsetPx }
    }

    /// The cathode band in the record's raw phase (``locateCathode(_:rawCandidate:textureCandidate:interface:electrolyteSide:parameters:warnings:)``'s
    /// first source): its ``PhaseSegmentation/rawPhase`` mask, or else the pixels of its texture
    /// past ``PhaseSegmentation/rawPhaseThreshold``, read without a mask. Found with the texture
    /// band, before the grey field is released.
    static func rawPhaseCathodeCandidate(_ seg: PhaseSegmentation, interface: Interface, parameters: AnalysisParameters) -> CathodeLayer? {
        let band = parameters.cathode.band
        if let raw = seg.rawPhase { return CathodeDetector.detect(in: raw, interface: interface, parameters: band) }
        guard let t = seg.rawPhaseThreshold, !seg.texture.isEmpty, let bright = seg.greySegmentationIsBright else { return nil }
        return CathodeDetector.detect(greyPassing: t, bright: bright, in: seg.texture, interface: interface, parameters: band)
    }

    /// The cathode band read from the record's grey texture (``locateCathode(_:rawCandidate:textureCandidate:interface:electrolyteSide:parameters:warnings:)``'s
    /// third source), found apart so that the grey field can be released before the masks of the
    /// cathode stage are made.
    static func textureCathodeCandidate(_ seg: PhaseSegmentation, interface: Interface, parameters: AnalysisParameters) -> CathodeLayer? {
        let p = parameters.cathode
        return CathodeDetector.detect(texture: seg.texture, interface: interface, spreadRatio: p.textureSpreadRatio,
                                      fringe: (p.fringeMinimumPx, p.fringeFraction), parameters: p.band)
    }

    /// `mask` without the 8-connected components that do not reach within `tolerancePx` of the
    /// interface (offset v − g(u)): Li whiskers are extruded from the anode and stay rooted in it,
    /// while the electrolyte's own dark features (pores, cracks, grain boundaries) lie anywhere.
    static func keepingRooted(_ mask: BinaryMask, interface: Interface, tolerancePx: Double) -> (mask: BinaryMask, removedPixels: Int, removedComponents: Int) {
        let labels = componentRuns(mask, connectivity: .eight)
        let n = labels.count
        guard n > 0 else { return (mask, 0, 0) }
        let (nearest, _) = labels.offsets(from: interface)
        var drop = [Bool](repeating: false, count: n + 1)
        var pixels = 0, components = 0
        for (k, c) in labels.components.enumerated() where nearest[k + 1] > tolerancePx {
            drop[k + 1] = true
            pixels += c.area
            components += 1
        }
        return (labels.removing(drop, from: mask), pixels, components)
    }

    /// `mask` without the 8-connected components whose bounding box is smaller
    /// than `maximumExtentPx` in both directions.
    static func removeCompactComponents(_ mask: BinaryMask, maximumExtentPx: Int) -> BinaryMask {
        let labels = componentRuns(mask, connectivity: .eight)
        var drop = [Bool](repeating: false, count: labels.count + 1)
        for (k, c) in labels.components.enumerated() where max(c.boundingBox.width, c.boundingBox.height) < maximumExtentPx {
            drop[k + 1] = true
        }
        return labels.removing(drop, from: mask)
    }


    // MARK: - Helpers

    /// Profile bins: about `bins` over the electrolyte, rounded to 1, 2 or 5 × 10ⁿ µm when calibrated.
    static func profileBinWidthPx(pixelSize: PixelSize?, extent: Double, bins: Double) -> Double {
        let raw = max(1, extent / max(1, bins))
        guard let p = pixelSize else { return niceNumber(raw) }
        return niceNumber(raw * p.micrometres) / p.micrometres
    }

    /// `x` rounded to 1, 2, 5 or 10 × 10ⁿ (profile bins, scale bars). Example: 0.37 → 0.5, 140 → 100.
    public static func niceNumber(_ x: Double) -> Double {
        let e = pow(10, floor(log10(x)))
        let f = x / e
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * e
    }

    /// Pixels of the dendrite zone: electrolyte between the interface and the deepest dendrite.
    static func zoneArea(field: PixelRect, interface: Interface?, maxDepthPx: Double?) -> Int {
        guard let interface, let maxDepth = maxDepthPx, maxDepth > 0 else { return field.area }
        let side = interface.side
        let length = side.length(width: field.width, height: field.height)
        let extent = side.extent(width: field.width, height: field.height)
        var total = 0.0
        for u in 0 ..< length {
            let g = interface.height(atU: Double(u))
            let slope = interface.height(atU: Double(u) + 0.5) - interface.height(atU: Double(u) - 0.5)
            let reach = maxDepth * (1 + slope * slope).squareRoot()
            total += max(0, min(reach, Double(extent) - 0.5 - g))
        }
        return Int(saturating: total.rounded())
    }

    static func dominantMorphology(_ regions: [RegionResult]) -> MorphologyDecision {
        var weight: [MorphologyLabel: Double] = [:]
        var confidence: [MorphologyLabel: Double] = [:]
        for r in regions where r.morphology.label != .none {
            let w = Double(r.features.dendritePixels)
            weight[r.morphology.label, default: 0] += w
            confidence[r.morphology.label, default: 0] += w * r.morphology.confidence
        }
        let total = weight.values.reduce(0, +)
        guard let best = weight.max(by: { $0.value < $1.value }), total > 0 else {
            return MorphologyDecision(label: .none, confidence: 1, scores: ["none": 1], reason: "no region holds enough dendrite phase")
        }
        let share = best.value / total
        let conf = confidence[best.key]! / best.value * share
        return MorphologyDecision(label: best.key, confidence: conf,
                                  scores: Dictionary(uniqueKeysWithValues: weight.map { ($0.key.rawValue, $0.value / total) }),
                                  reason: String(format: "%@ holds %.0f %% of the dendrite pixels in the labelled depth bands", best.key.rawValue, 100 * share))
    }
}

extension DendriteAnalysis {
    /// What settles an analysis that found no anode layer. Without `--anode`, saying where it is;
    /// with it, either the anode is out of view or its layer along that side did not pass the
    /// threshold (shading across the field can take a layer's grey below it, or a collector lies
    /// between the layer and the edge), so the interface is drawn, the threshold set, or the
    /// phase given as a mask.
    static func noLayerRemedy(givenSide: AnodeSide?) -> String {
        guard let side = givenSide else { return "if the anode is in view, say where with --anode (and --phase)" }
        return "the \(side.rawValue) side was given, but the phase leaves no continuous layer along it: the anode may be out of view, shading across the field can take its grey below the threshold, or another layer lies between it and the edge; if the anode is in view, check the phase on the overlay, then draw the interface with --interface FILE, set --threshold VALUE, or give --mask"
    }
}

/// Wall-clock time per pipeline stage, printed to standard error when the
/// environment variable `DENDROMETER_TRACE` is set (for profiling; off by default).
/// A stage during which the process's peak resident memory rose also shows the new
/// peak: `segment 258 ms [peak 412 MB]`.
public struct StageClock {
    let enabled = ProcessInfo.processInfo.environment["DENDROMETER_TRACE"] != nil
    let label: String
    var last = DispatchTime.now().uptimeNanoseconds
    var lastCPU = StageClock.processCPUNanoseconds()
    var lastPeak = ProcessMemory.peakResidentBytes ?? 0
    var laps: [(name: String, wallMs: Double, cpuMs: Double, peak: Int?)] = []

    /// Starts timing; `label` names the trace line (e.g. "analyze").
    public init(label: String = "trace") { self.label = label }

    /// CPU time of the whole process (all threads), ns.
    static func processCPUNanoseconds() -> UInt64 {
        var t = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == 0 else { return 0 }
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// Records the wall and CPU time since the previous lap (or the start) under `name`, ms.
    public mutating func lap(_ name: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds, cpu = StageClock.processCPUNanoseconds()
        let peak = ProcessMemory.peakResidentBytes ?? 0
        laps.append((name, Double(now - last) / 1e6, Double(cpu &- lastCPU) / 1e6, peak > lastPeak ? peak : nil))
        last = now
        lastCPU = cpu
        lastPeak = peak
    }

    /// Records a last lap ("finish") and prints one line of laps when tracing: each stage's wall
    /// time in ms, its CPU time over all threads when that is a tenth or more above the wall time
    /// (the stage ran on several cores), and the peak resident memory when it rose.
    public mutating func finish() {
        guard enabled else { return }
        lap("finish")
        let line = laps.map { lap in
            String(format: "%@ %.0f ms", lap.name, lap.wallMs)
                + (lap.cpuMs > 1.1 * lap.wallMs ? String(format: " (cpu %.0f)", lap.cpuMs) : "")
                + (lap.peak.map { " [peak \($0 >> 20) MB]" } ?? "")
        }.joined(separator: ", ")
        FileHandle.standardError.write(Data("dendrometer \(label): \(line)\n".utf8))
    }
}

extension DendriteAnalysis {
    /// Anode side auto: keeps `first` when its layer has the grey of the phase rising from it
    /// (``AnodeLayerGrey``, ``AnalysisParameters/AnodeLayer/minimumRootContrastRatio``);
    /// otherwise the next side, by layer thickness, whose layer does. When none does, `first`
    /// stays and a review reason says why.
    ///
    /// Example: a full-penetration Li-In cell with its bright anode on the left and a light-grey
    /// current collector on the right: the collector's band is thicker, but its contrast is 0.6 of
    /// the dendrite roots' beside it, so the left layer (ratio ≈ 1) is the anode.
    static func layerOfTheRootsMaterial(_ first: InterfaceDetection, phase: BinaryMask, grey: Image<Float>,
                                        parameters: AnalysisParameters, pixelSize: PixelSize?,
                                        review: inout [String]) -> InterfaceDetection {
        let a = parameters.anodeLayer
        func judge(_ d: InterfaceDetection) -> (matches: Bool?, grey: AnodeLayerGrey?) {
            guard let i = d.interface, grey.width == phase.width, grey.height == phase.height else { return (nil, nil) }
            let band = a.rootBandFraction * Double(i.side.extent(width: phase.width, height: phase.height))
            let m = AnodeLayerGrey.measure(phase: phase, grey: grey, interface: i, rootBandPx: band)
            return (m?.matches(minimumRatio: a.minimumRootContrastRatio, minimumRootPixels: a.minimumRootPixels), m)
        }
        let (firstMatches, firstGrey) = judge(first)
        guard firstMatches == false, let firstSide = first.side, let ratio = firstGrey?.contrastRatio else { return first }
        let interfaceParameters = parameters.interfaceParameters(pixelSize: pixelSize)
        let others = first.sideScores.filter { $0.key != firstSide && $0.value >= interfaceParameters.minimumLayerThickness }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }   // ties: a fixed order
        for (side, _) in others {
            var alternative = InterfaceDetector.detect(in: phase, side: side, parameters: interfaceParameters)
            let judged = judge(alternative)
            guard alternative.interface != nil, judged.matches == true, let altRatio = judged.grey?.contrastRatio else { continue }
            alternative.sideScores = first.sideScores
            alternative.explanation = String(
                format: "anode at the %@: its layer has the grey of the phase rising from it (contrast %.2f of the roots'); the thicker %@ layer has %.2f of its roots' contrast, another material (a current collector or the mount)",
                side.rawValue, altRatio, firstSide.rawValue, ratio)
            return alternative
        }
        review.append(String(format: "anode side auto: the %@ layer has %.2f times the contrast of the phase rising from it, so it may not be the anode the dendrites grew from (a collector or the mount); check the interface on the overlay, or say --anode SIDE",
                             firstSide.rawValue, ratio))
        return first
    }
}
