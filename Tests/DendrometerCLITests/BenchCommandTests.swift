import Dendrometer
import DendrometerTestSupport
import Foundation
import Testing

/// `dendrometer bench` end to end on the built binary (timings are not checked: only that the
/// cases run and the images they run on are written and analysable).
@Suite("dendrometer bench")
struct BenchCommandTests {
    @Test("analyze-dense runs, and the dense image --write-images writes is a scene the analysis reads as meant")
    func denseScene() throws {
        let out = URL(fileURLWithPath: Scratch.file("dm-bench"))
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let bench = try CLI.run(["bench", "--allow-debug", "--kernel", "analyze-dense", "--size", "1024x1024", "--repeat", "1",
                                 "--min-time", "0", "--write-images", out.path, "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [[String: Any]])
        #expect(results.map { $0["kernel"] as? String } == ["analyze-dense"])
        let image = out.appendingPathComponent("bench-dense-1024x1024.tif").path
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("bench-1024x1024.tif").path))
        // A quarter of the reference size: lengths scale with the height, so the pixel size does too.
        let r = try CLI.run(["analyze", image, "--pixel-size", "0.2um", "--anode", "bottom", "--overlay", "none",
                             "--out", out.appendingPathComponent("o").path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(report["phase"] as? String == "bright")
        #expect(report["anode_side"] as? String == "bottom")
        let skeleton = try #require(report["skeleton"] as? [String: Any])
        let connectivity = try #require(report["connectivity"] as? [String: Any])
        // Branching tongues joined near the anode: many branches and loops, loose pieces beyond the front.
        #expect((skeleton["branches"] as? Int ?? 0) > 300)
        #expect((skeleton["cycles"] as? Int ?? 0) > 30)
        #expect((connectivity["components"] as? Int ?? 0) > 20)
        // One tongue in twenty reaches over half the height (the layer is 1/64 of it).
        let penetration = try #require(report["penetration"] as? [String: Any])
        #expect((penetration["max_px"] as? Double ?? 0) > 0.5 * 1024)
    }
}
