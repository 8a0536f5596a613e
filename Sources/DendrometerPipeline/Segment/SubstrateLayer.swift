// An anode or substrate layer with a grey of its own.
//
// Method. The interface is found as a continuous layer *of the phase* along an edge: dendrites
// grow out of the anode and are its material, so in a BSE image the foil has their grey. That
// fails where the electrode the dendrites grow from is not their grey: lithium plated on a copper
// or steel collector, dendrites imaged in secondary-electron contrast (their edges and relief
// bright, a flat electrode darker), a substrate seen against vacuum or the mount. The electrode is
// then still one solid material, a continuous layer of uniform grey along its edge, but on the
// other side of the electrolyte's grey from the phase (darker than bright dendrites, brighter than
// dark ones), and the dendrites rise from its edge, sometimes across a thin dark gap (a shadow, or
// charging) that a threshold reads as part of the darker layer.
//
// So the layer of the opposite grey is sought along the edge (its threshold picked as the
// segmenter picks the phase's, on the same binned preview: the split of the electrolyte's other
// half-peak, or the whole-image Otsu split, whichever gives the thicker solid layer; with the side
// not given, along every edge, the thickest that passes winning). It is the substrate when
//   (1) it is uniform: its grey spread is at most `maximumSpread` of the image's grey range (one
//       solid material; an electrolyte band full of pores, the usual false layer, spreads more), and
//   (2) the phase rises from it: at least ``AnalysisParameters/AnodeLayer/minimumRootPixels``
//       pixels of phase beyond its edge belong to pieces that start within `rootReachPx` of it
//       and reach `minimumRiseOverFoot` times as far from it as their foot is wide, or beyond
//       the band of roots (``AnalysisParameters/AnodeLayer/rootBandFraction`` of the field's
//       depth: a flame on a wide base reaches far into the electrolyte; a grain or a pore
//       touching the layer is as tall as it is wide, and small), and those pieces are
//       at least `minimumRisingShare` of the phase beyond it (a web of grain boundaries may touch
//       the layer, but most of it lies loose in the electrolyte). The share is asked only when the
//       side is left to the image, where it tells the electrode from another uniform layer that
//       loose phase happens to touch. With the anode's side given, the edge is the user's and
//       only needs placing: stripes, bands of the phase lying loose in the electrolyte parallel
//       to the electrode, may then outnumber what rises from it (a tilted stripe scene on a
//       substrate has 29 % of its phase rising).
// The analysis uses it in two places (``DendriteAnalysis``): with the phase given, when the
// phase leaves no layer along the given side (or any); and with the phase decided from the image,
// when the layer the phase was chosen by has nothing of that phase rising from it, or grows the
// other grey and almost none of its own (``otherGreyOutgrowing``: the substrate's grey is the
// uniform layer phase auto looks for, and something of that grey, pores or a shadow along the
// dendrites, always lies beyond it). The other phase is then the dendrites. Both are reported,
// the second for review.
//
// Worked example: bright tongues (grey 200) on a dark electrode (grey 60, spread 0.02 of the grey
// range) under the mount (grey 100), a 4 px gap of grey 20 between them. With --phase bright
// --anode bottom no bright layer exists; the dark threshold (Otsu below the mount's grey) cuts the
// gap and the electrode as one layer, its edge at the tongues' feet, and the tongues (thousands of
// px, each 17 px wide at its foot and 200–420 px tall) start at it: the interface is that edge.
// Had the layer been electrolyte and pores (spread 0.37), or had only grains as wide as tall
// touched it, nothing would be used. With --phase auto the dark layer wins (the bright phase forms
// none); if a few dark grains as tall as wide sit on its edge, nothing dark rises from it (0 px)
// against the tongues' thousands, fewer dark than bright pixels lie 3–6 px beyond its edge, so the
// layer is outgrown and the tongues are measured from it, for review.

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation

/// A layer along an edge, of another grey than the dendrite phase, from which the phase rises.
public struct SubstrateLayer: Sendable, Equatable {
    /// The edge it lies along.
    public var side: AnodeSide
    /// Whether it is brighter than the electrolyte (the phase is then the darker one).
    public var isBright: Bool
    /// The grey threshold that cuts it (pixels past it on its side of the electrolyte's grey).
    public var threshold: Double
    /// 10th-percentile thickness of the solid layer, px.
    public var thicknessPx: Double
    /// Grey standard deviation inside it over the image's 5–95 % grey range.
    public var greySpread: Double
    /// Phase pixels (beyond the layer's edge) in pieces that rise from it: they start within the
    /// root reach of it and reach twice their foot's width, or beyond the band of roots.
    public var risingPixels: Int
    /// Phase pixels beyond the layer's edge, rising or not.
    public var phaseBeyondPixels: Int

    /// What makes a layer of another grey the substrate.
    public struct Parameters: Sendable, Equatable, Codable {
        /// Look for a substrate at all.
        public var enabled = true
        /// Most grey spread inside the layer, as a fraction of the image's 5–95 % grey range: an
        /// electrode is one solid material. Anode layers measure 0.016–0.154 on the validation
        /// split; an electrolyte band with pores read as a layer 0.33 and more.
        public var maximumSpread = 0.2
        /// Phase that starts within this distance of the layer's edge rises from it, px: a dark
        /// gap of a few px (a shadow, charging) may separate dendrites from an electrode of
        /// another material, beyond the phase's own root tolerance.
        public var rootReachPx = 6.0
        /// A piece rises from the layer when it reaches at least this many times as far from the
        /// layer as its foot is wide: a dendrite grows away from the electrode (tongues and
        /// whiskers are many times taller than their foot), while electrolyte grains and pores that
        /// touch the layer's edge are about as tall as they are wide.
        public var minimumRiseOverFoot = 2.0
        /// Dendrites grow from the electrode, so most of the phase beyond it rises from it: at
        /// least this share of the phase's pixels beyond the layer. A phase mostly in loose pieces
        /// (pores, grain boundaries, particles of the electrolyte) is not the electrode's growth.
        /// Asked only with the anode's side not given: stripes lie loose beyond their electrode.
        public var minimumRisingShare = 0.5
        public init() {}
    }

    /// The substrate along `side` (nil: any edge) of `grey` for `phase` (bright or dark, as
    /// `phaseIsBright` says), with its interface detection; nil when no layer of the opposite grey
    /// is uniform enough or has the phase rising from it (see the file's header). With the side
    /// left to the image every edge competes: the electrode is the thickest of the layers the phase
    /// rises from. A uniform layer of the other grey may lie along more than one edge (the mount,
    /// the far side's electrolyte beyond the front), and the thickest alone may have nothing rising
    /// from it; a growth that spans the field rises from both ends, where the thicker is kept.
    ///
    /// - Parameters:
    ///   - grey: the denoised field the phase was thresholded from.
    ///   - phase: the phase, same shape.
    ///   - parameters: the analysis's parameters (threshold, interface, anode layer).
    ///   - pixelSize: for the interface's calibrated minima (nil: uncalibrated).
    public static func find(grey: Image<Float>, phase: BinaryMask, phaseIsBright: Bool, side: AnodeSide?,
                            parameters: AnalysisParameters, pixelSize: PixelSize?) -> (layer: SubstrateLayer, detection: InterfaceDetection)? {
        guard parameters.anodeLayer.substrate.enabled, grey.width == phase.width, grey.height == phase.height,
              let split = try? ThresholdSegmenter.PhaseThresholds(grey) else { return nil }
        // Picked on the binned preview, as the segmenter picks the phase's threshold (so the
        // spread is read as the phase hypotheses' is).
        let bin = max(1, min(grey.width, grey.height) / max(1, parameters.threshold.previewShortSidePx))
        let preview = grey.binned(by: bin)
        func layer(along side: AnodeSide, askingShare: Bool) -> (layer: SubstrateLayer, detection: InterfaceDetection)? {
            along(side, grey: grey, preview: preview, bin: bin, split: split, phase: phase, phaseIsBright: phaseIsBright,
                  askingShare: askingShare, parameters: parameters, pixelSize: pixelSize)
        }
        if let side { return layer(along: side, askingShare: false) }
        var best: (layer: SubstrateLayer, detection: InterfaceDetection)?
        for edge in AnodeSide.allCases {
            if let found = layer(along: edge, askingShare: true), found.layer.thicknessPx > best?.layer.thicknessPx ?? 0 { best = found }
        }
        return best
    }

    /// The substrate along `side` (the rule of the file's header; the rising share asked when
    /// `askingShare`), its threshold picked on `preview` (`grey` binned by `bin`).
    private static func along(_ side: AnodeSide, grey: Image<Float>, preview: Image<Float>, bin: Int, split: ThresholdSegmenter.PhaseThresholds,
                              phase: BinaryMask, phaseIsBright: Bool, askingShare: Bool,
                              parameters: AnalysisParameters, pixelSize: PixelSize?) -> (layer: SubstrateLayer, detection: InterfaceDetection)? {
        let layerPolarity: DendrometerSegmentation.Polarity = phaseIsBright ? .dark : .bright
        let candidates = phaseIsBright ? [split.dark, split.otsu] : [split.bright, split.otsu]
        let interfaceParameters = parameters.interfaceParameters(pixelSize: pixelSize)
        var choice = ThresholdSegmenter.pickThreshold(preview, candidates, polarity: layerPolarity, anode: side,
                                                      maximumPhaseFraction: parameters.threshold.maximumPhaseFraction,
                                                      interface: interfaceParameters)
        choice.thickness *= Double(bin)
        guard let layerSide = choice.side, choice.thickness > 0, choice.spread <= parameters.anodeLayer.substrate.maximumSpread else { return nil }
        let layerMask = DendrometerSegmentation.segment(grey, threshold: choice.threshold, polarity: layerPolarity)
        let detection = InterfaceDetector.detect(in: layerMask, side: layerSide, parameters: interfaceParameters)
        guard let interface = detection.interface,
              let growth = growth(of: phase, from: interface, parameters: parameters, askingShare: askingShare) else { return nil }
        return (SubstrateLayer(side: layerSide, isBright: !phaseIsBright, threshold: choice.threshold, thicknessPx: choice.thickness,
                               greySpread: choice.spread, risingPixels: growth.rising, phaseBeyondPixels: growth.beyond), detection)
    }

    /// With the phase given and its own layer found: when nothing of the phase lies at the layer's
    /// edge (fewer than ``AnalysisParameters/AnodeLayer/minimumRootPixels`` px within `rootReachPx`
    /// beyond it), the pixels of the opposite grey (past the electrolyte's other Otsu split) that
    /// rise from that edge as the substrate's phase must (see the file's header); nil when
    /// something of the phase lies at the edge or the other grey does not rise. A layer that
    /// grows the other grey and none of its own says the phase was given the wrong way round.
    public static func otherGreyRising(grey: Image<Float>, phase: BinaryMask, phaseIsBright: Bool, interface: Interface,
                                       parameters: AnalysisParameters) -> Int? {
        let p = parameters.anodeLayer.substrate, minimum = parameters.anodeLayer.minimumRootPixels
        guard p.enabled, grey.width == phase.width, grey.height == phase.height,
              pixels(of: phase, within: p.rootReachPx, beyond: interface) < minimum,
              let split = try? ThresholdSegmenter.PhaseThresholds(grey) else { return nil }
        let other = DendrometerSegmentation.segment(grey, threshold: phaseIsBright ? split.dark : split.bright,
                                                   polarity: phaseIsBright ? .dark : .bright)
        return growth(of: other, from: interface, parameters: parameters)?.rising
    }

    /// Phase auto: the other grey outgrowing the phase from the edge of the layer the phase was chosen by.
    public struct Outgrowth: Sendable, Equatable {
        /// Pixels of the other grey beyond the layer in pieces that rise from its edge.
        public var otherRisingPx: Int
        /// Pixels of the phase beyond the layer in pieces that rise from its edge (the same rule).
        public var phaseRisingPx: Int
        /// When both rise: the phase's and the other grey's contrast against the rest of the field,
        /// in noise standard deviations (``PhaseContrast/contrastToNoise``); nil when the phase
        /// rises less than ``AnalysisParameters/Review/alternativeGrowthShare`` of the other.
        public var contrastsToNoise: (phase: Double, other: Double)?

        public static func == (a: Outgrowth, b: Outgrowth) -> Bool {
            a.otherRisingPx == b.otherRisingPx && a.phaseRisingPx == b.phaseRisingPx
                && a.contrastsToNoise?.phase == b.contrastsToNoise?.phase && a.contrastsToNoise?.other == b.contrastsToNoise?.other
        }
    }

    /// Phase auto, with the phase's own layer found: the other polarity's phase (`otherPhase`, as
    /// the segmenter makes it at `otherThreshold`) rising from that layer's edge as the substrate's
    /// phase must (see the file's header), when the phase itself rises from it less than
    /// ``AnalysisParameters/Review/alternativeGrowthShare`` of that, by the same rule; nil
    /// otherwise. The layer then grows the other grey and (almost) none of its own: it is an
    /// electrode of another grey than the dendrites, which are the other grey. So it is too when
    /// both rise but the phase stands out from the rest of the field by less than
    /// ``AnalysisParameters/Review/faintPhaseContrastToNoise`` noise standard deviations
    /// (`phaseContrastToNoise`, ``PhaseContrast``) and the other grey by at least that: a threshold that close
    /// to the electrolyte's grey picks the electrolyte's own noise, whose bright (or dark) tail
    /// percolates from the layer's edge across the field, while the dendrites are a material of
    /// their own grey. The other grey must
    /// be a phase in the electrolyte, at most ``AnalysisParameters/Threshold/maximumPhaseFraction``
    /// of the field beyond the layer: a layer of the phase over a matrix of the other grey (bright
    /// stripes on a bright foil in a darker electrolyte) has the matrix itself touching its edge
    /// and reaching across the field.
    ///
    /// `otherPhase` is asked for only when the phase is that faint or more of the grey past
    /// `otherThreshold` than of the phase lies in the outer half of `rootReachPx` beyond the edge
    /// (either way, at least half
    /// ``AnalysisParameters/AnodeLayer/minimumRootPixels``; the inner half holds the layer's own
    /// blurred edge): dendrites stand on their electrode's edge, so a layer whose edge carries
    /// mostly its own phase's feet costs one pass over that band.
    public static func otherGreyOutgrowing(grey: Image<Float>, phase: BinaryMask, phaseIsBright: Bool, phaseContrastToNoise: Double? = nil,
                                           otherThreshold: Double, otherPhase: () -> BinaryMask?, interface: Interface,
                                           parameters: AnalysisParameters) -> Outgrowth? {
        let p = parameters.anodeLayer.substrate
        guard p.enabled, grey.width == phase.width, grey.height == phase.height else { return nil }
        let faint = phaseContrastToNoise.map { abs($0) < parameters.review.faintPhaseContrastToNoise } ?? false
        // As `segment` cuts it: the dark side keeps v ≤ t, the bright side v > t. Compared in the
        // outer half of the reach, beyond the layer's own blurred edge (a fringe of the phase
        // along the whole edge, which would outnumber the feet of a few dendrites).
        let outerHalf = p.rootReachPx / 2
        let otherAtEdge = grey.pixels.withUnsafeBufferPointer { g in
            count(from: outerHalf, within: p.rootReachPx, beyond: interface, width: grey.width, height: grey.height) { i in
                let v = Double(g[i])
                return phaseIsBright ? v <= otherThreshold : v > otherThreshold
            }
        }
        let phaseAtEdge = phase.bits.withUnsafeBufferPointer { bits in
            count(from: outerHalf, within: p.rootReachPx, beyond: interface, width: phase.width, height: phase.height) { bits[$0] != 0 }
        }
        guard 2 * otherAtEdge >= parameters.anodeLayer.minimumRootPixels, faint || otherAtEdge > phaseAtEdge else { return nil }
        // The other grey must be a phase in the electrolyte, not the electrolyte itself (a layer of
        // the phase over a darker or brighter matrix: its threshold then cuts the matrix, which
        // fills the field beyond and touches the whole edge), as a threshold candidate must.
        guard let other = otherPhase(), other.width == phase.width, other.height == phase.height,
              let otherGrowth = growth(of: other, from: interface, parameters: parameters),
              Double(otherGrowth.beyond) <= parameters.threshold.maximumPhaseFraction * Double(pixelsBeyond(interface, width: phase.width, height: phase.height))
        else { return nil }
        let otherRising = otherGrowth.rising
        let phaseRising = risingPixels(of: phase, from: interface, reachPx: p.rootReachPx, riseOverFoot: p.minimumRiseOverFoot,
                                       orBeyondPx: rootBand(of: interface, width: phase.width, height: phase.height, parameters: parameters)).rising
        if Double(phaseRising) < parameters.review.alternativeGrowthShare * Double(otherRising) {
            return Outgrowth(otherRisingPx: otherRising, phaseRisingPx: phaseRising)
        }
        // Both rise: the phase barely out of the electrolyte's noise, the other grey not.
        guard faint, let phaseContrast = phaseContrastToNoise, let otherContrast = PhaseContrast.measure(grey, phase: other)?.contrastToNoise,
              abs(otherContrast) >= parameters.review.faintPhaseContrastToNoise else { return nil }
        return Outgrowth(otherRisingPx: otherRising, phaseRisingPx: phaseRising, contrastsToNoise: (phaseContrast, otherContrast))
    }

    /// The band of roots beyond `interface`, px: ``AnalysisParameters/AnodeLayer/rootBandFraction``
    /// of the field's depth from that side.
    static func rootBand(of interface: Interface, width: Int, height: Int, parameters: AnalysisParameters) -> Double {
        parameters.anodeLayer.rootBandFraction * Double(interface.side.extent(width: width, height: height))
    }

    /// The pixels of `phase` rising from `interface` (``risingPixels(of:from:reachPx:riseOverFoot:orBeyondPx:)``
    /// with the substrate's parameters and the band of roots of the field's depth) when they are
    /// the electrode's growth: at least ``AnalysisParameters/AnodeLayer/minimumRootPixels`` px and,
    /// when `askingShare` (the side not given), `minimumRisingShare` of the phase beyond it; with
    /// all the phase's pixels beyond it; nil otherwise.
    static func growth(of phase: BinaryMask, from interface: Interface, parameters: AnalysisParameters,
                       askingShare: Bool = true) -> (rising: Int, beyond: Int)? {
        let p = parameters.anodeLayer.substrate
        let (rising, beyond) = risingPixels(of: phase, from: interface, reachPx: p.rootReachPx, riseOverFoot: p.minimumRiseOverFoot,
                                            orBeyondPx: rootBand(of: interface, width: phase.width, height: phase.height, parameters: parameters))
        return rising >= parameters.anodeLayer.minimumRootPixels && (!askingShare || Double(rising) >= p.minimumRisingShare * Double(beyond)) ? (rising, beyond) : nil
    }

    /// Pixels of a `width` × `height` field beyond `interface` (offset v − g(u) > 0).
    static func pixelsBeyond(_ interface: Interface, width: Int, height: Int) -> Int {
        let extent = interface.side.extent(width: width, height: height)
        return (0 ..< interface.side.length(width: width, height: height)).reduce(0) { sum, u in
            let firstBeyond = Int(saturating: interface.height(atU: Double(u)).rounded(.down)) + 1
            return sum + extent - min(extent, max(0, firstBeyond))
        }
    }

    /// Pixels of `mask` whose offset beyond `interface` (v − g(u), at least their depth) is in
    /// (0, `reachPx`]: one column of the interface frame at a time, only the band's rows read.
    static func pixels(of mask: BinaryMask, within reachPx: Double, beyond interface: Interface) -> Int {
        mask.bits.withUnsafeBufferPointer { bits in
            count(within: reachPx, beyond: interface, width: mask.width, height: mask.height) { bits[$0] != 0 }
        }
    }

    /// Pixels (row-major indices of a `width` × `height` field) whose offset beyond `interface`
    /// (v − g(u)) is in (`fromPx`, `reachPx`] and that satisfy `isCounted`: one column of the
    /// interface frame at a time, only the band's rows read.
    @inline(__always)
    static func count(from fromPx: Double = 0, within reachPx: Double, beyond interface: Interface, width w: Int, height h: Int,
                      where isCounted: (Int) -> Bool) -> Int {
        let side = interface.side
        let extent = side.extent(width: w, height: h)
        var count = 0
        for u in 0 ..< side.length(width: w, height: h) {
            let g = interface.height(atU: Double(u))
            let first = max(0, Int(saturating: (g + fromPx).rounded(.down))), last = min(extent - 1, Int(saturating: (g + reachPx).rounded(.down)))
            guard first <= last else { continue }
            for v in first ... last where Double(v) > g + fromPx && isCounted(side.index(u: u, v: v, width: w, height: h)) { count += 1 }
        }
        return count
    }

    /// Pixels of `phase` beyond `interface` in 8-connected pieces that come within `reachPx` of it
    /// and reach at least `riseOverFoot` times as far from it as their foot (the positions along
    /// it where they are within `reachPx`) is wide, or farther than `orBeyondPx`; and all pixels
    /// of `phase` beyond it.
    static func risingPixels(of phase: BinaryMask, from interface: Interface, reachPx: Double,
                             riseOverFoot: Double, orBeyondPx: Double = .infinity) -> (rising: Int, beyond: Int) {
        let beyond = interface.electrolyteSide(of: phase)
        let m = DendriteComponents(beyond, interface: interface, rootTolerancePx: reachPx).moments
        let rising = m.area.indices.reduce(0) { sum, l in
            let rises = m.maxDepth[l] >= riseOverFoot * Double(max(1, m.base[l])) || m.maxDepth[l] > orBeyondPx
            return m.rooted[l] && rises ? sum + m.area[l] : sum
        }
        return (rising, beyond.area)
    }
}
