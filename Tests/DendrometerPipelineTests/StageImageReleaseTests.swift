import DendrometerCore
import DendrometerPipeline
import Foundation
import Testing

/// The measurement releases the grey field and the record's stage images (texture, raw phase)
/// once the cathode is known, before the dendrite clean-up (peak memory). Nothing after that
/// point may read them: the analysis run that releases them and a measurement entered with the
/// caller's own record and field (whose copies keep theirs) must give the same figures.
@Suite("Stage images released after the dendrite stage")
struct StageImageReleaseTests {
    @Test("run releases them and gives what a measurement with the caller's own record gives (FEI sample, phase auto)")
    func sameFigures() throws {
        let path = NoiseRobustnessTests.samples + "/li-in_fig3_fei.tif"
        try #require(FileManager.default.fileExists(atPath: path), "sample \(path) missing")
        let m = try Micrograph.open(path)
        let released = try DendriteAnalysis.run(m)

        let field = try DendriteAnalysis.prepare(m)
        let seg = try ThresholdSegmenter().segment(field, parameters: AnalysisParameters())
        let kept = try DendriteAnalysis.measure(seg, field: field, micrograph: m)
        // The caller's copies keep their images; the results hold none.
        #expect(seg.texture.pixels.count == field.rect.width * field.rect.height && seg.rawPhaseThreshold != nil)
        #expect(field.denoised.pixels.count == field.rect.width * field.rect.height)
        for r in [released, kept] {
            #expect(r.segmentation.texture.pixels.isEmpty && r.segmentation.rawPhase == nil && r.segmentation.rawPhaseThreshold == nil && r.segmentation.other == nil)
            #expect(r.segmentation.phase.area > 0)
        }
        #expect(released.phase == kept.phase && released.interface?.side == kept.interface?.side)
        #expect(released.penetration?.maxPx == kept.penetration?.maxPx && released.penetration?.p95Px == kept.penetration?.p95Px)
        #expect(released.dendrites == kept.dendrites && released.skeleton == kept.skeleton)
        #expect(released.graph.summary.lengthPx == kept.graph.summary.lengthPx)
        #expect(released.regions.map(\.morphology.label) == kept.regions.map(\.morphology.label))
        #expect(released.cathode == kept.cathode && released.review == kept.review && released.warnings == kept.warnings)
    }
}
