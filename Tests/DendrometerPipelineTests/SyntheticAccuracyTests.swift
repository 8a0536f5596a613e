import Dendrometer
import DendrometerSynthetic
import DendrometerTestSupport
import Foundation
import Testing

/// End to end against the generator's exact ground truth: the vendor file is
/// written, re-opened (calibration from its metadata), analysed, and compared
/// with the truth the generator computed from the geometry it drew. The full
/// 34-scene benchmark runs with tools/accuracy_benchmark.sh; these scenes cover
/// every layout, polarity and anode side, and a short circuit with the cathode in view.
@Suite("Accuracy on synthetic micrographs")
struct SyntheticAccuracyTests {
    static let names = ["b01_fig3_fei_bottom", "b15_stripe_zeiss_left_tilt5", "b18_network_fei",
                        "b23_flame_imagej_left_tilt-7", "b28_li_vertical_jeol_left", "b32_short_fig3_fei"]

    @Test("calibration, anode side, depths and region labels match the truth", arguments: names)
    func scene(_ name: String) throws {
        let spec = try #require(BenchmarkSet.scenes.first { $0.name == name }).spec
        let scene = try render(spec)
        let dir = Scratch.file("dm-acc")
        let written = try write(scene, to: dir, stem: name, truthDirectory: dir + "/truth")
        let truth = scene.truth

        let m = try Micrograph.open(written.image)
        #expect(m.calibration.source == truth.calibrationSource)
        if let stated = truth.statedPixelSizeMicrometres {
            #expect(abs((m.calibration.pixelSize?.micrometres ?? 0) - stated) / stated < 1e-3)
        }
        let r = try DendriteAnalysis.run(m)
        #expect(r.interface?.side == truth.anodeSide)
        let p = try #require(r.penetration)
        #expect(abs(p.maxPx - truth.maxDepthPixels) <= max(4, 0.05 * truth.maxDepthPixels), "max \(p.maxPx) vs \(truth.maxDepthPixels)")
        #expect(abs(p.p95Px - truth.p95DepthPixels) <= max(4, 0.05 * truth.p95DepthPixels), "p95 \(p.p95Px) vs \(truth.p95DepthPixels)")
        #expect(p.shortCircuit == truth.shortCircuit)
        for t in truth.regions {
            let got = r.regions.first { $0.name == t.name }?.morphology.label
            #expect(got == t.label, "\(name) region \(t.name): \(String(describing: got)) vs \(t.label)")
        }
    }
}

@Suite("EDX maps")
struct EDXTests {
    /// The FEI sample scene carries an In map at 1/4 resolution with ~6 counts per pixel.
    static func scene() throws -> SyntheticScene {
        try render(try #require(SampleSet.scenes.first { $0.name == "li-in_fig3_fei" }).spec)
    }

    @Test("--phase edx:In segments from the map alone: same anode side, depth within a few map pixels")
    func edxPhase() throws {
        let scene = try Self.scene()
        let inMap = try #require(scene.edxMaps.first { $0.element == "In" })
        let dir = Scratch.file("dm-edx")
        let written = try write(scene, to: dir, stem: "edx")
        var options = AnalysisOptions()
        options.phase = .edx("In")
        options.edxMaps["In"] = inMap.image.asFloat()
        let r = try DendriteAnalysis.run(try Micrograph.open(written.image), options: options)
        #expect(r.phase == "edx:In")
        #expect(r.interface?.side == scene.truth.anodeSide)
        // A map pixel covers k = 4 field pixels: allow 2k px on top of the 5 % tolerance.
        let p = try #require(r.penetration)
        let k = Double(inMap.factor)
        #expect(abs(p.maxPx - scene.truth.maxDepthPixels) <= 0.05 * scene.truth.maxDepthPixels + 2 * k,
                "max \(p.maxPx) vs \(scene.truth.maxDepthPixels)")
    }

    @Test("by default an In map confirms the BSE phase (Dice agreement reported)")
    func confirms() throws {
        let scene = try Self.scene()
        let inMap = try #require(scene.edxMaps.first { $0.element == "In" })
        let dir = Scratch.file("dm-edx")
        let written = try write(scene, to: dir, stem: "edx")
        var options = AnalysisOptions()
        options.edxMaps["In"] = inMap.image.asFloat()
        let r = try DendriteAnalysis.run(try Micrograph.open(written.image), options: options)
        #expect((r.edxAgreement["In"] ?? 0) > 0.8)
        #expect(!r.warnings.contains { $0.contains("agrees poorly") })
    }

    @Test("--phase edx:In without the map is a clear error")
    func missing() throws {
        let scene = try Self.scene()
        let dir = Scratch.file("dm-edx")
        let written = try write(scene, to: dir, stem: "edx")
        var options = AnalysisOptions()
        options.phase = .edx("In")
        #expect(throws: AnalysisError.missingEDXMap(element: "In", available: [])) {
            _ = try DendriteAnalysis.run(try Micrograph.open(written.image), options: options)
        }
    }
}
