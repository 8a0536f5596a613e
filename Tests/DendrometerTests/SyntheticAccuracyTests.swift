import Dendrometer
import DendrometerSynthetic
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
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dm-acc-\(UUID().uuidString)").path
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
