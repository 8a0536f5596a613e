// The analysis pipeline of one micrograph (DESIGN.md §1):
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

    public var description: String {
        switch self {
        case .missingEDXMap(let e, let a):
            "--phase edx:\(e) needs an EDX map for \(e) (--edx \(e)=FILE); maps given: \(a.isEmpty ? "none" : a.joined(separator: ", "))"
        case .emptyField: "no scanned field left after removing the data bar"
        case .kernel(let why): why
        }
    }
}

/// Everything measured on one micrograph, in px with µm conversions from the calibration.
public struct AnalysisResult: Sendable {
    /// The input micrograph.
    public var micrograph: Micrograph
    /// The analysed field (the raster without its data bar), px in the full raster.
    public var field: PixelRect
    /// The phase polarity used and why.
    public var phase: String
    /// Why this phase was chosen.
    public var phaseReason: String
    /// Threshold applied to the denoised image (image units), nil for EDX segmentation.
    public var threshold: Double?
    /// The detected (or given) anode/electrolyte interface, field coordinates; nil when no anode layer is in view.
    public var interface: Interface?
    /// Why this interface (or none).
    public var interfaceReason: String
    /// Segmented phase (anode + dendrites), field coordinates.
    public var phaseMask: BinaryMask
    /// Dendrite pixels: phase on the electrolyte side, specks removed; field coordinates.
    public var dendrites: BinaryMask
    /// Pruned skeleton of the dendrites, field coordinates.
    public var skeleton: BinaryMask
    /// Skeleton graph with widths.
    public var graph: SkeletonGraph
    /// Penetration statistics (nil without an interface).
    public var penetration: PenetrationDepth?
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
    /// The options used.
    public var options: AnalysisOptions
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
    /// Analyses an opened micrograph.
    ///
    /// - Throws: ``AnalysisError`` for unusable options (e.g. `--phase edx:In` without an In map).
    public static func run(_ micrograph: Micrograph, options: AnalysisOptions = AnalysisOptions()) throws(AnalysisError) -> AnalysisResult {
        var clock = StageClock()
        defer { clock.finish() }
        var warnings = micrograph.warnings
        let field = micrograph.scannedField
        guard !field.isEmpty else { throw .emptyField }
        let calibration = micrograph.calibration
        let pixelSize = calibration.pixelSize
        let full = micrograph.image.asFloat()
        let image = field == PixelRect(x: 0, y: 0, width: full.width, height: full.height) ? full : full.cropped(to: field)

        clock.lap("crop")
        // Denoise.
        let smooth: Image<Float>
        // Scan-line streaks first (they would bridge dendrites sideways), then Gaussian noise.
        let destriped = correctingScanLines(image)
        clock.lap("scan lines")
        do { smooth = try gaussianBlur(destriped, sigma: options.denoiseSigmaPx) } catch { throw .kernel(error.description) }

        clock.lap("denoise")
        // Physical sizes in px.
        let speckPx: Int = pixelSize.map { max(4, Int((options.minimumSpeckAreaSquareMicrometres / $0.areaSquareMicrometres).rounded())) }
            ?? options.minimumSpeckAreaPx
        let prunePx = max(options.pruneLengthPx, pixelSize.map { options.pruneLengthMicrometres / $0.micrometres } ?? 0)

        // EDX maps resampled to the field.
        var edx: [String: Image<Float>] = [:]
        for (element, map) in options.edxMaps {
            edx[element] = EDXMaps.resample(map, toWidth: field.width, height: field.height)
        }

        clock.lap("edx")
        // Segment.
        let seg = try segmentPhase(smooth, choice: options.phase, edx: edx, anode: options.anode, speckPx: speckPx)
        warnings += seg.warnings

        clock.lap("segment")
        // Interface.
        let detection = InterfaceDetector.detect(in: seg.mask, side: options.anode)
        clock.lap("interface")
        var dendrites: BinaryMask
        var cathode: CathodeLayer?
        if let interface = detection.interface {
            dendrites = interface.electrolyteSide(of: seg.mask)
            clock.lap("electrolyte side")
            // A speckled cathode shows as phase texture or, when its particles fall
            // outside the dendrite phase, as intensity texture; the nearer band wins.
            // (Only electrolyte-side pixels are counted.)
            let byPhase = CathodeDetector.detect(in: seg.raw ?? seg.mask, interface: interface)
            clock.lap("cathode by phase")
            let byTexture = CathodeDetector.detect(texture: smooth, interface: interface)
            clock.lap("cathode by texture")
            cathode = [byPhase, byTexture].compactMap { $0 }.min { $0.offsetPx < $1.offsetPx }
            if let c = cathode {
                dendrites = dendrites.removingOffsets(atOrBeyond: c.offsetPx, from: interface)
                let labels = labelComponents(dendrites, connectivity: .eight)
                dendrites = dendrites.removingCathodeFringe(offsetPx: c.offsetPx, fringePx: max(10, 0.04 * c.offsetPx),
                                                            interface: interface, labels: labels.labels,
                                                            componentCount: labels.components.count)
                warnings.append(String(format: "cathode composite in view from %.0f px above the interface; excluded from the dendrites", c.offsetPx))
            }
        } else {
            warnings.append("no anode layer found: \(detection.explanation); depth fields are null and orientation is measured relative to the image x axis")
            dendrites = seg.mask
        }
        do { dendrites = try removeSmallObjects(dendrites, minimumArea: speckPx) } catch { throw .kernel(error.description) }
        if seg.polarity == .dark {
            // Pores of the electrolyte are as dark as Li: drop compact components
            // (longest side under 2 µm, or 8 px uncalibrated); needles are long.
            let limit = max(8, pixelSize.map { Int((2 / $0.micrometres).rounded()) } ?? 8)
            let before = dendrites.area
            dendrites = removeCompactComponents(dendrites, maximumExtentPx: limit)
            if dendrites.area < before {
                warnings.append("dark phase: \(before - dendrites.area) px in compact dark blobs (< \(limit) px across, electrolyte pores) not counted as dendrites")
            }
        }

        clock.lap("dendrite clean-up")
        // Penetration.
        var penetration: PenetrationDepth?
        if let interface = detection.interface {
            let bin = profileBinWidthPx(pixelSize: pixelSize, extent: Double(interface.side.extent(width: field.width, height: field.height)))
            penetration = PenetrationDepth.measure(dendrites: dendrites, interface: interface, binWidthPx: bin,
                                                   cathodeOffsetPx: cathode?.offsetPx)
            if penetration!.dendritePixels == 0 { warnings.append("no dendrite phase on the electrolyte side of the interface") }
        }

        clock.lap("penetration")
        // Skeleton and widths, computed on the dendrites' bounding box (plus a
        // margin of background) and pasted back into field coordinates. Thinning,
        // the distance transform (background exists inside the margin) and the
        // structure tensor (margin ≥ 3ρ) give the same values as on the full field.
        let margin = Int((3 * options.orientationRhoPx + 4 * options.orientationSigmaPx).rounded(.up)) + 2
        let zone = (dendrites.boundingBox ?? PixelRect(x: 0, y: 0, width: 1, height: 1))
        let work = PixelRect(x: zone.x - margin, y: zone.y - margin, width: zone.width + 2 * margin, height: zone.height + 2 * margin)
            .clipped(toWidth: field.width, height: field.height)
        let sub = dendrites.cropped(to: work)
        let subDistance: Image<Float>
        do { subDistance = try distanceTransform(sub) } catch { throw .kernel(error.description) }
        clock.lap("distance")
        var subSkeleton = skeletonize(sub)
        clock.lap("thinning")
        do { subSkeleton = try pruneSpurs(subSkeleton, minimumLength: prunePx) } catch { throw .kernel(error.description) }
        clock.lap("pruning")
        let graph: SkeletonGraph
        do { graph = try SkeletonGraph(skeleton: subSkeleton, distance: subDistance, pixelSize: pixelSize) } catch { throw .kernel(error.description) }
        let skeletonImage = Image.pasting(Image(width: sub.width, height: sub.height, pixels: subSkeleton.bits, bitDepth: 1),
                                          at: work.x, work.y, width: field.width, height: field.height, background: UInt8(0))
        let skeleton = BinaryMask(width: field.width, height: field.height, normalizedBits: skeletonImage.pixels)

        clock.lap("skeleton")
        // Orientation relative to the interface.
        let angles = try relativeOrientation(dendrites, interface: detection.interface, options: options, within: work)

        clock.lap("orientation")
        // Connectivity.
        let topo = connectivitySummary(dendrites)
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
        let classifier = MorphologyClassifier(thresholds: options.thresholds)
        let regionMasks = RegionBuilder.regions(options.regions, field: field, interface: detection.interface,
                                                maxDepthPx: penetration?.maxPx ?? 0, pixelSize: pixelSize, warnings: &warnings)
        let skeletonPixelCount = subSkeleton.area
        let zoneGraph = RegionFeatureExtractor.ZoneGraph(
            graph: graph, origin: work, lengthPerPixel: skeletonPixelCount > 0 ? graph.totalLengthPx / Double(skeletonPixelCount) : 0)
        var regions = [RegionResult]()
        for region in regionMasks {
            let features = RegionFeatureExtractor.features(
                region: region, dendrites: dendrites, skeleton: skeleton, distance: subDistance, distanceWindow: work,
                graph: zoneGraph, angles: angles,
                interface: detection.interface, pixelSize: pixelSize, darkPhase: seg.polarity == .dark)
            var box = region.bbox
            box.x += field.x; box.y += field.y
            regions.append(RegionResult(name: region.name, bboxPx: box, features: features, morphology: classifier.classify(features)))
        }
        let dominant = dominantMorphology(regions)

        clock.lap("regions")
        // EDX agreement with the BSE phase.
        var agreement: [String: Double] = [:]
        if case .edx = options.phase {} else {
            for (element, map) in edx {
                let dice = EDXMaps.agreement(phase: seg.mask, map: map)
                agreement[element] = dice
                // An In map confirms a Li-In (bright) segmentation; say so when it does not.
                if element.lowercased() == "in", seg.polarity == .bright, dice < 0.5 {
                    warnings.append(String(format: "the In EDX map agrees poorly with the BSE phase (Dice %.2f): check the segmentation or try --phase edx:In", dice))
                }
            }
        }

        return AnalysisResult(
            micrograph: micrograph, field: field, phase: seg.polarity.description, phaseReason: seg.reason,
            threshold: seg.threshold, interface: detection.interface, interfaceReason: detection.explanation,
            phaseMask: seg.mask, dendrites: dendrites, skeleton: skeleton, graph: graph, penetration: penetration,
            orientation: angles.statistics(in: nil), connectivity: connectivity, areaFraction: areaFraction,
            regions: regions, morphology: dominant, edxAgreement: agreement, warnings: warnings, options: options)
    }

    /// `mask` without the 8-connected components whose bounding box is smaller
    /// than `maximumExtentPx` in both directions.
    static func removeCompactComponents(_ mask: BinaryMask, maximumExtentPx: Int) -> BinaryMask {
        let labels = labelComponents(mask, connectivity: .eight)
        var drop = [Bool](repeating: false, count: labels.components.count + 1)
        for (k, c) in labels.components.enumerated() where max(c.boundingBox.width, c.boundingBox.height) < maximumExtentPx {
            drop[k + 1] = true
        }
        var out = mask
        for i in out.bits.indices where out.bits[i] != 0 && drop[Int(labels.labels[i])] { out.bits[i] = 0 }
        return out
    }

    // MARK: - Segmentation

    enum Polarity: CustomStringConvertible {
        case bright, dark, edx(String)
        var description: String {
            switch self { case .bright: "bright"; case .dark: "dark"; case .edx(let e): "edx:\(e)" }
        }
        static func == (a: Polarity, b: Polarity) -> Bool { a.description == b.description }
    }

    struct Segmentation {
        var mask: BinaryMask
        /// The thresholded phase before hysteresis and clean-up (texture of a speckled cathode survives here).
        var raw: BinaryMask? = nil
        var polarity: Polarity
        var threshold: Double?
        var reason: String
        var warnings: [String]
    }

    static func segmentPhase(_ smooth: Image<Float>, choice: PhaseChoice, edx: [String: Image<Float>],
                             anode: AnodeSide?, speckPx: Int) throws(AnalysisError) -> Segmentation {
        func clean(_ m: BinaryMask) throws(AnalysisError) -> BinaryMask {
            do {
                let noSpecks = try removeSmallObjects(m, minimumArea: speckPx)
                return try removeSmallHoles(noSpecks, minimumArea: 3)
            } catch { throw .kernel(error.description) }
        }
        if case .edx(let element) = choice {
            guard let map = edx[element] ?? edx.first(where: { $0.key.lowercased() == element.lowercased() })?.value else {
                throw .missingEDXMap(element: element, available: edx.keys.sorted())
            }
            let t: Double
            do { t = try otsuThreshold(map) } catch { throw .kernel(error.description) }
            // Hysteresis as for BSE: faint map pixels (a thin tip covers part of a
            // coarse map pixel) are kept when attached to clearly In-rich ones.
            let mask = hysteresisThreshold(map, low: 0.5 * t, high: t, polarity: .bright)
            return Segmentation(mask: try clean(mask), polarity: .edx(element),
                                threshold: t, reason: "segmented from the \(element) EDX map (Otsu threshold \(String(format: "%.3g", t)) counts, hysteresis down to half of it)", warnings: [])
        }
        let split = try PhaseThresholds(smooth)
        let how = String(format: "electrolyte mode %.4g; Otsu above it %.4g, below it %.4g; whole-image Otsu %.4g",
                         split.mode, split.bright, split.dark, split.otsu)
        // Candidate thresholds for each polarity: split around the histogram mode
        // (right when the electrolyte dominates) and the whole-image Otsu split
        // (right when the metal phase dominates the histogram).
        let brightCandidates = [split.bright, split.otsu], darkCandidates = [split.dark, split.otsu]
        // The polarity/threshold decision only needs the layer geometry: it runs on
        // a binned preview (short side ≥ 1536 px), layer thicknesses scaled back.
        let bin = max(1, min(smooth.width, smooth.height) / 1536)
        let preview = smooth.binned(by: bin)
        func pick(_ candidates: [Double], _ polarity: DendrometerSegmentation.Polarity) -> ThresholdChoice {
            var c = pickThreshold(preview, candidates, polarity: polarity, anode: anode)
            c.thickness *= Double(bin)
            return c
        }
        // The final mask uses hysteresis: pixels past a threshold 35 % of the way
        // back toward the electrolyte mode are kept when connected to pixels past
        // the threshold itself, so faint tapered tips stay attached.
        func final(_ t: Double, _ polarity: DendrometerSegmentation.Polarity) -> BinaryMask {
            hysteresisThreshold(smooth, low: t - 0.35 * (t - split.mode), high: t, polarity: polarity)
        }
        switch choice {
        case .bright:
            let t = pick(brightCandidates, .bright)
            return Segmentation(mask: try clean(final(t.threshold, .bright)), raw: segment(smooth, threshold: t.threshold, polarity: .bright),
                                polarity: .bright, threshold: t.threshold, reason: "bright phase (given): \(how)", warnings: [])
        case .dark:
            let t = pick(darkCandidates, .dark)
            return Segmentation(mask: try clean(final(t.threshold, .dark)), raw: segment(smooth, threshold: t.threshold, polarity: .dark),
                                polarity: .dark, threshold: t.threshold, reason: "dark phase (given): \(how)", warnings: [])
        default:
            let b = pick(brightCandidates, .bright)
            let d = pick(darkCandidates, .dark)
            // Both a metal anode and the electrolyte can form a solid layer along an
            // edge (at opposite sides). The anode is the uniform one: the electrolyte
            // is granular with pores. Lower relative spread inside the layer wins.
            let bOK = b.thickness > 0, dOK = d.thickness > 0
            let chooseDark = dOK && (!bOK || d.spread < b.spread)
            let describe = { (c: ThresholdChoice) -> String in
                c.thickness > 0 ? String(format: "%.1f px layer at the %@, spread %.3f", c.thickness, c.side?.rawValue ?? "?", c.spread) : "no solid layer"
            }
            if chooseDark {
                return Segmentation(mask: try clean(final(d.threshold, .dark)), raw: segment(smooth, threshold: d.threshold, polarity: .dark),
                                    polarity: .dark, threshold: d.threshold,
                                    reason: "auto: the dark phase forms the uniform anode layer (dark: \(describe(d)); bright: \(describe(b))) — Li-like; " + how,
                                    warnings: [])
            }
            var w = [String]()
            if !bOK { w.append("phase auto: neither bright nor dark phase forms an anode layer; assuming bright (Li-In)") }
            return Segmentation(mask: try clean(final(b.threshold, .bright)), raw: segment(smooth, threshold: b.threshold, polarity: .bright),
                                polarity: .bright, threshold: b.threshold,
                                reason: "auto: the bright phase forms the uniform anode layer (bright: \(describe(b)); dark: \(describe(d))) — Li-In-like; " + how,
                                warnings: w)
        }
    }

    /// A threshold candidate and the anode layer its raw mask forms.
    struct ThresholdChoice {
        var threshold: Double
        var side: AnodeSide?
        /// 10th-percentile thickness of the solid layer, px (0 when none).
        var thickness: Double
        /// Standard deviation of the denoised intensity inside the layer over the image's 5–95 % range.
        var spread: Double
    }

    /// Among `candidates`, the threshold whose raw mask forms the thickest solid
    /// layer, with the intensity spread inside that layer.
    static func pickThreshold(_ smooth: Image<Float>, _ candidates: [Double], polarity: DendrometerSegmentation.Polarity,
                              anode: AnodeSide?) -> ThresholdChoice {
        var best = ThresholdChoice(threshold: candidates[0], side: nil, thickness: 0, spread: .infinity)
        let range = intensityRange(smooth)
        for t in candidates {
            let raw = segment(smooth, threshold: t, polarity: polarity)
            // A threshold that puts most of the image in the phase has split the
            // electrolyte, not found a metal phase.
            guard raw.areaFraction <= 0.8 else { continue }
            let d = InterfaceDetector.detect(in: raw, side: anode)
            guard let side = d.side, let thickness = d.sideScores[side], thickness > best.thickness else { continue }
            best = ThresholdChoice(threshold: t, side: side, thickness: thickness,
                                   spread: layerSpread(smooth, side: side, thickness: Int(thickness)) / range)
        }
        return best
    }

    /// 5th–95th percentile range of the image (sampled).
    static func intensityRange(_ image: Image<Float>) -> Double {
        let step = max(1, image.count / 50_000)
        let sample = stride(from: 0, to: image.count, by: step).map { image.pixels[$0] }.filter(\.isFinite).sorted()
        guard sample.count > 1 else { return 1 }
        return max(1e-9, Double(sample[sample.count * 95 / 100] - sample[sample.count * 5 / 100]))
    }

    /// Standard deviation of the intensity in the band of `thickness` px along `side` (inner 80 %).
    static func layerSpread(_ image: Image<Float>, side: AnodeSide, thickness: Int) -> Double {
        let w = image.width, h = image.height
        let length = side.length(width: w, height: h)
        let t = max(1, Int(Double(thickness) * 0.8))
        var sum = 0.0, sum2 = 0.0, n = 0.0
        for u in stride(from: 0, to: length, by: max(1, length / 512)) {
            for v in 0 ..< min(t, side.extent(width: w, height: h)) {
                let x = Double(image.pixels[side.index(u: u, v: v, width: w, height: h)])
                sum += x; sum2 += x * x; n += 1
            }
        }
        guard n > 1 else { return .infinity }
        let mean = sum / n
        return max(0, sum2 / n - mean * mean).squareRoot()
    }

    /// Thresholds separating the electrolyte from a brighter and a darker phase.
    ///
    /// The electrolyte is the most frequent intensity (mode of a 256-bin,
    /// 5-bin-smoothed histogram). The bright threshold is Otsu's threshold of
    /// the pixels at or above the mode, the dark threshold Otsu's of those at or
    /// below it: each splits the electrolyte's half-peak from one other phase,
    /// so a two-phase image is never split inside the electrolyte.
    struct PhaseThresholds {
        var mode: Double
        var bright: Double
        var dark: Double
        /// Otsu's threshold of the whole image.
        var otsu: Double

        init(_ image: Image<Float>) throws(AnalysisError) {
            // One pass: range, then one 4096-bin histogram that all three Otsu
            // thresholds (whole image, above the mode, below the mode) share.
            let w = image.width
            let ranges = image.pixels.withUnsafeBufferPointer { px in
                parallelBandResults(image.height, minimumPerBand: 64, initial: { (lo: Float.infinity, hi: -Float.infinity) }) { rows, r in
                    // `v < l ? v : l` is one vector min instruction and skips NaN (it
                    // compares false); infinities, if any, need the careful loop.
                    var l = Float.infinity, h = -Float.infinity
                    for i in rows.lowerBound * w ..< rows.upperBound * w {
                        let v = px[i]
                        l = v < l ? v : l
                        h = v > h ? v : h
                    }
                    if l == -.infinity || h == .infinity {
                        l = .infinity; h = -.infinity
                        for i in rows.lowerBound * w ..< rows.upperBound * w where px[i].isFinite {
                            l = min(l, px[i]); h = max(h, px[i])
                        }
                    }
                    r = (l, h)
                }
            }
            let lo = ranges.map(\.lo).min() ?? .infinity, hi = ranges.map(\.hi).max() ?? -.infinity
            guard lo < hi else { throw .kernel("the image is constant: nothing to segment") }
            let bins = 4096
            let scale = Double(bins - 1) / Double(hi - lo)
            // Counts per band (integers, so the merged sums are exact in any order).
            let partial = image.pixels.withUnsafeBufferPointer { px in
                // Four interleaved sub-histograms: neighbouring pixels of a smooth
                // image hit the same bin, and one histogram would serialise on it.
                parallelBandResults(image.height, minimumPerBand: 64, initial: { [Int32](repeating: 0, count: 4 * bins) }) { rows, counts in
                    counts.withUnsafeMutableBufferPointer { c in
                        for i in rows.lowerBound * w ..< rows.upperBound * w {
                            let v = px[i]
                            if v.isFinite { c[(i & 3) * bins + Int(Double(v - lo) * scale)] &+= 1 }
                        }
                    }
                }
            }
            var hist = [Double](repeating: 0, count: bins)
            for counts in partial { for b in 0 ..< 4 * bins { hist[b % bins] += Double(counts[b]) } }
            // A threshold sits at the upper edge of its bin (values above it form the upper class).
            let value: (Int) -> Double = { Double(lo) + (Double($0) + 1) / scale }
            // Mode on 256 coarse bins, 5-bin smoothed (the electrolyte's peak).
            let coarse = stride(from: 0, to: bins, by: 16).map { hist[$0 ..< min(bins, $0 + 16)].reduce(0, +) }
            let smoothed = coarse.indices.map { i in coarse[max(0, i - 2) ... min(coarse.count - 1, i + 2)].reduce(0, +) }
            let peak = smoothed.indices.max { smoothed[$0] < smoothed[$1] }!
            let modeBin = peak * 16 + 8
            mode = Double(lo) + Double(peak * 16) / scale   // lower edge of the coarse peak bin
            bright = value(Self.otsu(hist, modeBin ..< bins))
            dark = value(Self.otsu(hist, 0 ..< modeBin + 1))
            otsu = value(Self.otsu(hist, 0 ..< bins))
        }

        /// Otsu's threshold bin (last bin of the lower class) within `range` of a histogram.
        static func otsu(_ hist: [Double], _ range: Range<Int>) -> Int {
            var total = 0.0, sum = 0.0
            for i in range { total += hist[i]; sum += Double(i) * hist[i] }
            guard total > 0 else { return range.lowerBound }
            var w0 = 0.0, sum0 = 0.0, best = -1.0, bestBin = range.lowerBound
            for i in range {
                w0 += hist[i]; sum0 += Double(i) * hist[i]
                let w1 = total - w0
                guard w0 > 0, w1 > 0 else { continue }
                let m0 = sum0 / w0, m1 = (sum - sum0) / w1
                let between = w0 * w1 * (m0 - m1) * (m0 - m1)
                if between > best { best = between; bestBin = i }
            }
            return bestBin
        }
    }

    // MARK: - Orientation

    /// One dendrite pixel with a defined orientation.
    struct OrientedPixel {
        /// Field coordinates, px.
        var x: Int32, y: Int32
        /// Angle relative to the local interface direction, degrees in [0, 180).
        var degrees: Float
        var coherence: Float
        /// coherence × energy.
        var weight: Float
        /// cos 2θ and sin 2θ of `degrees` (doubled angles average axial data).
        var cos2: Double, sin2: Double
    }

    /// Orientation of the dendrite structure relative to the interface, per oriented pixel.
    struct RelativeAngles {
        /// The oriented pixels in raster order.
        var pixels: [OrientedPixel]
        var sigma: Double
        var rho: Double

        /// Statistics over the oriented pixels, optionally only those of `region`.
        func statistics(in region: RegionMask?) -> OrientationStatistics {
            var hist = [Double](repeating: 0, count: 18)
            var n = 0, lateral = 0, vertical = 0
            var c2 = 0.0, s2 = 0.0, coh = 0.0, wsum = 0.0
            // Raster order: the region's rows are one contiguous run.
            var lo = 0, hi = pixels.count
            if let b = region?.bbox {
                lo = firstIndex(atOrBelowRow: b.y)
                hi = firstIndex(atOrBelowRow: b.y + b.height)
            }
            pixels.withUnsafeBufferPointer { px in
                for k in lo ..< max(lo, hi) {
                    let p = px[k]
                    if let region, !region.contains(x: Int(p.x), y: Int(p.y)) { continue }
                    n += 1
                    let d = Double(p.degrees)
                    hist[min(17, Int(d / 10))] += 1
                    if d <= 30 || d >= 150 { lateral += 1 }
                    if d >= 60 && d <= 120 { vertical += 1 }
                    let w = Double(p.weight)
                    c2 += w * p.cos2
                    s2 += w * p.sin2
                    coh += w * Double(p.coherence)
                    wsum += w
                }
            }
            var dominant = atan2(s2, c2) * 90 / .pi
            if dominant < 0 { dominant += 180 }
            return OrientationStatistics(
                dominantDegrees: n > 0 ? dominant : 0, coherence: wsum > 0 ? coh / wsum : 0,
                lateralFraction: n > 0 ? Double(lateral) / Double(n) : 0,
                verticalFraction: n > 0 ? Double(vertical) / Double(n) : 0,
                histogram: hist.map { n > 0 ? $0 / Double(n) : 0 }, sigmaPx: sigma, rhoPx: rho, pixels: n)
        }

        /// Index of the first oriented pixel on row `y` or below (`pixels.count` if none).
        func firstIndex(atOrBelowRow y: Int) -> Int {
            var lo = 0, hi = pixels.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(pixels[mid].y) < y { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    /// Per-pixel relative orientation; the structure tensor is evaluated on `work`
    /// (a sub-rectangle holding every dendrite pixel with a ≥ 3ρ margin).
    static func relativeOrientation(_ dendrites: BinaryMask, interface: Interface?, options: AnalysisOptions,
                                    within work: PixelRect) throws(AnalysisError) -> RelativeAngles {
        let w = dendrites.width, h = dendrites.height
        let sub = dendrites.cropped(to: work)
        let tensor: StructureTensorField
        do {
            tensor = try structureTensor(Image<UInt8>(width: sub.width, height: sub.height, pixels: sub.bits, bitDepth: 1),
                                         sigma: options.orientationSigmaPx, rho: options.orientationRhoPx)
        } catch { throw .kernel(error.description) }
        // Interface direction per position along it.
        let side = interface?.side ?? .bottom
        let length = side.length(width: w, height: h)
        let direction: [Double] = (0 ..< length).map { u in interface?.localDirectionDegrees(atU: Double(u)) ?? 0 }
        let energyFloor: Float = 1e-3
        let alongRows = side == .bottom || side == .top   // u = x; otherwise u = y
        let sw = work.width
        // Row bands in parallel, each collecting its pixels in raster order.
        let bands = sub.bits.withUnsafeBufferPointer { bits in
            tensor.energy.pixels.withUnsafeBufferPointer { energy in
                tensor.coherence.pixels.withUnsafeBufferPointer { coherence in
                    tensor.orientationDegrees.pixels.withUnsafeBufferPointer { orientation in
                        direction.withUnsafeBufferPointer { direction in
                            parallelBandResults(work.height, minimumPerBand: 16, initial: { [OrientedPixel]() }) { rows, out in
                                for sy in rows {
                                    let y = sy + work.y
                                    for sx in 0 ..< sw {
                                        let j = sy * sw + sx
                                        guard bits[j] != 0, energy[j] > energyFloor else { continue }
                                        let x = sx + work.x
                                        var rel = Double(orientation[j]) - direction[alongRows ? x : y]
                                        rel = rel.truncatingRemainder(dividingBy: 180)
                                        if rel < 0 { rel += 180 }
                                        let d = Double(Float(rel))
                                        out.append(OrientedPixel(x: Int32(x), y: Int32(y), degrees: Float(rel), coherence: coherence[j],
                                                                 weight: coherence[j] * energy[j],
                                                                 cos2: cos(2 * d * .pi / 180), sin2: sin(2 * d * .pi / 180)))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return RelativeAngles(pixels: Array(bands.joined()), sigma: options.orientationSigmaPx, rho: options.orientationRhoPx)
    }

    // MARK: - Helpers

    /// Profile bins: about 25 over the electrolyte, rounded to 1, 2 or 5 × 10ⁿ µm when calibrated.
    static func profileBinWidthPx(pixelSize: PixelSize?, extent: Double) -> Double {
        let raw = max(1, extent / 25)
        guard let p = pixelSize else { return niceNumber(raw) }
        return niceNumber(raw * p.micrometres) / p.micrometres
    }

    static func niceNumber(_ x: Double) -> Double {
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
        return Int(total.rounded())
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
                                  reason: String(format: "%@ holds %.0f %% of the dendrite pixels in labelled regions", best.key.rawValue, 100 * share))
    }
}

/// Wall-clock time per pipeline stage, printed to standard error when the
/// environment variable `DENDROMETER_TRACE` is set (for profiling; off by default).
public struct StageClock {
    let enabled = ProcessInfo.processInfo.environment["DENDROMETER_TRACE"] != nil
    let label: String
    var last = DispatchTime.now().uptimeNanoseconds
    var laps: [(String, Double)] = []

    /// Starts timing; `label` names the trace line (e.g. "analyze").
    public init(label: String = "trace") { self.label = label }

    /// Records the time since the previous lap (or the start) under `name`, ms.
    public mutating func lap(_ name: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        laps.append((name, Double(now - last) / 1e6))
        last = now
    }

    /// Records a last lap ("finish") and prints one line of laps in ms when tracing.
    public mutating func finish() {
        guard enabled else { return }
        lap("finish")
        let line = laps.map { String(format: "%@ %.0f ms", $0.0, $0.1) }.joined(separator: ", ")
        FileHandle.standardError.write(Data("dendrometer \(label): \(line)\n".utf8))
    }
}
