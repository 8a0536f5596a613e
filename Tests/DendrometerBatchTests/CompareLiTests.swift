import Dendrometer
import DendrometerBatch
import DendrometerReport
import DendrometerSynthetic
import DendrometerTestSupport
import Foundation
import Testing

/// Issue #5's acceptance check: on the generator's Li and Li-In scenes, a batch
/// per group followed by `compare` shows Li's vertical fraction above Li-In's.
@Suite("Compare Li vs Li-In")
struct CompareLiTests {
    /// Benchmark scenes shrunk to about a third so the debug test stays quick.
    static func scenes(_ names: [String]) -> [(String, SceneSpec)] {
        names.map { name in
            var s = BenchmarkSet.scenes.first { $0.name == name }!.spec
            s.width /= 3; s.height /= 3
            s.zoneDepthMicrometres /= 3; s.anodeThicknessMicrometres /= 3
            return (name, s)
        }
    }

    @Test("Li's vertical fraction is above Li-In's")
    func liVersusLiIn() throws {
        let root = Scratch.file("dm-cmp")
        let groups = [("Li", ["b26_li_vertical_imagej12", "b28_li_vertical_jeol_left", "b29_li_vertical_zeiss_right_tilt-8"]),
                      ("Li-In", ["b01_fig3_fei_bottom", "b04_fig3_jeol_left", "b06_fig3_tescan_tilt8"])]
        var outputs = [String]()
        for (group, names) in groups {
            let input = "\(root)/\(group)", output = "\(root)/out-\(group)"
            for (name, spec) in Self.scenes(names) { _ = try write(try render(spec), to: input, stem: name, truthDirectory: "\(root)/truth") }
            var configuration = BatchConfiguration(outputDirectory: output)
            configuration.progress = .silent
            let outcome = try BatchRunner.run(try BatchInputs.discover([input]), configuration: configuration)
            #expect(outcome.failures.isEmpty)
            #expect(outcome.imageRows == 3)
            outputs.append(output)
        }
        let comparison = try GroupComparison.compute(directories: outputs, labels: ["Li", "Li-In"])
        let vertical = comparison.summaries.filter { $0.metric == "orientation.vertical_fraction" }
        let li = try #require(vertical.first { $0.group == "Li" }), liIn = try #require(vertical.first { $0.group == "Li-In" })
        #expect(li.summary.median > liIn.summary.median, "Li \(li.summary.median) vs Li-In \(liIn.summary.median)")
        let test = try #require(comparison.tests.first { $0.metric == "orientation.vertical_fraction" && $0.kind == .pair })
        // Every Li image is more vertical than every Li-In image: Cliff's delta +1 (Li first).
        #expect(test.effect == "cliffs_delta" && test.effectSize == 1)
    }
}
