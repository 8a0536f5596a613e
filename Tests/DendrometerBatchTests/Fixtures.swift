import DendrometerCore
import Dendrometer
import DendrometerBatch
import DendrometerSynthetic
import DendrometerTestSupport
import Foundation

/// A small folder of synthetic micrographs plus three bad files, made once per test process.
enum Fixture {
    /// Sample scenes shrunk to ≤ 256 px wide (same physical field, coarser pixels) to keep debug runs fast.
    static func small(_ name: String, factor: Double) -> SceneSpec {
        var s = SampleSet.scenes.first { $0.name == name }!.spec
        s.width = Int(Double(s.width) / factor)
        s.height = Int(Double(s.height) / factor)
        s.pixelSizeMicrometres *= factor
        return s
    }

    /// `root/in`: `li_vertical.tif` (Li, dark, vertical), `sub/li-in_fig3.tif` with
    /// `sub/li-in_fig3_In.tif` and `_S.tif` EDX maps beside it, `li-in_stripe.tif`,
    /// `sub/a,b<c>.tif` (a copy of the Li scene with a comma and `<` in its name),
    /// `bad/corrupt.tif` (text), `bad/truncated.tif` (first 3000 bytes of a TIFF),
    /// `bad/empty.png` (0 bytes), and `notes.txt` (ignored).
    static let root: String = {
        let root = Scratch.file("dendrometer-batch-fixture")
        let input = root + "/in"
        let truth = root + "/truth"
        try! FileManager.default.createDirectory(atPath: input + "/sub", withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: input + "/bad", withIntermediateDirectories: true)
        let scenes: [(String, SceneSpec)] = [
            ("li_vertical", small("li_vertical_imagej16", factor: 2.5)),
            ("sub/li-in_fig3", small("li-in_fig3_fei", factor: 3)),
            ("li-in_stripe", small("li-in_stripe_zeiss", factor: 2.5)),
        ]
        for (stem, spec) in scenes {
            let dir = (input + "/" + stem as NSString).deletingLastPathComponent
            let scene = try! SceneRenderer.render(spec)
            try! SceneWriter.write(scene, to: dir, stem: (stem as NSString).lastPathComponent, truthDirectory: truth)
        }
        let li = try! Data(contentsOf: URL(fileURLWithPath: input + "/li_vertical.tif"))
        try! li.write(to: URL(fileURLWithPath: input + "/sub/a,b<c>.tif"))
        try! li.prefix(3000).write(to: URL(fileURLWithPath: input + "/bad/truncated.tif"))
        try! Data("this is not an image\n".utf8).write(to: URL(fileURLWithPath: input + "/bad/corrupt.tif"))
        try! Data().write(to: URL(fileURLWithPath: input + "/bad/empty.png"))
        try! Data("notes".utf8).write(to: URL(fileURLWithPath: input + "/notes.txt"))
        return root
    }()

    static var input: String { root + "/in" }

    /// A fresh, empty output folder.
    static func output(_ name: String) -> String {
        let p = root + "/out-\(name)-\(UInt32.random(in: 0 ... .max))"
        try? FileManager.default.removeItem(atPath: p)
        return p
    }

    static func configuration(_ out: String, jobs: Int = 2, shard: Shard? = nil, resume: Bool = true) -> BatchConfiguration {
        BatchConfiguration(outputDirectory: out, jobs: jobs, shard: shard, resume: resume, progress: .silent)
    }

    static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// Rows (header excluded) of a CSV file.
    static func rows(_ path: String) throws -> [[String]] {
        Array(try CSV.parse(read(path)).dropFirst())
    }

    static let tables = ["images.csv", "regions.csv", "dendrites.csv", "branches.csv", "failures.csv"]

    static func tableBytes(_ dir: String) -> [String] { tables.map { read(dir + "/" + $0) } }
}
