import DendrometerCore
import DendrometerGeometry
import DendrometerPipeline
import Testing

@Suite("Scene hypotheses and quality figures")
struct SceneHypothesisTests {
    @Test("uniformity shares: spreads 0.04 and 0.12 score 0.75 and 0.25; the chosen hypothesis is listed first")
    func scores() {
        let h = PhaseHypothesis.scored(bright: (.bottom, 40, 0.04), dark: (.top, 30, 0.12), chosen: .dark)
        #expect(h.map(\.appearance) == [.dark, .bright])
        #expect(h.map(\.chosen) == [true, false])
        #expect(abs(h[0].score - 0.25) < 1e-12 && abs(h[1].score - 0.75) < 1e-12)
        #expect(h[1].side == .bottom && h[1].greySpread == 0.04 && h[1].layerThicknessPx == 40)
    }

    @Test("a polarity that forms no layer scores 0 and has no spread; neither: both 0")
    func noLayer() {
        let h = PhaseHypothesis.scored(bright: (.left, 12, 0.2), dark: (nil, 0, .infinity), chosen: .bright)
        #expect(h[0].score == 1 && h[1].score == 0 && h[1].greySpread == nil)
        let none = PhaseHypothesis.scored(bright: (nil, 0, .infinity), dark: (nil, 0, .infinity), chosen: .bright)
        #expect(none.allSatisfy { $0.score == 0 })
    }

    @Test("contrast to noise: phase at 200, rest 100 ± 10 (MAD) → (200 − 100) / 14.826")
    func contrast() throws {
        // 10 × 10: left 3 columns phase at 200; the rest alternates 90 / 110 around 100 with one 100,
        // so its median is 100 and every absolute deviation but one is 10 (MAD 10).
        var pixels = [Float](repeating: 0, count: 100)
        var mask = BinaryMask(width: 10, height: 10)
        var k = 0
        for y in 0 ..< 10 {
            for x in 0 ..< 10 {
                if x < 3 { pixels[y * 10 + x] = 200; mask[x, y] = true } else {
                    pixels[y * 10 + x] = k == 0 ? 100 : (k % 2 == 0 ? 90 : 110)
                    k += 1
                }
            }
        }
        let c = try #require(PhaseContrast.measure(Image(width: 10, height: 10, pixels: pixels, bitDepth: 32), phase: mask))
        #expect(c.phaseMedian == 200 && c.restMedian == 100)
        #expect(abs(c.restNoise - 14.826) < 1e-9)
        #expect(abs(c.contrastToNoise - 100 / 14.826) < 1e-9)
        // A constant rest has no noise to compare with: undefined, not infinite.
        #expect(PhaseContrast.measure(Image(width: 10, height: 10, pixels: pixels.map { $0 == 200 ? 200 : 100 }, bitDepth: 32), phase: mask) == nil)
    }
}

@Suite("Anode side: the layer of the dendrites' material")
struct AnodeLayerMaterialTests {
    /// 200 × 160: a bright anode (220) along the left, 20 px, with 10 px wide tongues of the same
    /// grey growing right (wide enough to keep their grey through the denoising), three of them
    /// across the cell (a short circuit, so phase lies beside both layers); a fainter, thicker layer (170, a current collector) along the right, 40 px;
    /// electrolyte at 100. A threshold of 140 puts both layers in the phase.
    func scene() -> Micrograph {
        var s = Scene(width: 200, height: 160, side: .left, phase: 220, interface: { _ in 20 })
        for (k, start) in stride(from: 10, to: 150, by: 20).enumerated() {
            let end = k % 2 == 1 ? 160 : 70      // three across: 3 × 10 × 20 = 600 root px by the collector
            for u in start ..< start + 10 { for d in 20 ..< end { s.paint(u: u, v: d) } }
        }
        for y in 0 ..< 160 { for x in 160 ..< 200 { s.pixels[y * 200 + x] = 170 } }
        return s.micrograph()
    }

    @Test("the thicker right layer is fainter than the phase beside it (ratio 70 / 120 = 0.58 < 0.8): the anode is the left layer")
    func collectorIsNotTheAnode() throws {
        var options = AnalysisOptions()
        options.phase = .bright
        options.parameters.threshold.threshold = .value(140)
        let r = try DendriteAnalysis.run(scene(), options: options)
        #expect(r.interface?.side == .left)
        // With the rule off (ratio 0), the thicker layer wins, as before.
        options.parameters.anodeLayer.minimumRootContrastRatio = 0
        #expect(try DendriteAnalysis.run(scene(), options: options).interface?.side == .right)
    }
}
