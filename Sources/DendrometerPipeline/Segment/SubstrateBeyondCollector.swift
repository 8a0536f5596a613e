// An anode of its own grey lying on a collector of the phase's grey.
//
// Physics. An electrode stack seen edge on is collector | anode | electrolyte. In BSE a steel
// collector (iron, Z ≈ 26) is bright, as bright as a Li-In alloy; a Li foil is dark, as dark as
// Li whiskers. When the anode is of another grey than the dendrites (Li plated on an electrode of
// another material, an alloy of another composition, secondary-electron contrast), the phase's
// threshold finds the collector as the solid layer along the edge, and the anode lies between it
// and the dendrites as a band of the other grey. Nothing of the phase then grows from the layer
// found (only bumps of its edge touch it): dendrites grow from their anode, and theirs begins
// where that band ends.
//
// Rule. When fewer than ``AnalysisParameters/AnodeLayer/minimumRootPixels`` px of the phase lie
// two to three `rootReachPx` beyond the layer's edge (dendrites rising from it cross that band; the
// test costs a pass over the band, so a layer with dendrites on it costs nothing more) and fewer
// than that many px of the phase rise from the phase's layer (pieces that start within
// `rootReachPx` of it and reach `minimumRiseOverFoot` times as far as their foot is wide, or
// beyond the band of roots: the substrate's rule,
// ``SubstrateLayer/risingPixels(of:from:reachPx:riseOverFoot:orBeyondPx:)``),
// the pixels of the other grey (past the electrolyte's other half-peak split, as
// ``SubstrateLayer/find(grey:phase:phaseIsBright:side:parameters:pixelSize:)`` cuts a substrate)
// are joined to everything behind the layer's edge and the layer is found again in that mask,
// along the same side. The band between the two edges is the anode when it is at least
// ``DendrometerGeometry/InterfaceDetector/Parameters/minimumLayerThickness`` thick (median over
// the edge), uniform (its grey spread at most `maximumSpread` of the image's 5–95 % grey range,
// read over the inner part of the band, its blurred edges left out), and the phase rises from its
// far edge as it must from an electrode (``SubstrateLayer/growth(of:from:parameters:askingShare:)``,
// the share asked only with the side not given). Its far edge is then the interface.
//
// Worked example: a steel collector (grey 165) along the left edge to x = 31, a Li foil of grey
// 62 from there to x = 204, then the electrolyte (grey 120) with a bright (grey 200) network on
// the foil and flames beyond it. The bright threshold finds the collector; what touches its edge
// is the foil's blurred rim, nothing rises from it. The dark split (below the electrolyte's grey)
// cuts the foil; joined to the collector it makes a layer whose edge lies at x ≈ 204, the band
// 31 … 204 has a spread of a few hundredths of the grey range, and the network and flames rise
// from x = 204: depths are measured from there, not from x = 31 (173 px too deep).

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation

extension SubstrateLayer {
    /// The anode of the other grey lying beyond the phase's own layer (a collector of the phase's
    /// grey) with the phase rising from its far edge, and its interface detection; nil when the
    /// phase rises from the layer found, or no such band lies beyond it (see the file's header).
    ///
    /// - Parameters:
    ///   - grey: the denoised field the phase was thresholded from.
    ///   - phase: the phase, same shape.
    ///   - phaseIsBright: whether the phase is the bright one.
    ///   - layer: the interface of the phase's own layer.
    ///   - sideGiven: whether the user gave the anode's side (the rising share is then not asked).
    public static func beyondCollector(grey: Image<Float>, phase: BinaryMask, phaseIsBright: Bool, layer: Interface, sideGiven: Bool,
                                       parameters: AnalysisParameters, pixelSize: PixelSize?) -> (layer: SubstrateLayer, detection: InterfaceDetection)? {
        let p = parameters.anodeLayer.substrate
        let w = grey.width, h = grey.height
        guard p.enabled, phase.width == w, phase.height == h else { return nil }
        // Dendrites rising from the layer cross the band two to three root reaches beyond its edge;
        // only when that band is (nearly) empty is the costlier test of the pieces made.
        let crossing = phase.bits.withUnsafeBufferPointer { bits in
            count(from: 2 * p.rootReachPx, within: 3 * p.rootReachPx, beyond: layer, width: w, height: h) { bits[$0] != 0 }
        }
        guard crossing < parameters.anodeLayer.minimumRootPixels else { return nil }
        let band = rootBand(of: layer, width: w, height: h, parameters: parameters)
        guard risingPixels(of: phase, from: layer, reachPx: p.rootReachPx, riseOverFoot: p.minimumRiseOverFoot, orBeyondPx: band).rising
                < parameters.anodeLayer.minimumRootPixels,
              let split = try? ThresholdSegmenter.PhaseThresholds(grey) else { return nil }
        let otherThreshold = phaseIsBright ? split.dark : split.bright
        // The other grey, joined to everything behind the layer's edge.
        var mask = DendrometerSegmentation.segment(grey, threshold: otherThreshold, polarity: phaseIsBright ? .dark : .bright)
        let side = layer.side, extent = side.extent(width: w, height: h), length = side.length(width: w, height: h)
        for u in 0 ..< length {
            let last = min(extent - 1, Int(saturating: layer.height(atU: Double(u)).rounded(.down)))
            guard last >= 0 else { continue }
            for v in 0 ... last { mask.bits[side.index(u: u, v: v, width: w, height: h)] = 1 }
        }
        let interfaceParameters = parameters.interfaceParameters(pixelSize: pixelSize)
        let detection = InterfaceDetector.detect(in: mask, side: side, parameters: interfaceParameters)
        guard let anode = detection.interface,
              let spread = bandSpread(grey, from: layer, to: anode, minimumThicknessPx: interfaceParameters.minimumLayerThickness),
              spread <= p.maximumSpread,
              let growth = growth(of: phase, from: anode, parameters: parameters, askingShare: !sideGiven) else { return nil }
        let thickness = (0 ..< length).map { anode.height(atU: Double($0)) }.sorted()[length / 10]
        return (SubstrateLayer(side: side, isBright: !phaseIsBright, threshold: otherThreshold, thicknessPx: thickness,
                               greySpread: spread, risingPixels: growth.rising, phaseBeyondPixels: growth.beyond), detection)
    }

    /// Grey standard deviation over the image's 5–95 % grey range in the band between `inner` and
    /// `outer` (same side), read over the inner ``ThresholdSegmenter/Estimation/layerInnerFraction``
    /// of its thickness on every line; nil when the band's median thickness is under `minimumThicknessPx`.
    static func bandSpread(_ grey: Image<Float>, from inner: Interface, to outer: Interface, minimumThicknessPx: Double) -> Double? {
        let w = grey.width, h = grey.height, side = inner.side
        let extent = side.extent(width: w, height: h), length = side.length(width: w, height: h)
        let thicknesses = (0 ..< length).map { outer.height(atU: Double($0)) - inner.height(atU: Double($0)) }.sorted()
        guard length > 0, thicknesses[length / 2] >= minimumThicknessPx else { return nil }
        let keep = ThresholdSegmenter.Estimation.layerInnerFraction
        var sum = 0.0, sum2 = 0.0, n = 0.0
        for u in 0 ..< length {
            let a = inner.height(atU: Double(u)), b = outer.height(atU: Double(u))
            guard b > a else { continue }
            let margin = (b - a) * (1 - keep) / 2
            let first = max(0, Int(saturating: (a + margin).rounded(.up))), last = min(extent - 1, Int(saturating: (b - margin).rounded(.down)))
            guard first <= last else { continue }
            for v in first ... last {
                let x = Double(grey.pixels[side.index(u: u, v: v, width: w, height: h)])
                sum += x; sum2 += x * x; n += 1
            }
        }
        guard n > 1 else { return nil }
        let mean = sum / n
        return max(0, sum2 / n - mean * mean).squareRoot() / ThresholdSegmenter.intensityRange(grey)
    }
}
