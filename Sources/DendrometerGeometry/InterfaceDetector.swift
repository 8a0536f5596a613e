// Finding the anode/electrolyte interface in a phase mask.
//
// Method (docs/REFERENCE.md §4, "the boundary of the continuous anode layer ... not
// fooled by dendrites rising from it"):
// 1. For each candidate side, walk every line perpendicular to that edge from
//    the edge inward. Beyond the anode there may be a current collector or the
//    mount (not phase): up to `maximumOuterFraction` of the extent is skipped
//    until the phase begins. The layer then runs until the phase gives way to
//    ≥ `gapTolerance` background pixels (noise holes do not stop it); its end
//    is the layer height h(u). A line cannot tell a hole in the layer from the
//    layer's end, but the lines beside it can: where phase lies at the same
//    depth within `enclosedHoleReach` lines on BOTH sides, the gap is enclosed
//    by the layer (shot noise past the threshold leaves holes a few px across
//    in a metal layer near the threshold's grey, e.g. a noisy anode or a steel
//    collector behind it), and the walk goes on; the electrolyte beyond the
//    edge is open across many lines and ends it. h(u) is still the line's own
//    last phase pixel, so a clean edge is found where it was.
//    The anode side is the one whose layer is
//    continuous and solid: the largest 10th percentile of the layer thickness
//    (a speckled cathode or stray pores have a low percentile; dendrites only
//    raise the high ones).
// 2. Dendrites rising from the layer make h(u) spike upward, never downward.
//    Where they are sparse, a LOW quantile (25th percentile) of h over a window
//    along the interface finds the layer's edge; a quadratic (tilt + gentle
//    curvature) is fitted to those knots by iteratively reweighted least squares
//    with Tukey's biweight (Mosteller & Tukey 1977).
// 3. Where dendrites are dense (wide flame bases, a network touching the
//    anode) the windows' low quantiles still sit on dendrites. The curve is
//    therefore fitted one-sidedly to every h(u) (``EdgeCurveFit``): points more
//    than a few roughness widths ABOVE it are dendrites and get no weight,
//    points below it are the edge's roughness (biweight, so holes in the anode
//    are rejected), its bow is limited, and an annealed fit and a RANSAC fit
//    compete for the heights that rest on them.
// 4. Each knot then departs from the fit by a low quantile of the detrended
//    heights of the non-dendrite points in its window (clipped, median-
//    smoothed), which follows mild waviness.
// 5. Where the edge is wavier than a quadratic can follow (near the ends of a
//    long interface), a whole window's heights can lie above the curve's
//    tolerance: they would be taken for dendrites and the knot extrapolated,
//    tens of px off the edge in plain view. But the edge is one smooth line,
//    while a dendrite rises from it with a step. So the edge is followed along
//    the interface from the heights within tolerance: the next height is edge
//    while it stays within 3 σ + `maximumEdgeSlope` × W/2 of the median of the
//    last W edge heights (W = `edgeContinuationWindow`). A window without
//    heights within tolerance takes its quantile from these continued heights.
//    Windows that see the edge within tolerance are measured as before.
// 6. The walk of step 1 can also end too early: at a hole through the anode,
//    or, where the mount or a collector behind the anode is near the threshold's
//    grey, in that outer material read as phase, at the seam before the anode.
//    Such a height lies far below the curve, in the outer part of the layer,
//    where the edge of one continuous layer cannot be. Heights more than the
//    largest knot departure below the curve and below `earlyEndShareOfLayer` of
//    its height measure no knot (they still enter the fit, whose biweight
//    rejects them).
// The interface lies half a pixel beyond the last layer pixel (pixel edges).
//
// Example (step 1): a 40 px layer with holes 2 lines wide and 6 px long at
// depth 10 … 15 (longer than the 3 px gap tolerance). On the holes' lines the
// walk used to end at 10; the lines 1 and 2 beyond each side of a hole are
// phase there, so it goes on to 40. An opening 8 lines wide at depth 20 still
// ends the walk of its lines at 20: their neighbours within 2 lines are open
// on at least one side.
//
// Example (step 5): the edge rises smoothly from 40 to 60 px over the first 200
// positions of a 1280-px interface, while the curve stays at 40: with σ = 1 the
// allowance is 3 + 0.08 × 16 = 4.3 px, the edge departs from the median of its
// last 32 heights by 0.1 × 16 = 1.6 px, and is followed to the end; a whisker
// rising 50 px from it is a step of 50 px and is left out.
//
// Example (step 6): a layer whose edge is 200 px from the field's edge, where
// over the last third of the interface the mount, read as phase, ends at a
// seam 10 … 60 px from the edge: those heights are 140 … 190 px below the
// curve (more than the 2 % waviness limit, 28 px on a 1400 px interface) and
// below half its height, so the knots there are measured from the edge heights
// beside them instead of being pulled 28 px toward the mount.
//
// Example: a flat layer 40 px thick along the bottom with a flame 200 px wide
// at its base on a 768-px edge: windows over the flame have 25th percentiles
// on the flame, but the one-sided refinement gives them no weight and the
// interface stays at 39.5 px from the edge across the flame's base.

import DendrometerCore
import Foundation

/// The outcome of interface detection.
public struct InterfaceDetection: Sendable {
    /// The interface, or nil when no continuous anode layer is in view.
    public var interface: Interface?
    /// The chosen side (nil when none qualifies).
    public var side: AnodeSide?
    /// Layer-continuity score of every side examined: 10th percentile of the layer height, px.
    public var sideScores: [AnodeSide: Double]
    /// The lines (positions along the edge) each examined side's score was measured over: all of
    /// them, or those of a layer leaving the field at one end (``InterfaceDetector/leavingLayer(thickness:parameters:)``).
    public var layerLines: [AnodeSide: Range<Int>] = [:]
    /// Share of the chosen side's edge along which its layer is in view, when the layer leaves
    /// the field at one end (a tilted section, ``InterfaceDetector/leavingLayer(thickness:parameters:)``);
    /// nil when it runs along the whole edge. The interface is carried on along its tangent beyond it.
    public var leavingLayerShare: Double?
    /// Human-readable explanation of the choice.
    public var explanation: String
    /// Share of the interface's knots whose window shows no edge (hidden under dendrite bases, or
    /// beyond the point where a layer leaves the field), where the interface is interpolated or
    /// extrapolated, 0…1.
    public var hiddenFraction: Double = 0
    /// Root-mean-square distance, px, between the fitted interface and the visible edge of the
    /// layer (the edge heights the fit calls layer, not dendrite base); nil when no edge was seen.
    /// It grows with the edge's own roughness (grains, polishing relief) and with a poor fit.
    public var edgeResidualPx: Double?
    /// Knots moved to the anode foil's grey edge (``SolidLayerEdge``), and the largest move, px;
    /// nil when the grey edge was not sought (a drawn interface, a mask, a dark phase).
    public var greyEdge: (movedKnots: Int, largestShiftPx: Double)?
    /// For each line of the chosen side's edge, where its layer begins, px from the edge (0: at
    /// the edge; more: something not read as phase lies behind it, a collector or the mount);
    /// empty when no side was chosen or the detection was given.
    public var layerStartPx: [Int] = []
    /// Side auto, a layer that begins away from the edge: (median grey behind it − the
    /// electrolyte's median grey) / the electrolyte's noise σ (``AnodeLayerGrey/backing(grey:side:layerStartPx:minimumBackingPx:)``);
    /// nil when the layer begins at the edge or this was not measured. Set by the analysis, which has the grey.
    public var backingContrastToNoise: Double?

    /// A detection outcome (e.g. an interface given by the user: no edge statistics).
    public init(interface: Interface?, side: AnodeSide?, sideScores: [AnodeSide: Double], explanation: String,
                hiddenFraction: Double = 0, edgeResidualPx: Double? = nil) {
        self.interface = interface; self.side = side; self.sideScores = sideScores; self.explanation = explanation
        self.hiddenFraction = hiddenFraction; self.edgeResidualPx = edgeResidualPx
    }
}

/// Finds the anode layer and its boundary in a phase mask.
public enum InterfaceDetector {
    /// Tuning parameters; lengths in px.
    public struct Parameters: Sendable, Equatable, Codable {
        /// Background pixels in a row that end the anode layer (shorter gaps are noise).
        public var gapTolerance = 3
        /// A gap in a line of the layer walk with phase at the same depth within this many lines
        /// on both sides is a hole enclosed by the layer (noise past the threshold, a pore), not
        /// its end; 0 ends the layer at any gap of ``gapTolerance`` px. The electrolyte beyond
        /// the layer is open across many lines; a hole through a solid metal layer is a few px
        /// across (the denoising blur's footprint for noise).
        public var enclosedHoleReach = 2
        /// Minimum 10th-percentile layer thickness for a side to hold an anode, px.
        public var minimumLayerThickness = 4.0
        /// Minimum share of phase pixels in the layer band for a side to count as an anode.
        public var minimumSolidity = 0.9
        /// A layer thicker than this fraction of the image extent leaves no electrolyte and is rejected.
        public var maximumLayerFraction = 0.9
        /// Number of knots across the image.
        public var knots = 17
        /// Half-width of each knot's window as a fraction of the interface length.
        public var windowFraction = 1.0 / 16
        /// Low quantile of the layer height taken in each window.
        public var quantile = 0.25
        /// Quantile of the detrended layer heights in each window (second pass).
        public var detrendedQuantile = 0.4
        /// Largest departure of a knot from the smooth fit, as a fraction of the interface length.
        public var maximumWaviness = 0.02
        /// The layer may begin this far from the edge (a current collector or the mount beyond
        /// the anode), as a fraction of the image extent.
        public var maximumOuterFraction = 0.4
        /// A layer beginning at least this far from the edge (median, px) has something behind it …
        public var minimumBackingPx = 3.0
        /// … and is then seen whole: thinner than this (10th percentile, px) it is not an anode foil.
        /// The analysis sets it from ``minimumEnclosedLayer`` µm on calibrated images.
        public var minimumEnclosedLayerThickness = 10.0
        /// One-sided refinement: layer heights more than this many noise widths (robust σ of the
        /// heights below the fit) above the fit are dendrites, not the layer's edge.
        public var dendriteResidualWidths = 3.0
        /// Smallest noise width, px (pixel quantisation of the edge).
        public var minimumEdgeNoisePx = 1.0
        /// A knot's window measures the edge's local waviness only when at least this share of
        /// its positions show the edge (not a dendrite); otherwise the knot is interpolated.
        public var minimumEdgeShareOfWindow = 0.05
        /// A pressed pellet's anode surface bows by at most this fraction of the interface length
        /// (the sagitta of the fitted quadratic); more bow would let the curve bend around a flame.
        public var maximumSagittaFraction = 0.05
        /// The anode's edge is smooth: relative to the fitted curve it rises or falls by at most this
        /// many px per px along the interface (waviness the quadratic cannot follow). A layer height
        /// that continues the edge seen beside it within this slope is edge too; a dendrite rises
        /// from the edge with a step. 0 turns the continuation off.
        public var maximumEdgeSlope = 0.08
        /// Edge heights (px along the interface) whose median is the continuation's reference.
        public var edgeContinuationWindow = 32
        /// The anode is one continuous layer: a layer height that lies more than the largest knot
        /// departure (``maximumWaviness``) below the fitted curve and below this share of the
        /// curve's height (the walk ended in the outer part of the layer: a hole through the foil,
        /// or the mount or a collector read as phase and ending at the seam before the anode) does
        /// not measure the edge. 0 keeps every height.
        public var earlyEndShareOfLayer = 0.5
        /// Two edge curves are compared by the layer heights within this fraction of the interface
        /// length of them (minus those further below): the edge is the curve most heights rest on.
        public var curveSelectionBandFraction = 0.02
        /// A layer leaving the field (``leavingLayer(thickness:parameters:)``): the edge is followed
        /// in this many blocks, each summed up by its median thickness (dendrites only thicken a
        /// line, noise holes only thin a few). Numerical: fine enough to see a ramp, coarse enough
        /// for a median of many lines.
        public var leavingBlocks = 16
        /// … it is counted where its blocks are at least this fraction as thick as its thickest: in
        /// a tilted section the foil thins linearly toward the point where it leaves the field, and
        /// beyond that point what touches the edge is dendrite phase, a few px deep. 0 turns the
        /// rule off.
        public var leavingFloorFraction = 0.2
        /// … over at least this share of the edge (a foil that shows only a corner of itself is
        /// not told from a dendrite touching the edge) …
        public var leavingMinimumEdgeShare = 1.0 / 3
        /// … and thins steadily toward that point: a block may be thicker than the one before it
        /// (counted from the thick end) by at most this fraction of the thickest block (the edge's
        /// roughness and the dendrites that lift a block's median), never more.
        public var leavingRampSlackFraction = 0.05
        /// … at a rate that a tilted section gives: the foil's edge crosses the field at the tilt
        /// angle, so its thickness falls by tan(tilt) px per px along the edge. A section cut or
        /// mounted more than this many degrees from square to the interface would show the
        /// electrode obliquely; a steeper "ramp" is the electrolyte's bulk behind dendrites
        /// touching the edge, not a foil.
        public var leavingMaximumTiltDegrees = 20.0

        /// Default parameters.
        public init() {}
    }

    /// Detects the interface of the anode layer in `mask` (phase = anode material,
    /// usually the same phase as the dendrites).
    ///
    /// - Parameters:
    ///   - mask: phase mask of shape (rows, cols), typically the scanned field without the data bar.
    ///   - side: the anode side if known (`--anode SIDE`), nil to decide.
    /// - Returns: the interface and the reasoning; `interface == nil` when no side has a continuous layer.
    public static func detect(in mask: BinaryMask, side: AnodeSide? = nil,
                              parameters p: Parameters = Parameters()) -> InterfaceDetection {
        guard mask.width >= 2, mask.height >= 2 else {
            return InterfaceDetection(interface: nil, side: nil, sideScores: [:], explanation: "image too small for an interface")
        }
        let candidates = side.map { [$0] } ?? AnodeSide.allCases
        var heights: [AnodeSide: [Int]] = [:]
        var scores: [AnodeSide: Double] = [:]
        var solidity: [AnodeSide: Double] = [:]
        var layerLines: [AnodeSide: Range<Int>] = [:]
        var starts: [AnodeSide: [Int]] = [:]
        for s in candidates {
            let outer = Int(saturating: p.maximumOuterFraction * Double(s.extent(width: mask.width, height: mask.height)))
            let runs = layerRuns(mask, side: s, gap: p.gapTolerance, maximumOuter: outer, holeReach: p.enclosedHoleReach)
            heights[s] = runs.end
            starts[s] = runs.start
            let lines = zip(runs.start, runs.end).map { Double($1 - $0) }
            var thickness = quantile(lines, 0.10)
            var covered = 0 ..< lines.count
            // A tilted foil that leaves the field at one end is continuous where it is in view.
            if let leaving = leavingLayer(thickness: lines, parameters: p) {
                let partial = quantile(Array(lines[leaving]), 0.10)
                if partial > thickness { thickness = partial; covered = leaving }
            }
            // A real anode layer is solid; a noisy half-filled phase (e.g. the
            // darker half of a granular electrolyte) also yields long runs but not
            // a solid band. Solidity: phase share of each line's first `thickness` layer px.
            let fill = layerSolidity(mask, side: s, start: runs.start, thickness: Int(saturating: thickness), lines: covered)
            solidity[s] = fill
            layerLines[s] = covered
            // A "layer" filling (nearly) the whole image leaves no electrolyte: not an anode.
            let room = Double(s.extent(width: mask.width, height: mask.height))
            // A layer with something behind it (collector, mount) is seen whole, and an anode
            // foil is tens of µm thick: a thin band behind a stretch of non-phase is a band in the
            // electrolyte (a stripe) with the anode out of view.
            let behind = quantile(zip(runs.start, runs.end).filter { $1 > 0 }.map { Double($0.0) }, 0.5)
            let enclosedTooThin = behind >= p.minimumBackingPx && thickness < p.minimumEnclosedLayerThickness
            scores[s] = fill >= p.minimumSolidity && thickness < p.maximumLayerFraction * room && !enclosedTooThin ? thickness : 0
        }
        let ranked = candidates.sorted { scores[$0]! > scores[$1]! }
        let best = ranked[0]
        let describe = ranked.map {
            "\($0.rawValue) \(PixelSizeText.short(scores[$0]!)) px (solid \(Int(saturating: (100 * solidity[$0]!).rounded())) %)"
        }.joined(separator: ", ")
        guard scores[best]! >= p.minimumLayerThickness else {
            var none = InterfaceDetection(
                interface: nil, side: nil, sideScores: scores,
                explanation: "no continuous anode layer along any examined edge (10th-percentile layer thickness: \(describe); need ≥ \(PixelSizeText.short(p.minimumLayerThickness)) px)")
            none.layerLines = layerLines
            return none
        }
        // A layer leaving the field is fitted where it is in view: beyond the point where it leaves,
        // what touches the edge is dendrite phase, whose heights say nothing of the foil's edge (a
        // line without a layer measures no edge, and the fitted edge is carried on out of view).
        var layer = heights[best]!
        var leavingShare: Double?
        var inViewLines: Range<Int>?
        if let inView = layerLines[best], inView.count < layer.count {
            for u in layer.indices where !inView.contains(u) { layer[u] = 0 }
            leavingShare = Double(inView.count) / Double(layer.count)
            inViewLines = inView
        }
        let (interface, hidden, residual) = fit(layer, side: best, width: mask.width, height: mask.height,
                                                parameters: p, inView: inViewLines)
        let why = side == nil
            ? "anode at the \(best.rawValue): the most continuous layer (10th-percentile thickness \(describe))"
            : "anode at the \(best.rawValue) (given)"
        var detection = InterfaceDetection(interface: interface, side: best, sideScores: scores, explanation: why)
        detection.hiddenFraction = hidden
        detection.edgeResidualPx = residual
        detection.layerLines = layerLines
        detection.leavingLayerShare = leavingShare
        detection.layerStartPx = starts[best]!
        return detection
    }

    /// Share of phase pixels in each line's first `thickness` layer pixels (from `start[u]`), over
    /// the lines `lines` (nil: all).
    static func layerSolidity(_ mask: BinaryMask, side: AnodeSide, start: [Int], thickness: Int, lines: Range<Int>? = nil) -> Double {
        let w = mask.width, h = mask.height
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        guard thickness > 0 else { return 0 }
        var phase = 0, total = 0
        mask.bits.withUnsafeBufferPointer { bits in
            for u in (lines ?? 0 ..< length).clamped(to: 0 ..< length) {
                let a = start[u], b = min(extent, start[u] + thickness)
                for v in a ..< max(a, b) { phase &+= Int(bits[side.index(u: u, v: v, width: w, height: h)]) }
                total += thickness
            }
        }
        return total > 0 ? Double(phase) / Double(total) : 0
    }

    /// The largest ``Parameters/enclosedHoleReach`` honoured, lines: a bound on the work per
    /// pixel whatever a parameter file says (a resource limit, not physics: holes are a few px).
    static let maximumEnclosedHoleReach = 64

    /// The layer on every line perpendicular to the `side` edge: `start[u]` its first phase
    /// pixel (at most `maximumOuter` px from the edge, else no layer) and `end[u]` one past its
    /// last (gaps shorter than `gap` px do not end it, nor do gaps with phase within `holeReach`
    /// lines on both sides: holes enclosed by the layer); both 0 where there is no layer.
    static func layerRuns(_ mask: BinaryMask, side: AnodeSide, gap: Int, maximumOuter: Int,
                          holeReach reach: Int = Parameters().enclosedHoleReach) -> (start: [Int], end: [Int]) {
        let w = mask.width, h = mask.height
        let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
        let holeReach = min(max(0, reach), maximumEnclosedHoleReach)   // a parameter file's value, bounded
        var start = [Int](repeating: 0, count: length), end = start
        // One line's walk, fed one pixel at a time: outer stretch, then layer, then done.
        struct Walk {
            var inLayer = false, done = false
            var first = 0, last = 0, run = 0
            /// `phase`: the line's own pixel; `beside`: phase at the same v within `holeReach` lines
            /// on both sides of it.
            @inline(__always) mutating func step(_ phase: Bool, beside: Bool, _ v: Int, gap: Int, outer: Int) {
                if !inLayer {
                    if phase { inLayer = true; first = v; last = v + 1; run = 0 } else if v >= outer { done = true }
                } else if phase {
                    last = v + 1; run = 0
                } else if beside {
                    run = 0   // a hole enclosed across by the layer (step 1 of the header)
                } else {
                    run += 1
                    if run >= gap { done = true }
                }
            }
        }
        // Whether the lines on both sides of line u have phase (`isPhase(line)`) within `holeReach`
        // lines at the walk's current v: then a gap on line u is a hole enclosed by the layer.
        @inline(__always) func enclosed(_ u: Int, _ isPhase: (Int) -> Bool) -> Bool {
            var below = false, above = false
            for d in stride(from: 1, through: holeReach, by: 1) {
                if !below, u - d >= 0, isPhase(u - d) { below = true }
                if !above, u + d < length, isPhase(u + d) { above = true }
            }
            return below && above
        }
        start.withUnsafeMutableBufferPointer { sb in
            end.withUnsafeMutableBufferPointer { eb in
                let so = SendablePointer(sb.baseAddress!), eo = SendablePointer(eb.baseAddress!)
                mask.bits.withUnsafeBufferPointer { bits in
                    if side == .top || side == .bottom {
                        // Columns walked together row by row from the edge (row-major memory order).
                        parallelBands(length, minimumPerBand: 256) { band in
                            var walks = [Walk](repeating: Walk(), count: band.count)
                            var live = band.count, v = 0
                            while v < extent && live > 0 {
                                let row = side.index(u: 0, v: v, width: w, height: h)
                                for k in 0 ..< band.count where !walks[k].done {
                                    let u = band.lowerBound + k
                                    let own = bits[row + u] != 0
                                    let beside = !own && walks[k].inLayer && enclosed(u) { bits[row + $0] != 0 }
                                    walks[k].step(own, beside: beside, v, gap: gap, outer: maximumOuter)
                                    if walks[k].done { live -= 1 }
                                }
                                v += 1
                            }
                            for k in 0 ..< band.count where walks[k].inLayer {
                                so.base[band.lowerBound + k] = walks[k].first
                                eo.base[band.lowerBound + k] = walks[k].last
                            }
                        }
                    } else {
                        parallelBands(length, minimumPerBand: 64) { band in
                            for u in band {
                                var walk = Walk(), v = 0
                                while v < extent && !walk.done {
                                    let own = bits[side.index(u: u, v: v, width: w, height: h)] != 0
                                    let beside = !own && walk.inLayer
                                        && enclosed(u) { bits[side.index(u: $0, v: v, width: w, height: h)] != 0 }
                                    walk.step(own, beside: beside, v, gap: gap, outer: maximumOuter)
                                    v += 1
                                }
                                if walk.inLayer { so.base[u] = walk.first; eo.base[u] = walk.last }
                            }
                        }
                    }
                }
            }
        }
        return (start, end)
    }

    /// The interface through the layer heights, and the share of knots whose window shows no edge.
    ///
    /// `inView`: the lines along which the layer is in view when it leaves the field at one end
    /// (nil: all). Beyond them the fitted edge is carried on along its tangent at their last line:
    /// the bow seen is the foil's, but a quadratic carried on past what it was fitted to diverges.
    /// Knots there show no edge and count as hidden.
    static func fit(_ heights: [Int], side: AnodeSide, width: Int, height: Int,
                    parameters p: Parameters, inView: Range<Int>? = nil) -> (interface: Interface, hidden: Double, residual: Double?) {
        let length = heights.count
        let k = max(2, min(p.knots, length))
        let half = max(4, Int(saturating: Double(length) * p.windowFraction))
        var us = [Double](), qs = [Double]()
        for i in 0 ..< k {
            let u = Double(i) * Double(length - 1) / Double(k - 1)
            let lo = max(0, Int(saturating: u) - half), hi = min(length - 1, Int(saturating: u) + half)
            let window = heights[lo ... hi].map(Double.init)
            us.append(u)
            qs.append(quantile(window, p.quantile) - 0.5) // boundary half a pixel above the last layer pixel
        }
        // The layer's edge under the dendrites: a one-sided, bow-limited curve (EdgeCurveFit).
        let edges = (0 ..< length).filter { heights[$0] > 0 }
        var neighbours = [Double]()
        for k in edges.indices.dropFirst() where edges[k] == edges[k - 1] + 1 {
            neighbours.append(Double(heights[edges[k]] - heights[edges[k - 1]]))
        }
        let sigma = EdgeCurveFit.edgeRoughness(differences: neighbours, floor: p.minimumEdgeNoisePx)
        let sample = stride(from: 0, to: edges.count, by: max(1, edges.count / Self.refinementSamples)).map { edges[$0] }
        let su = sample.map(Double.init), sh = sample.map { Double(heights[$0]) - 0.5 }
        let model: (Double) -> Double
        var tolerance = Double.infinity
        if sample.count >= 8 {
            let (curve, tol) = EdgeCurveFit.fit(u: su, v: sh, start: (us, qs), length: length, sigma: sigma, parameters: p)
            if let inView, !inView.isEmpty {
                let lo = Double(inView.lowerBound), hi = Double(inView.upperBound - 1)
                model = { u in
                    let end = min(hi, max(lo, u))
                    return curve.value(atU: end) + curve.slope(atU: end) * (u - end)
                }
            } else {
                model = curve.value(atU:)
            }
            tolerance = tol
        } else {
            let c = robustQuadratic(us, qs)
            model = { c.0 + c.1 * $0 + c.2 * $0 * $0 }
        }
        let smooth = us.map(model)
        // Second pass on detrended heights of the layer's edge (dendrite points left out): a
        // low quantile of a sloped window is biased by the slope; of the residuals it is not.
        // A window wholly under a dendrite base shows no edge: its knot is interpolated from the
        // knots on either side (the edge runs straight under the base, like a chord).
        // A window that shows no edge within the tolerance may still show it departing from the
        // curve without a step (waviness a quadratic cannot follow): those heights measure it.
        let limit = max(Self.minimumWavinessPx, p.maximumWaviness * Double(length))
        let residual = { (u: Int) in Double(heights[u]) - 0.5 - model(Double(u)) }
        let continued = Self.edgeContinuation(heights, residual: residual, tolerance: tolerance, sigma: sigma,
                                              limit: limit, parameters: p)
        // A walk that ended in the outer part of the layer (more than the largest waviness below
        // the curve and below `earlyEndShareOfLayer` of its height) stopped at a hole through the
        // anode or in outer material read as phase (the mount, a collector, ending at the seam
        // before the anode): that is not where the layer meets the electrolyte (step 6 of the header).
        let stoppedEarly = { (u: Int) in
            let curve = model(Double(u))
            return Double(heights[u]) - 0.5 < curve - limit && Double(heights[u]) < p.earlyEndShareOfLayer * curve
        }
        let measured = us.map { u -> Double? in
            let lo = max(0, Int(saturating: u) - half), hi = min(length - 1, Int(saturating: u) + half)
            let needed = max(Self.minimumEdgePointsPerWindow, p.minimumEdgeShareOfWindow * Double(hi - lo + 1))
            for seen in [{ (v: Int) in heights[v] > 0 && residual(v) <= tolerance && !stoppedEarly(v) },
                         { continued[$0] && !stoppedEarly($0) }] {
                let r = (lo ... hi).filter(seen).map(residual)
                if Double(r.count) >= needed { return quantile(r, p.detrendedQuantile) }
            }
            return nil
        }
        var residuals = Self.interpolatingGaps(us, measured)
        residuals = median3(residuals)
        let vs = zip(smooth, residuals).map { $0 + min(limit, max(-limit, $1)) }
        let hidden = Double(measured.filter { $0 == nil }.count) / Double(max(1, measured.count))
        let interface = Interface(side: side, width: width, height: height, knotsU: us, knotsV: vs)
        // How closely the interface follows the visible edge: RMS over the edge heights the fit
        // calls layer (within its dendrite tolerance of the first-pass curve).
        var sum = 0.0, n = 0
        for u in edges where Double(heights[u]) - 0.5 - model(Double(u)) <= tolerance {
            let r = Double(heights[u]) - 0.5 - interface.height(atU: Double(u))
            sum += r * r
            n += 1
        }
        return (interface, hidden, n > 0 ? (sum / Double(n)).squareRoot() : nil)
    }

    /// Positions whose layer height is the layer's edge: within `tolerance` of the fitted curve
    /// (the seeds), or reached from seeds along the interface without a step (step 5 of the header).
    ///
    /// - Parameters:
    ///   - residual: height at position u minus the fitted curve, px (positive toward the electrolyte).
    ///   - sigma: the edge's roughness, px.
    ///   - limit: the largest departure from the curve a knot may take, px.
    static func edgeContinuation(_ heights: [Int], residual: (Int) -> Double, tolerance: Double, sigma: Double,
                                 limit: Double, parameters p: Parameters) -> [Bool] {
        let n = heights.count
        let seeds = (0 ..< n).map { heights[$0] > 0 && residual($0) <= tolerance }
        var edge = seeds
        guard p.maximumEdgeSlope > 0, tolerance.isFinite, n > 0 else { return edge }
        let window = min(max(2, p.edgeContinuationWindow), max(2, n))
        // The reference lags a flank by window / 2 positions: an edge sloping at the limit stays
        // within the allowance, a dendrite's flank (steeper) soon leaves it.
        let allowance = p.dendriteResidualWidths * sigma + p.maximumEdgeSlope * Double(window) / 2
        for forward in [true, false] {
            var recent = [Double]()
            recent.reserveCapacity(2 * window)
            for u in forward ? Array(0 ..< n) : Array((0 ..< n).reversed()) {
                let height = Double(heights[u])
                var accepted = seeds[u]
                if !accepted, heights[u] > 0, !recent.isEmpty, residual(u) <= limit {
                    let sorted = recent.suffix(window).sorted()
                    accepted = abs(height - sorted[sorted.count / 2]) <= allowance
                    if accepted { edge[u] = true }
                }
                if accepted {
                    recent.append(height)
                    if recent.count >= 2 * window { recent.removeFirst(window) }
                }
            }
        }
        return edge
    }

    /// Layer heights used by the one-sided fit, at most (evenly spaced along the interface).
    static let refinementSamples = 4096
    /// A knot window needs at least this many edge points to measure the edge's waviness.
    static let minimumEdgePointsPerWindow = 3.0
    /// A knot may always depart this far off the smooth curve, px, however short the edge (the
    /// pixel roughness of a thresholded edge; ``Parameters/maximumWaviness`` scales with length).
    static let minimumWavinessPx = 2.0

    /// `values` with the nil entries filled by linear interpolation in `u` between the nearest
    /// measured neighbours (the nearest one beyond the ends); all 0 when none is measured.
    static func interpolatingGaps(_ u: [Double], _ values: [Double?]) -> [Double] {
        let known = values.indices.filter { values[$0] != nil }
        guard let first = known.first, let last = known.last else { return [Double](repeating: 0, count: values.count) }
        return values.indices.map { i in
            if let v = values[i] { return v }
            if i < first { return values[first]! }
            if i > last { return values[last]! }
            let a = known.last { $0 < i }!, b = known.first { $0 > i }!
            let t = (u[i] - u[a]) / (u[b] - u[a])
            return values[a]! + t * (values[b]! - values[a]!)
        }
    }

    /// Tukey-biweight IRLS fit of v = a + b·u + c·u² (u scaled internally).
    static func robustQuadratic(_ u: [Double], _ v: [Double]) -> (Double, Double, Double) {
        let scale = max(1, u.max() ?? 1)
        let x = u.map { $0 / scale }
        var w = [Double](repeating: 1, count: u.count)
        var coef = (0.0, 0.0, 0.0)
        for _ in 0 ..< 10 {
            // Weighted normal equations for [1, x, x²].
            var m = [[Double]](repeating: [0, 0, 0], count: 3), r = [0.0, 0, 0]
            for i in x.indices {
                let basis = [1, x[i], x[i] * x[i]]
                for a in 0 ..< 3 {
                    r[a] += w[i] * basis[a] * v[i]
                    for b in 0 ..< 3 { m[a][b] += w[i] * basis[a] * basis[b] }
                }
            }
            guard let sol = solve3(m, r) else { break }
            coef = (sol[0], sol[1], sol[2])
            let res = x.indices.map { v[$0] - (sol[0] + sol[1] * x[$0] + sol[2] * x[$0] * x[$0]) }
            let mad = quantile(res.map(abs), 0.5)
            let c = EdgeCurveFit.biweightConstant * max(mad * EdgeCurveFit.madToSigma, 0.5)
            w = res.map { abs($0) < c ? pow(1 - ($0 / c) * ($0 / c), 2) : 0 }
        }
        return (coef.0, coef.1 / scale, coef.2 / (scale * scale))
    }

    static func solve3(_ m: [[Double]], _ r: [Double]) -> [Double]? {
        var a = m, b = r
        for col in 0 ..< 3 {
            guard let pivot = (col ..< 3).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot); b.swapAt(col, pivot)
            for row in 0 ..< 3 where row != col {
                let f = a[row][col] / a[col][col]
                for c in col ..< 3 { a[row][c] -= f * a[col][c] }
                b[row] -= f * b[col]
            }
        }
        return (0 ..< 3).map { b[$0] / a[$0][$0] }
    }

    static func median3(_ x: [Double]) -> [Double] {
        guard x.count >= 3 else { return x }
        return x.indices.map { i in
            let lo = max(0, i - 1), hi = min(x.count - 1, i + 1)
            let w = x[lo ... hi].sorted()
            return w[w.count / 2]
        }
    }
}

/// Linear-interpolated quantile of `values` (q in [0, 1]); 0 for an empty array.
func quantile(_ values: [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let s = values.sorted()
    let pos = q * Double(s.count - 1)
    let lo = Int(saturating: pos.rounded(.down)), hi = min(s.count - 1, lo + 1)
    return s[lo] + (pos - Double(lo)) * (s[hi] - s[lo])
}

/// The least-squares line through the points (`x[i]`, `y[i]`): its slope and the means it passes
/// through; nil for fewer than two points or when every x is the same.
func leastSquaresLine(_ x: [Double], _ y: [Double]) -> (slope: Double, meanX: Double, meanY: Double)? {
    guard x.count >= 2, x.count == y.count else { return nil }
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    var sxy = 0.0, sxx = 0.0
    for k in x.indices { sxy += (x[k] - mx) * (y[k] - my); sxx += (x[k] - mx) * (x[k] - mx) }
    guard sxx > 0 else { return nil }
    return (sxy / sxx, mx, my)
}

enum PixelSizeText {
    static func short(_ v: Double) -> String { String(format: "%.1f", v) }
}
