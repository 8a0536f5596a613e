// The grey-level segmenter: today's automatic path, and `--phase bright|dark`.
//
// Method. In a BSE cross-section the electrolyte (Li6PS5Cl) is the most
// frequent grey; Li-In alloy (high mean atomic number) is brighter and Li metal
// darker. The electrolyte's grey is the histogram mode; the bright threshold is
// Otsu's threshold of the pixels at or above the mode, the dark one Otsu's of
// those at or below it, so a two-phase image is never split inside the
// electrolyte. The whole-image Otsu split is a second candidate (right when
// the metal phase dominates the histogram). Of the candidates, the one whose
// phase forms the thickest solid layer along an edge wins: the anode is a
// continuous metal layer. The final mask uses hysteresis so faint tapered tips
// stay attached (``AnalysisParameters/Threshold/hysteresisFraction``).
// With `--phase auto` both polarities are tried; both a metal anode and the
// electrolyte can form a layer along an edge (at opposite sides), and the anode
// is the uniform one (the electrolyte is granular with pores), so the lower
// relative grey spread inside the layer wins.
//
// Worked example: an 8-bit field whose electrolyte peaks at 97 with a Li-In
// layer at 180 along the bottom: mode 97, Otsu above the mode ≈ 150, and with
// hysteresis fraction 0.35 pixels down to 150 − 0.35 × (150 − 97) ≈ 131 are
// kept where connected to pixels ≥ 150.

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation

/// Segments the dendrite phase by grey level (BSE contrast).
public struct ThresholdSegmenter: PhaseSegmenter {
    /// Which polarity to look for.
    public enum Polarity: Sendable, Equatable {
        /// Decide: the polarity whose phase forms the uniform anode layer.
        case auto
        /// Bright (Li-In).
        case bright
        /// Dark (Li).
        case dark
    }

    /// The polarity to look for.
    public var polarity: Polarity
    /// The anode side when known (used to test which threshold forms the layer).
    public var anode: AnodeSide?

    /// A segmenter for `polarity`, with the anode side if known.
    public init(polarity: Polarity = .auto, anode: AnodeSide? = nil) {
        self.polarity = polarity
        self.anode = anode
    }

    public func segment(_ field: PreparedField, parameters: AnalysisParameters) throws(AnalysisError) -> PhaseSegmentation {
        let p = parameters.threshold
        let smooth = field.denoised
        let speckPx = parameters.dendrites.minimumAreaPixels(pixelSize: field.pixelSize, denoiseSigmaPx: parameters.preparation.denoiseSigmaPx)
        let split = try PhaseThresholds(smooth)
        let how = String(format: "electrolyte mode %.4g; Otsu above it %.4g, below it %.4g; whole-image Otsu %.4g",
                         split.mode, split.bright, split.dark, split.otsu)
        // Candidate thresholds for each polarity: split around the histogram mode
        // (right when the electrolyte dominates) and the whole-image Otsu split
        // (right when the metal phase dominates the histogram).
        let brightCandidates: [Double], darkCandidates: [Double], rule: String
        switch p.threshold {
        case .auto: (brightCandidates, darkCandidates, rule) = ([split.bright, split.otsu], [split.dark, split.otsu], how)
        case .otsu: (brightCandidates, darkCandidates, rule) = ([split.otsu], [split.otsu], "whole-image Otsu (--threshold otsu); " + how)
        case .value(let v): (brightCandidates, darkCandidates, rule) = ([v], [v], "threshold \(ThresholdSetting.value(v)) (given); " + how)
        }
        // The thresholds are picked on a binned preview (a quarter of the field's size at 4096²),
        // released before the full-size masks are made.
        let (brightChoice, darkChoice) = { () -> (ThresholdChoice?, ThresholdChoice?) in
            let bin = max(1, min(smooth.width, smooth.height) / max(1, p.previewShortSidePx))
            let preview = smooth.binned(by: bin)
            func pick(_ candidates: [Double], _ polarity: DendrometerSegmentation.Polarity) -> ThresholdChoice {
                var c = Self.pickThreshold(preview, candidates, polarity: polarity, anode: anode, maximumPhaseFraction: p.maximumPhaseFraction,
                                           interface: parameters.interfaceParameters(pixelSize: field.pixelSize))
                c.thickness *= Double(bin)
                return c
            }
            switch polarity {
            case .bright: return (pick(brightCandidates, .bright), nil)
            case .dark: return (nil, pick(darkCandidates, .dark))
            case .auto: return (pick(brightCandidates, .bright), pick(darkCandidates, .dark))
            }
        }()
        func record(_ t: Double, _ polarity: DendrometerSegmentation.Polarity, reason: String, warnings: [String]) throws(AnalysisError) -> PhaseSegmentation {
            let low = t - p.hysteresisFraction * (t - split.mode)
            // Hysteresis and speck removal in one labelling; the pixels past `t` are the raw phase,
            // read from the grey field where the cathode is sought (no mask of them is kept).
            let mask = hysteresisThreshold(smooth, low: low, high: t, polarity: polarity, minimumArea: max(0, speckPx))
            var record = PhaseSegmentation(
                phase: try PhaseSegmentation.cleaned(consume mask, speckPx: 0, holePx: p.fillHolesBelowPx),
                appearance: polarity == .bright ? .bright : .dark, method: .threshold(t),
                reason: reason, warnings: warnings, texture: smooth)
            record.rawPhaseThreshold = t
            record.phaseMayIncludePores = polarity == .dark
            return record
        }
        // Each polarity's choice was made above for the polarities this case reads.
        switch polarity {
        case .bright:
            return try record(brightChoice!.threshold, .bright, reason: "bright phase (given): \(rule)", warnings: [])
        case .dark:
            return try record(darkChoice!.threshold, .dark, reason: "dark phase (given): \(rule)", warnings: [])
        case .auto:
            let b = brightChoice!, d = darkChoice!
            let bOK = b.thickness > 0, dOK = d.thickness > 0
            let chooseDark = dOK && (!bOK || d.spread < b.spread)
            let describe = { (c: ThresholdChoice) -> String in
                c.thickness > 0 ? String(format: "%.1f px layer at the %@, spread %.3f", c.thickness, c.side?.rawValue ?? "?", c.spread) : "no solid layer"
            }
            var doubts = [String]()
            var close: String?
            if bOK && dOK && min(b.spread, d.spread) >= parameters.review.polarityAmbiguityRatio * max(b.spread, d.spread) {
                close = String(format: "a bright layer (%@, grey spread %.3f) and a dark layer (%@, spread %.3f) are almost equally uniform",
                               b.side?.rawValue ?? "?", b.spread, d.side?.rawValue ?? "?", d.spread)
            }
            if !bOK && !dOK {
                doubts.append("phase auto: neither a bright nor a dark phase forms an anode layer; say --phase bright|dark and --anode SIDE, or check that the anode is in view")
            }
            if chooseDark {
                var r = try record(d.threshold, .dark,
                                  reason: "auto: the dark phase forms the uniform anode layer (dark: \(describe(d)); bright: \(describe(b))) — Li-like; " + rule,
                                  warnings: [])
                r.review = doubts
                r.polarityTieBreak = close
                r.hypotheses = PhaseHypothesis.scored(bright: (b.side, b.thickness, b.spread), dark: (d.side, d.thickness, d.spread), chosen: .dark)
                r.otherPolarityThreshold = b.threshold
                return r
            }
            var w = [String]()
            if !bOK { w.append("phase auto: neither bright nor dark phase forms an anode layer; assuming bright (Li-In); say --phase dark if this is Li") }
            var r = try record(b.threshold, .bright,
                               reason: "auto: the bright phase forms the uniform anode layer (bright: \(describe(b)); dark: \(describe(d))) — Li-In-like; " + rule,
                               warnings: w)
            r.review = doubts
            r.polarityTieBreak = close
            r.hypotheses = PhaseHypothesis.scored(bright: (b.side, b.thickness, b.spread), dark: (d.side, d.thickness, d.spread), chosen: .bright)
            r.otherPolarityThreshold = d.threshold
            return r
        }
    }

    /// Fixed choices of the estimators below (resolution, not physics: results do not depend on
    /// them beyond rounding).
    enum Estimation {
        /// Bins of the fine histogram shared by the three Otsu thresholds.
        static let histogramBins = 4096
        /// Fine bins per coarse bin when finding the electrolyte's mode (256 coarse bins).
        static let modeBinGroup = 16
        /// Coarse bins in the running sum that smooths the mode's histogram.
        static let modeSmoothingBins = 5
        /// Pixels sampled for the image's grey range.
        static let rangeSamples = 50_000
        /// The grey range runs between these percentiles (robust to outliers).
        static let rangeLowerPercent = 5, rangeUpperPercent = 95
        /// The layer's grey spread is measured over this inner share of its thickness (its edge is blurred).
        static let layerInnerFraction = 0.8
        /// Positions along the edge sampled for the layer's spread.
        static let layerSamplePositions = 512
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
                              anode: AnodeSide?, maximumPhaseFraction: Double, interface: InterfaceDetector.Parameters) -> ThresholdChoice {
        var best = ThresholdChoice(threshold: candidates[0], side: nil, thickness: 0, spread: .infinity)
        let range = intensityRange(smooth)
        for t in candidates {
            let raw = DendrometerSegmentation.segment(smooth, threshold: t, polarity: polarity)
            guard raw.areaFraction <= maximumPhaseFraction else { continue }
            let d = InterfaceDetector.detect(in: raw, side: anode, parameters: interface)
            guard let side = d.side, let thickness = d.sideScores[side], thickness > best.thickness else { continue }
            best = ThresholdChoice(threshold: t, side: side, thickness: thickness,
                                   spread: layerSpread(smooth, side: side, thickness: Int(saturating: thickness),
                                                       lines: d.layerLines[side]) / range)
        }
        return best
    }
    /// 5th–95th percentile range of the image (sampled).
    static func intensityRange(_ image: Image<Float>) -> Double {
        let step = max(1, image.count / Estimation.rangeSamples)
        let sample = stride(from: 0, to: image.count, by: step).map { image.pixels[$0] }.filter(\.isFinite).sorted()
        guard sample.count > 1 else { return 1 }
        let hi = sample.count * Estimation.rangeUpperPercent / 100, lo = sample.count * Estimation.rangeLowerPercent / 100
        return max(1e-9, Double(sample[hi] - sample[lo]))
    }

    /// Standard deviation of the intensity in the band of `thickness` px along `side` (inner 80 %),
    /// over the lines `lines` along it (nil: all; a layer leaving the field is measured where it is in view).
    static func layerSpread(_ image: Image<Float>, side: AnodeSide, thickness: Int, lines: Range<Int>? = nil) -> Double {
        let w = image.width, h = image.height
        let length = side.length(width: w, height: h)
        let span = (lines ?? 0 ..< length).clamped(to: 0 ..< length)
        let t = max(1, Int(saturating: Double(thickness) * Estimation.layerInnerFraction))
        var sum = 0.0, sum2 = 0.0, n = 0.0
        for u in stride(from: span.lowerBound, to: span.upperBound, by: max(1, length / Estimation.layerSamplePositions)) {
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
            let bins = Estimation.histogramBins
            let scale = Double(bins - 1) / Double(hi - lo)
            // Counts per band (integers, so the merged sums are exact in any order).
            let partial = image.pixels.withUnsafeBufferPointer { px in
                // Four interleaved sub-histograms: neighbouring pixels of a smooth
                // image hit the same bin, and one histogram would serialise on it.
                parallelBandResults(image.height, minimumPerBand: 64, initial: { [Int32](repeating: 0, count: 4 * bins) }) { rows, counts in
                    counts.withUnsafeMutableBufferPointer { c in
                        for i in rows.lowerBound * w ..< rows.upperBound * w {
                            let v = px[i]
                            if v.isFinite { c[(i & 3) * bins + Int(saturating: Double(v - lo) * scale)] &+= 1 }
                        }
                    }
                }
            }
            var hist = [Double](repeating: 0, count: bins)
            for counts in partial { for b in 0 ..< 4 * bins { hist[b % bins] += Double(counts[b]) } }
            // A threshold sits at the upper edge of its bin (values above it form the upper class).
            let value: (Int) -> Double = { Double(lo) + (Double($0) + 1) / scale }
            // Mode on 256 coarse bins, 5-bin smoothed (the electrolyte's peak).
            let group = Estimation.modeBinGroup, reach = Estimation.modeSmoothingBins / 2
            let coarse = stride(from: 0, to: bins, by: group).map { hist[$0 ..< min(bins, $0 + group)].reduce(0, +) }
            let smoothed = coarse.indices.map { i in coarse[max(0, i - reach) ... min(coarse.count - 1, i + reach)].reduce(0, +) }
            let peak = smoothed.indices.max { smoothed[$0] < smoothed[$1] }!
            let modeBin = peak * group + group / 2
            mode = Double(lo) + Double(peak * group) / scale   // lower edge of the coarse peak bin
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

}
