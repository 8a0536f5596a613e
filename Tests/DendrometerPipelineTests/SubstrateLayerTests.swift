import Dendrometer
import Foundation
import Testing
@testable import DendrometerPipeline
import DendrometerSegmentation

/// Bright tongues grown from an electrode of another grey (darker than the mount above it),
/// across a thin darker gap: the anode layer is not of the phase (``SubstrateLayer``).
@Suite("An anode or substrate layer of its own grey")
struct SubstrateLayerTests {
    /// A 200 × 160 field, anode at the bottom, mount grey 100 ± 4: an electrode of grey 50 for
    /// v < 20 and a gap of grey 25 for v 20 … 22 (the dark layer ends at v = 23), and three
    /// bright (200) tongues rising from v = 23: u 40 … 47 to v 110, u 100 … 105 to v 80,
    /// u 150 … 155 to v 130, 8 × 88 + 6 × 58 + 6 × 108 = 1700 px. `feet` replaces the tongues by
    /// 12 × 12 squares on the layer (as tall as wide, like grains touching it).
    /// `darkGrains` adds two 6 × 6 squares of the gap's grey on the layer's edge (v 23 … 28 at
    /// u 10 and 70, between the tongues): pieces of the layer's grey beyond its edge, as tall
    /// as wide, so that something of the dark phase lies beyond the dark layer but does not rise.
    /// `darkTongues` adds two dark (grey 25) bars 6 px wide rising from the layer's edge to v 90 at
    /// u 10 and 70: both greys rise from the layer (816 px dark against about 1700 bright).
    /// `looseStripes` adds three bright bands across the field, 5 px thick, at v 134, 143 and 152
    /// (3000 px): stripes lying loose in the electrolyte, parallel to the electrode, so that the
    /// tongues rising from it are under half (≈ 1700 of ≈ 4700 px) of the phase beyond it.
    static func scene(feet: Bool = false, darkGrains: Bool = false, darkTongues: Bool = false, looseStripes: Bool = false) -> Scene {
        var s = Scene(width: 200, height: 160, side: .bottom, phase: 200, interface: { _ in 0 })
        func set(_ u: Int, _ v: Int, _ grey: Float) { s.pixels[AnodeSide.bottom.index(u: u, v: v, width: 200, height: 160)] = grey }
        for u in 0 ..< 200 {
            for v in 0 ..< 20 { set(u, v, 50) }
            for v in 20 ..< 23 { set(u, v, 25) }
        }
        if darkTongues {
            for u0 in [10, 70] { for u in u0 ..< u0 + 6 { for v in 23 ... 90 { set(u, v, 25) } } }
        }
        if darkGrains {
            for u0 in [10, 70] { for u in u0 ..< u0 + 6 { for v in 23 ..< 29 { set(u, v, 25) } } }
        }
        if feet {
            for u0 in [30, 90, 150] { for u in u0 ..< u0 + 12 { for v in 23 ..< 35 { s.paint(u: u, v: v) } } }
        } else {
            for (u0, width, top) in [(40, 8, 110), (100, 6, 80), (150, 6, 130)] {
                for u in u0 ..< u0 + width { for v in 23 ... top { s.paint(u: u, v: v) } }
            }
        }
        if looseStripes {
            for v0 in [134, 143, 152] { for u in 0 ..< 200 { for v in v0 ..< v0 + 5 { s.paint(u: u, v: v) } } }
        }
        return s
    }

    static func bright(_ s: Scene, options: AnalysisOptions = AnalysisOptions()) throws -> (grey: Image<Float>, phase: BinaryMask) {
        let prepared = try DendriteAnalysis.prepare(s.micrograph(), options: options)
        let seg = try ThresholdSegmenter(polarity: .bright, anode: .bottom).segment(prepared, parameters: options.parameters)
        return (prepared.denoised, seg.phase)
    }

    @Test("the dark layer under bright tongues: its edge at the gap's top (v 23), all the tongues rising from it")
    func found() throws {
        let (grey, phase) = try Self.bright(Self.scene())
        let found = try #require(SubstrateLayer.find(grey: grey, phase: phase, phaseIsBright: true, side: .bottom,
                                                     parameters: AnalysisParameters(), pixelSize: nil))
        #expect(found.layer.side == .bottom && !found.layer.isBright)
        #expect(found.layer.greySpread <= AnalysisParameters().anodeLayer.substrate.maximumSpread)
        // Every phase pixel is in a tongue, so all of those beyond the edge rise: the 1700 px
        // drawn, and up to a pixel more along each long edge where the hysteresis keeps the
        // blurred fringe.
        let interface = try #require(found.detection.interface)
        #expect(found.layer.risingPixels == interface.electrolyteSide(of: phase).area)
        #expect(found.layer.risingPixels >= 1700 - 3 * 8 && found.layer.risingPixels <= 1700 + 2 * (88 + 58 + 108),
                "rising \(found.layer.risingPixels)")
        for v in interface.knotsV { #expect(abs(v - 23) <= 1.5, "knots \(interface.knotsV)") }
    }

    @Test("refused: a layer spreading more than allowed; squares as tall as wide on it; nothing of the phase on it")
    func refused() throws {
        let (grey, phase) = try Self.bright(Self.scene())
        var strict = AnalysisParameters()
        strict.anodeLayer.substrate.maximumSpread = 1e-5   // below this noiseless layer's 1e-4 (blur at its edge)
        #expect(SubstrateLayer.find(grey: grey, phase: phase, phaseIsBright: true, side: .bottom, parameters: strict, pixelSize: nil) == nil)
        let (squareGrey, squares) = try Self.bright(Self.scene(feet: true))
        #expect(SubstrateLayer.find(grey: squareGrey, phase: squares, phaseIsBright: true, side: .bottom,
                                    parameters: AnalysisParameters(), pixelSize: nil) == nil)
        #expect(SubstrateLayer.find(grey: grey, phase: BinaryMask(width: phase.width, height: phase.height), phaseIsBright: true,
                                    side: .bottom, parameters: AnalysisParameters(), pixelSize: nil) == nil)
    }

    @Test("stripes lying loose outnumber the tongues: the electrode on the side given; refused with the side left to the image")
    func looseStripes() throws {
        let (grey, phase) = try Self.bright(Self.scene(looseStripes: true))
        let found = try #require(SubstrateLayer.find(grey: grey, phase: phase, phaseIsBright: true, side: .bottom,
                                                     parameters: AnalysisParameters(), pixelSize: nil))
        let interface = try #require(found.detection.interface)
        let beyond = interface.electrolyteSide(of: phase).area
        // The three tongues rise (about 1700 px); the 3000 px of stripes lie loose.
        #expect(found.layer.risingPixels >= 1700 - 3 * 8 && found.layer.risingPixels <= 1700 + 2 * (88 + 58 + 108),
                "rising \(found.layer.risingPixels)")
        #expect(Double(found.layer.risingPixels) < AnalysisParameters().anodeLayer.substrate.minimumRisingShare * Double(beyond),
                "rising \(found.layer.risingPixels) of \(beyond)")
        for v in interface.knotsV { #expect(abs(v - 23) <= 1.5, "knots \(interface.knotsV)") }
        #expect(SubstrateLayer.find(grey: grey, phase: phase, phaseIsBright: true, side: nil,
                                    parameters: AnalysisParameters(), pixelSize: nil) == nil)
    }

    @Test("end to end, --anode given: the electrode under loose stripes is taken, and said to be short of the rising share; the tongues alone are not")
    func looseStripesReviewed() throws {
        var options = AnalysisOptions()
        options.phase = .bright
        options.anode = .bottom
        let said = "of the phase beyond it rises from it"
        let striped = try DendriteAnalysis.run(Self.scene(looseStripes: true).micrograph(), options: options)
        #expect(striped.interfaceSubstrate != nil)
        #expect(striped.review.contains { $0.contains(said) }, "\(striped.review)")
        let tongues = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        #expect(tongues.interfaceSubstrate != nil)
        #expect(!tongues.review.contains { $0.contains(said) }, "\(tongues.review)")
    }

    @Test("side left to the image: a thicker dark layer along the top, nothing rising from it, loses to the bottom one the tongues rise from")
    func twoDarkLayers() throws {
        // The header's scene in a 200 × 200 field, with a second dark layer (grey 50 ± 4) for
        // v 160 … 199: 40 px thick against the bottom layer's 23, and 30 px beyond the tallest tongue.
        var s = Scene(width: 200, height: 200, side: .bottom, phase: 200, interface: { _ in 0 })
        func set(_ u: Int, _ v: Int, _ grey: Float) { s.pixels[AnodeSide.bottom.index(u: u, v: v, width: 200, height: 200)] = grey }
        var rng = SplitMix64(seed: 3)
        for u in 0 ..< 200 {
            for v in 0 ..< 20 { set(u, v, 50) }
            for v in 20 ..< 23 { set(u, v, 25) }
            for v in 160 ..< 200 { set(u, v, 50 + Float(rng.next() % 9) - 4) }
        }
        for (u0, width, top) in [(40, 8, 110), (100, 6, 80), (150, 6, 130)] {
            for u in u0 ..< u0 + width { for v in 23 ... top { s.paint(u: u, v: v) } }
        }
        // The phase cut at 150, between the mount and the tongues (the segmenter would take the
        // mount, bounded by dark layers at both ends, for a bright layer: not what is tested here).
        let grey = try DendriteAnalysis.prepare(s.micrograph(), options: AnalysisOptions()).denoised
        let phase = DendrometerSegmentation.segment(grey, threshold: 150, polarity: .bright)
        let found = try #require(SubstrateLayer.find(grey: grey, phase: phase, phaseIsBright: true, side: nil,
                                                     parameters: AnalysisParameters(), pixelSize: nil))
        #expect(found.layer.side == .bottom)
        let interface = try #require(found.detection.interface)
        for v in interface.knotsV { #expect(abs(v - 23) <= 1.5, "knots \(interface.knotsV)") }
        // Along the top alone, nothing rises.
        #expect(SubstrateLayer.find(grey: grey, phase: phase, phaseIsBright: true, side: .top,
                                    parameters: AnalysisParameters(), pixelSize: nil) == nil)
    }

    @Test("rising pixels: a bar 4 wide and 20 tall rises (20 ≥ 2 × 4); a 6 × 6 square on the edge does not; a loose bar is not rooted")
    func rising() {
        var mask = BinaryMask(width: 60, height: 60)
        // Anode at the bottom (row y = 59 − v), interface at v = 9.5: pixel v lies v − 9.5 beyond it.
        func paint(_ u: Range<Int>, _ v: Range<Int>) { for x in u { for vv in v { mask[x, 59 - vv] = true } } }
        paint(5 ..< 9, 10 ..< 30)     // 80 px, foot 4, reaches 19.5 px ≥ 2 × 4
        paint(20 ..< 26, 10 ..< 16)   // 36 px, foot 6, reaches 5.5 px < 2 × 6
        paint(40 ..< 42, 30 ..< 50)   // 40 px, nearest 20.5 px away: not rooted
        let interface = Interface.straight(side: .bottom, width: 60, height: 60, v0: 9.5)
        let (rising, beyond) = SubstrateLayer.risingPixels(of: mask, from: interface, reachPx: 6, riseOverFoot: 2)
        #expect(rising == 80)
        #expect(beyond == 156)
        // Within 6 px beyond it (v 10 … 15): the bar's first 6 rows (24 px) and the square (36 px).
        #expect(SubstrateLayer.pixels(of: mask, within: 6, beyond: interface) == 60)
        // A piece on a wide foot rises if it reaches beyond the band of roots: the square reaches
        // 5.5 px, so it does with a band of 5 px, not with one of 6.
        #expect(SubstrateLayer.risingPixels(of: mask, from: interface, reachPx: 6, riseOverFoot: 2, orBeyondPx: 5).rising == 116)
        #expect(SubstrateLayer.risingPixels(of: mask, from: interface, reachPx: 6, riseOverFoot: 2, orBeyondPx: 6).rising == 80)
    }

    @Test("--phase dark on the bright tongues' dark layer: nothing dark at its edge, the bright tongues rise from it: flagged, naming --phase bright")
    func wrongPhaseGiven() throws {
        var options = AnalysisOptions()
        options.phase = .dark
        options.anode = .bottom
        let r = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        #expect(r.interface != nil && r.interfaceSubstrate == nil)
        #expect(r.penetration?.dendritePixels == 0)
        #expect(r.review.contains { $0.hasPrefix("--phase dark: nothing of the dark phase") && $0.contains("say --phase bright") }, "\(r.review)")
        // Phase auto's swapped polarity (a record carrying hypotheses) is judged by the swap, not
        // by this review, though it is measured as if given.
        let prepared = try DendriteAnalysis.prepare(Self.scene().micrograph(), options: options)
        var swapped = try ThresholdSegmenter(polarity: .dark, anode: .bottom).segment(prepared, parameters: options.parameters)
        swapped.hypotheses = PhaseHypothesis.scored(bright: (nil, 0, .infinity), dark: (.bottom, 20, 0.01), chosen: .dark)
        let judged = try DendriteAnalysis.measure(swapped, field: prepared, micrograph: Self.scene().micrograph(), options: options)
        #expect(!judged.review.contains { $0.hasPrefix("--phase") }, "\(judged.review)")
        // The right phase given: no such review.
        options.phase = .bright
        let right = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        #expect(!right.review.contains { $0.hasPrefix("--phase") }, "\(right.review)")
    }

    @Test("end to end: --phase bright --anode bottom measures the tongues from the dark layer; off, no interface")
    func given() throws {
        var options = AnalysisOptions()
        options.phase = .bright
        options.anode = .bottom
        let r = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        let layer = try #require(r.interfaceSubstrate)
        #expect(!layer.isBright)
        // The deepest tongue pixel (v 130) lies 107 px beyond the layer's edge (v 23).
        let p = try #require(r.penetration)
        #expect(abs(p.maxPx - 107) <= 2, "max \(p.maxPx)")
        #expect(r.dendriteInventory?.rootedArea ?? 0 > 1500)
        #expect(r.warnings.contains { $0.contains("electrode the dendrites grew from") }, "\(r.warnings)")

        #expect(!r.review.contains { $0.hasPrefix("anode side auto") }, "\(r.review)")
        // The side not given: the same layer, flagged (it could be the mount on the far side).
        var sideAuto = options
        sideAuto.anode = nil
        let auto = try DendriteAnalysis.run(Self.scene().micrograph(), options: sideAuto)
        #expect(auto.interfaceSubstrate?.side == .bottom)
        #expect(auto.review.contains { $0.hasPrefix("anode side auto: the anode was taken to be a layer of another grey") }, "\(auto.review)")

        options.parameters.anodeLayer.substrate.enabled = false
        let off = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        #expect(off.interface == nil && off.interfaceSubstrate == nil)
    }

    @Test("a gap between the layer and every dendrite is flagged with the nearest's distance; an attached dendrite is not")
    func detachedDendrites() throws {
        // The anode foil (v < 30) and a bar 6 wide rising to v 90, starting 5 px beyond the foil
        // (v 35: 5 px of electrolyte between), or touching it (v 30).
        var options = AnalysisOptions()
        options.phase = .bright
        options.anode = .bottom
        func run(from start: Int) throws -> AnalysisResult {
            var s = Scene(width: 160, height: 140, side: .bottom, interface: { _ in 30 })
            for u in 70 ..< 76 { for v in start ... 90 { s.paint(u: u, v: v) } }
            return try DendriteAnalysis.run(s.micrograph(), options: options)
        }
        let detached = try run(from: 35)
        #expect(detached.dendriteInventory?.rootedArea == 0)
        let flag = try #require(detached.review.first { $0.contains("no dendrite is attached") }, "\(detached.review)")
        // The bar's first row (centre v = 35) lies 5 px beyond the foil's edge at v = 30, give or
        // take the denoising's blur of the edges.
        #expect(flag.contains("starts 5.0 px") || flag.contains("starts 4.5 px") || flag.contains("starts 5.5 px"), "\(flag)")
        let attached = try run(from: 30)
        #expect((attached.dendriteInventory?.rootedArea ?? 0) > 0)
        #expect(!attached.review.contains { $0.contains("no dendrite is attached") }, "\(attached.review)")
    }

    /// The hand-made field is small: the tongues' feet cover 20 px of the edge, 60 px in the outer
    /// half of the 6 px reach, so the edge's minimum of phase is lowered from 200 to 100 px.
    static var smallField: AnalysisOptions {
        var options = AnalysisOptions()
        options.parameters.anodeLayer.minimumRootPixels = 100
        return options
    }

    /// A scene's dark layer as phase auto's dark choice finds it (edge at v 23, the gap's top),
    /// its dark phase and the bright phase rising from it, with the small field's parameters.
    struct DarkLayer {
        let grey: Image<Float>, dark: BinaryMask, bright: BinaryMask, brightThreshold: Double
        let interface = Interface.straight(side: .bottom, width: 200, height: 160, v0: 22.5)
        let parameters = SubstrateLayerTests.smallField.parameters

        init(_ scene: Scene) throws {
            let prepared = try DendriteAnalysis.prepare(scene.micrograph(), options: SubstrateLayerTests.smallField)
            dark = try ThresholdSegmenter(polarity: .dark, anode: .bottom).segment(prepared, parameters: parameters).phase
            let brightRecord = try ThresholdSegmenter(polarity: .bright, anode: .bottom).segment(prepared, parameters: parameters)
            (grey, bright, brightThreshold) = (prepared.denoised, brightRecord.phase, brightRecord.rawPhaseThreshold ?? .nan)
        }

        /// ``SubstrateLayer/otherGreyOutgrowing(grey:phase:phaseIsBright:phaseContrastToNoise:otherThreshold:otherPhase:interface:parameters:)``
        /// for the dark phase, the bright phase the other; `asked` runs when the bright mask is asked for.
        func outgrowing(darkContrast: Double? = nil, threshold: Double? = nil, parameters: AnalysisParameters? = nil,
                        asked: (() -> Void)? = nil) -> SubstrateLayer.Outgrowth? {
            SubstrateLayer.otherGreyOutgrowing(grey: grey, phase: dark, phaseIsBright: false, phaseContrastToNoise: darkContrast,
                                               otherThreshold: threshold ?? brightThreshold, otherPhase: { asked?(); return bright },
                                               interface: interface, parameters: parameters ?? self.parameters)
        }
    }

    @Test("phase auto's layer outgrown: the dark layer grows the bright tongues (≈ 1700 px) and no dark piece that rises; refused when the other grey is the matrix")
    func outgrown() throws {
        let layer = try DarkLayer(Self.scene(darkGrains: true))
        // The grains are as tall as wide (6 < 2 × 6) and within the band of roots (16 px): nothing
        // dark rises. The tongues: 1700 px drawn, up to a pixel more along each long edge where
        // the hysteresis keeps the blurred fringe.
        let found = layer.outgrowing()
        #expect(found?.phaseRisingPx == 0, "\(String(describing: found))")
        let rising = found?.otherRisingPx ?? 0
        #expect(rising >= 1700 - 3 * 8 && rising <= 1700 + 2 * (88 + 58 + 108), "rising \(rising)")
        // Nothing past the other threshold at the edge (a threshold above every grey): the other
        // phase's full-size mask is never asked for.
        var asked = false
        #expect(layer.outgrowing(threshold: 1000, asked: { asked = true }) == nil)
        #expect(!asked)
        // The other grey is taken as a phase in the electrolyte only if it fills at most
        // threshold.maximumPhaseFraction of the field beyond the layer: the tongues are about 1700
        // of the 200 × 137 px beyond it, so a cap of 0.05 refuses them (as it would a matrix).
        #expect(SubstrateLayer.pixelsBeyond(layer.interface, width: 200, height: 160) == 200 * 137)
        var capped = layer.parameters
        capped.threshold.maximumPhaseFraction = 0.05
        #expect(layer.outgrowing(parameters: capped) == nil)
        // "Almost none" is less than review.alternativeGrowthShare of the other grey's rising
        // pixels: at 0, not even no dark rising at all is, so the layer is not outgrown.
        var lenient = layer.parameters
        lenient.review.alternativeGrowthShare = 0
        #expect(layer.outgrowing(parameters: lenient) == nil)
    }

    @Test("both greys rise from the layer: the other polarity only when the phase is faint (under 3 noise σ) and the other grey is not")
    func faintPhase() throws {
        let layer = try DarkLayer(Self.scene(darkTongues: true))
        func outgrowing(darkContrast: Double?) -> SubstrateLayer.Outgrowth? { layer.outgrowing(darkContrast: darkContrast) }
        // The dark bars rise (about 816 px, more than a tenth of the tongues): not outgrown.
        #expect(outgrowing(darkContrast: nil) == nil)
        #expect(outgrowing(darkContrast: -5) == nil)
        // Said to be faint (2 σ): the tongues (grey 200 on a mount of 100 ± 4) stand out by far
        // more than 3 σ, so the layer is taken for an electrode of another grey.
        let faint = outgrowing(darkContrast: -2)
        #expect((faint?.phaseRisingPx ?? 0) >= 6 * 2 * 60, "\(String(describing: faint))")
        #expect(faint?.contrastsToNoise?.phase == -2)
        #expect((faint?.contrastsToNoise?.other ?? 0) >= 3, "\(String(describing: faint?.contrastsToNoise))")
    }

    @Test("end to end, phase auto: dark grains on the dark layer, the bright tongues rising from it: the tongues are measured from it, for review")
    func autoOutgrown() throws {
        let r = try DendriteAnalysis.run(Self.scene(darkGrains: true).micrograph(), options: Self.smallField)
        #expect(r.phase == "bright")
        #expect(r.interfaceSubstrate != nil)
        #expect(abs((r.penetration?.maxPx ?? 0) - 107) <= 2, "max \(String(describing: r.penetration?.maxPx))")
        #expect(r.review.contains { $0.contains("layer grows") && $0.contains("electrode of another grey") }, "\(r.review)")
        #expect(r.segmentation.hypotheses.first?.side == .bottom)
    }

    @Test("end to end, phase auto: nothing dark rises from the dark layer, so the bright tongues are measured from it, for review")
    func auto() throws {
        let r = try DendriteAnalysis.run(Self.scene().micrograph())
        #expect(r.phase == "bright")
        #expect(r.interfaceSubstrate != nil)
        let p = try #require(r.penetration)
        #expect(abs(p.maxPx - 107) <= 2, "max \(p.maxPx)")
        #expect(r.review.contains { $0.contains("electrode of another grey") }, "\(r.review)")
        #expect(r.segmentation.hypotheses.first?.appearance == .bright)
        // The winner's anode is the dark layer at the bottom (the bright phase forms none).
        #expect(r.segmentation.hypotheses.first?.side == .bottom && r.segmentation.hypotheses.first?.layerThicknessPx == 0)
    }
}
