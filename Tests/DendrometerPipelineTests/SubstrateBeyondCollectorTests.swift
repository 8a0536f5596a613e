import Dendrometer
import Foundation
import Testing
@testable import DendrometerPipeline

/// A collector of the phase's grey along the bottom edge, an anode band of another grey on it,
/// and bright tongues rising from the band (``SubstrateLayer/beyondCollector``).
@Suite("An anode of its own grey on a collector of the phase's grey")
struct SubstrateBeyondCollectorTests {
    /// A 200 × 160 field, anode side bottom, electrolyte grey 100 ± 4: a collector of the phase's
    /// grey (200) for v < 20, an anode band of grey 50 ± 4 for v 20 … 49 (`band`; otherwise
    /// electrolyte), and three bright tongues starting at v = `tongueFoot`: u 40 … 47 to v 130,
    /// u 100 … 105 to v 110, u 150 … 155 to v 140 (8 × 81 + 6 × 61 + 6 × 91 = 1560 px from v 50).
    static func scene(band: Bool = true, tongueFoot: Int = 50) -> Scene {
        var s = Scene(width: 200, height: 160, side: .bottom, phase: 200, interface: { _ in 20 })
        var rng = SplitMix64(seed: 7)
        if band {
            for u in 0 ..< 200 {
                for v in 20 ..< 50 { s.pixels[AnodeSide.bottom.index(u: u, v: v, width: 200, height: 160)] = 50 + Float(rng.next() % 9) - 4 }
            }
        }
        for (u0, width, top) in [(40, 8, 130), (100, 6, 110), (150, 6, 140)] {
            for u in u0 ..< u0 + width { for v in tongueFoot ... top { s.paint(u: u, v: v) } }
        }
        return s
    }

    static func bright(_ s: Scene) throws -> (grey: Image<Float>, phase: BinaryMask) {
        let options = AnalysisOptions()
        let prepared = try DendriteAnalysis.prepare(s.micrograph(), options: options)
        let seg = try ThresholdSegmenter(polarity: .bright, anode: .bottom).segment(prepared, parameters: options.parameters)
        return (prepared.denoised, seg.phase)
    }

    /// The phase's own layer along the bottom edge (the collector).
    static func phaseLayer(_ phase: BinaryMask) throws -> Interface {
        try #require(InterfaceDetector.detect(in: phase, side: .bottom, parameters: AnalysisParameters().interfaceParameters(pixelSize: nil)).interface)
    }

    @Test("nothing rises from the collector (v 20); the band's far edge (v 50) is the interface, the tongues rising from it")
    func found() throws {
        let (grey, phase) = try Self.bright(Self.scene())
        let collector = try Self.phaseLayer(phase)
        for v in collector.knotsV { #expect(abs(v - 20) <= 1.5, "collector knots \(collector.knotsV)") }
        let found = try #require(SubstrateLayer.beyondCollector(grey: grey, phase: phase, phaseIsBright: true, layer: collector, sideGiven: true,
                                                                parameters: AnalysisParameters(), pixelSize: nil))
        #expect(!found.layer.isBright && found.layer.side == .bottom)
        let anode = try #require(found.detection.interface)
        for v in anode.knotsV { #expect(abs(v - 50) <= 1.5, "anode knots \(anode.knotsV)") }
        // The band's grey 50 ± 4 (σ ≈ 2.6 before the denoising) over the 5–95 % range of about 150 grey levels.
        #expect(found.layer.greySpread > 0 && found.layer.greySpread < 2.6 / 150, "spread \(found.layer.greySpread)")
        // The three tongues, up to a pixel more around each (its sides and its tip) where the
        // hysteresis keeps the blurred fringe.
        #expect(found.layer.risingPixels >= 1560 - 3 * 8 && found.layer.risingPixels <= 1560 + 2 * (81 + 61 + 91) + (10 + 8 + 8),
                "rising \(found.layer.risingPixels)")
    }

    @Test("nothing is looked for when the tongues rise from the collector, or the band is not uniform enough")
    func refused() throws {
        let (risingGrey, risingPhase) = try Self.bright(Self.scene(band: false, tongueFoot: 20))
        #expect(SubstrateLayer.beyondCollector(grey: risingGrey, phase: risingPhase, phaseIsBright: true, layer: try Self.phaseLayer(risingPhase),
                                               sideGiven: true, parameters: AnalysisParameters(), pixelSize: nil) == nil)
        let (grey, phase) = try Self.bright(Self.scene())
        let layer = try Self.phaseLayer(phase)
        let spread = try #require(SubstrateLayer.beyondCollector(grey: grey, phase: phase, phaseIsBright: true, layer: layer, sideGiven: true,
                                                                 parameters: AnalysisParameters(), pixelSize: nil)).layer.greySpread
        var strict = AnalysisParameters()
        strict.anodeLayer.substrate.maximumSpread = spread / 2
        #expect(SubstrateLayer.beyondCollector(grey: grey, phase: phase, phaseIsBright: true, layer: layer,
                                               sideGiven: true, parameters: strict, pixelSize: nil) == nil)
    }

    @Test("end to end: --phase bright --anode bottom measures the tongues from the band's far edge; off, from the collector")
    func endToEnd() throws {
        var options = AnalysisOptions()
        options.phase = .bright
        options.anode = .bottom
        let r = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        #expect(r.interfaceSubstrate?.isBright == false)
        // The deepest tongue pixel (v 140) lies 90 px beyond the band's edge (v 50).
        let p = try #require(r.penetration)
        #expect(abs(p.maxPx - 90) <= 2, "max \(p.maxPx)")
        #expect(r.warnings.contains { $0.contains("on a collector of their grey") }, "\(r.warnings)")

        options.parameters.anodeLayer.substrate.enabled = false
        let off = try DendriteAnalysis.run(Self.scene().micrograph(), options: options)
        #expect(off.interfaceSubstrate == nil)
        #expect(abs((off.penetration?.maxPx ?? 0) - 120) <= 2, "max \(off.penetration?.maxPx ?? -1)")
    }
}
