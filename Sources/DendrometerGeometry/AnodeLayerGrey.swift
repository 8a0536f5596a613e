// Is the layer found along an edge made of the dendrites' material?
//
// Method. Dendrites grow out of the anode and are the same material: Li-In
// tongues out of a Li-In foil, Li whiskers out of Li metal. In a BSE image
// (contrast by mean atomic number) the anode layer therefore has the grey of
// the phase that rises from it, measured against the electrolyte's grey. Other
// continuous layers along an edge that a threshold can also pick up have a
// grey of their own: a steel current collector or the mount seen at low
// magnification, a cathode composite. Blur and partial volume make thin roots
// fainter than a solid layer of the same material, never more contrasted, so a
// layer clearly fainter than its roots is another material. Measured as below:
// anodes 0.94–1.82 times the contrast of their roots on the independent
// validation split and 0.99–2.6 on the project's own set; a Li-In cell's steel
// collector 0.60 (ground-truth labels: 0.56–0.65, and of opposite sign in Li
// cells).
//
// Measure: the median grey of the phase on the anode side of the interface
// (the layer), of the phase within a band beyond it (the dendrite roots), and
// of the non-phase pixels beyond it (the electrolyte). The contrast ratio is
// (layer − electrolyte) / (roots − electrolyte); 1 for a layer of the roots'
// material.
//
// Worked example: electrolyte grey 100, dendrite roots 180, a layer at 175 →
// ratio 75 / 80 = 0.94 (an anode); a layer at 150 → 0.63, below the 0.8 of
// ``AnalysisParameters/AnodeLayer/minimumRootContrastRatio`` (a collector, not
// the anode the dendrites grew from).

import DendrometerCore

/// The grey of an anode-layer candidate against the phase rising from it.
public struct AnodeLayerGrey: Sendable, Equatable {
    /// Median grey of the phase on the anode side of the interface (the layer).
    public var layerGrey: Double
    /// Median grey of the phase within the adjacent band beyond the interface (the dendrite roots).
    public var rootGrey: Double
    /// Median grey of the non-phase pixels beyond the interface (the electrolyte).
    public var electrolyteGrey: Double
    /// Phase pixels in the adjacent band (counted on the sampled pixels × the sampling stride;
    /// exact up to ``maximumSamples`` pixels).
    public var rootPixels: Int

    /// (layer − electrolyte) / (roots − electrolyte): 1 for a layer of the roots' material;
    /// nil when the roots have no contrast against the electrolyte.
    public var contrastRatio: Double? {
        let roots = rootGrey - electrolyteGrey
        guard roots != 0, roots.isFinite, layerGrey.isFinite else { return nil }
        return (layerGrey - electrolyteGrey) / roots
    }

    /// Whether the layer is of the roots' material: its contrast is at least `minimumRatio` of the
    /// roots' (given at least `minimumRootPixels` root pixels); nil when there is too little to judge.
    /// Only a lower bound: blur and partial volume make thin roots fainter than a solid layer of
    /// the same material (ratios up to ≈ 2.6 on thin Li whiskers), never more contrasted.
    public func matches(minimumRatio: Double, minimumRootPixels: Int) -> Bool? {
        guard rootPixels >= minimumRootPixels, let r = contrastRatio else { return nil }
        return r >= minimumRatio
    }

    /// Most samples kept per median (pixels are taken at a regular stride beyond this).
    static let maximumSamples = 200_000

    /// Measures the three greys of `phase` (its layer and roots) on `grey` for `interface`;
    /// the roots are the phase pixels less than `rootBandPx` beyond the interface.
    /// Nil when there is no layer pixel, root pixel or electrolyte pixel at all.
    public static func measure(phase: BinaryMask, grey: Image<Float>, interface: Interface,
                               rootBandPx: Double) -> AnodeLayerGrey? {
        precondition(phase.width == grey.width && phase.height == grey.height, "mask and image sizes differ")
        let w = phase.width, h = phase.height, side = interface.side
        let g = (0 ..< side.length(width: w, height: h)).map { interface.height(atU: Double($0)) }
        // Every `step`-th pixel (row-major): at most ``maximumSamples`` visits, whatever the image size.
        let step = max(1, phase.count / maximumSamples)
        var layer = [Float](), roots = [Float](), rest = [Float]()
        for i in stride(from: 0, to: phase.count, by: step) {
            let (u, v) = side.framePosition(x: i % w, y: i / w, width: w, height: h)
            let d = Double(v) - g[u]
            let value = grey.pixels[i]
            guard value.isFinite else { continue }
            if phase.bits[i] != 0 {
                if d <= 0 { layer.append(value) } else if d < rootBandPx { roots.append(value) }
            } else if d > 0 {
                rest.append(value)
            }
        }
        let rootCount = roots.count * step
        guard let l = median(&layer), let r = median(&roots), let e = median(&rest) else { return nil }
        return AnodeLayerGrey(layerGrey: l, rootGrey: r, electrolyteGrey: e, rootPixels: rootCount)
    }

    /// What lies behind a layer that begins away from the edge: the median grey of the pixels
    /// between the edge and the layer's start on every line (`layerStartPx`, px from the edge, as
    /// ``InterfaceDetection/layerStartPx`` gives them; the walk's outer stretch, none of it phase),
    /// and the median start, px. Nil when the layer is not backed: the median start over the lines
    /// is below `minimumBackingPx`. At most ``maximumSamples`` pixels are read (every k-th line).
    public static func backing(grey: Image<Float>, side: AnodeSide, layerStartPx starts: [Int],
                               minimumBackingPx: Double) -> (grey: Double, medianStartPx: Int)? {
        let w = grey.width, h = grey.height
        guard starts.count == side.length(width: w, height: h), !starts.isEmpty else { return nil }
        let medianStart = starts.sorted()[starts.count / 2]
        guard Double(medianStart) >= minimumBackingPx else { return nil }
        let total = starts.reduce(0) { $0 + max(0, $1) }
        let lineStep = max(1, total / maximumSamples)
        var values = [Float]()
        for u in stride(from: 0, to: starts.count, by: lineStep) {
            for v in 0 ..< min(max(0, starts[u]), side.extent(width: w, height: h)) {
                let value = grey.pixels[side.index(u: u, v: v, width: w, height: h)]
                if value.isFinite { values.append(value) }
            }
        }
        return median(&values).map { ($0, medianStart) }
    }

    private static func median(_ values: inout [Float]) -> Double? {
        guard !values.isEmpty else { return nil }
        values.sort()
        return Double(values[values.count / 2])
    }
}
