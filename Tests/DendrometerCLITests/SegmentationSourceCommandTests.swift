import Dendrometer
import DendrometerTestSupport
import Foundation
import Testing

/// `train`, `analyze --model`, `analyze --mask` and `--config` end to end on the built binary.
@Suite("dendrometer train / --model / --mask / --config")
struct SegmentationSourceCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = URL(fileURLWithPath: Scratch.file("dm-seg"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    struct Penetration: Decodable { var max_px: Double; var p95_px: Double }
    struct Segmentation: Decodable { var method: String }
    struct Document: Decodable { var penetration: Penetration; var segmentation: Segmentation; var tool_version: String }

    static func document(_ text: String) throws -> Document { try JSONDecoder().decode(Document.self, from: Data(text.utf8)) }

    /// The FEI sample's generator truth: maximum depth, px.
    static func trueMaxPx() throws -> Double {
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.packageRoot.appendingPathComponent("samples/truth/li-in_fig3_fei.truth.json"))) as? [String: Any])
        return try #require((truth["penetration"] as? [String: Any])?["max_px"] as? Double)
    }

    @Test("a phase mask fed back with --mask gives exactly the threshold path's penetration")
    func maskRoundTrip() throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        // Both paths read the anode's edge from the grey where a mesh of phase hides it
        // (SolidLayerEdge), so from the same phase they make the same computation.
        let first = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", out.path, "--save-masks", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let threshold = try Self.document(first.stdout)
        #expect(threshold.segmentation.method == "threshold")
        let phase = out.appendingPathComponent("li-in_fig3_fei.phase.tif").path
        // The phase mask is written in the full raster (data bar rows 0), 255 = phase.
        let mask = try ImageFile.read(phase)
        #expect(mask.image.width == 768 && mask.image.height == 619)
        let second = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", out.appendingPathComponent("m").path, "--mask", phase, "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let fromMask = try Self.document(second.stdout)
        #expect(fromMask.segmentation.method == "mask")
        #expect(fromMask.penetration.max_px == threshold.penetration.max_px)
        #expect(fromMask.penetration.p95_px == threshold.penetration.p95_px)
    }

    @Test("train on sparse labels of one image, then --model: depth within 5 % of the generator's truth; the model file loads bit for bit; --save-probabilities gives the same depths and probabilities summing to 1")
    func trainThenModel() throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        // Sparse labels: the true dendrite mask of the sample, the anode rows below the
        // truth's interface, and electrolyte elsewhere, on every 47th pixel (≈ 2 % labelled).
        let truthMask = try ImageFile.read(CLI.packageRoot.appendingPathComponent("samples/truth/li-in_fig3_fei.mask.png").path)
        guard case .uint8(let tm) = truthMask.image else { Issue.record("truth mask is not 8-bit"); return }
        let w = 768, h = 619, field = 576
        var labels = [UInt8](repeating: 0, count: w * h)
        let micrograph = try Micrograph.open(CLI.packageRoot.appendingPathComponent("samples/li-in_fig3_fei.tif").path)
        let grey = micrograph.image.asFloat()
        for i in stride(from: 0, to: w * field, by: 47) {
            let y = i / w
            // The anode layer is the bright band at the bottom of the field (the truth mask holds dendrites only).
            let anode = y >= 500 && grey.pixels[i] > 150
            labels[i] = (i < tm.pixels.count && tm.pixels[i] != 0) || anode ? 1 : 2
        }
        let labelPath = out.appendingPathComponent("labels.tif").path
        try TIFFWriter.write(Image(width: w, height: h, pixels: labels, bitDepth: 8), to: labelPath)
        let model = out.appendingPathComponent("fig3.dmpc").path
        let train = try CLI.run(["train", "--image", "samples/li-in_fig3_fei.tif", "--labels", labelPath, "--out", model, "--trees", "10"])
        #expect(train.status == 0, "\(train.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: model)))
        #expect(try PixelClassifier(serialized: bytes).serialized() == bytes)
        let r = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", out.path, "--model", model, "--anode", "bottom", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try Self.document(r.stdout)
        #expect(doc.segmentation.method == "model")
        #expect(doc.tool_version.hasPrefix("dendrometer "))
        let truth = try Self.trueMaxPx()
        #expect(abs(doc.penetration.max_px - truth) <= 0.05 * truth, "model max \(doc.penetration.max_px) vs truth \(truth)")
        // --save-probabilities computes the probabilities (the run above only the class map, which
        // stops each pixel's trees early): the same depths, and one float page per class summing to 1.
        let withProbabilities = out.appendingPathComponent("p")
        let rp = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", withProbabilities.path, "--model", model,
                              "--anode", "bottom", "--save-probabilities", "--json"])
        #expect(rp.status == 0, "\(rp.stderr)")
        let docP = try Self.document(rp.stdout)
        #expect(docP.penetration.max_px == doc.penetration.max_px && docP.penetration.p95_px == doc.penetration.p95_px)
        let path = withProbabilities.appendingPathComponent("li-in_fig3_fei.probabilities.tif").path
        var pages = [[Float]]()
        for page in 0 ..< 2 {
            var options = ReadOptions()
            options.page = page
            guard case .float32(let p) = try ImageFile.read(path, options: options).image else { Issue.record("page \(page) is not float"); return }
            pages.append(p.pixels)
        }
        // Inside the scanned field (rows above the data bar) the two classes' probabilities sum to 1.
        #expect((0 ..< w * field).allSatisfy { abs(pages[0][$0] + pages[1][$0] - 1) < 1e-5 })
    }

    @Test("bad models, labels, masks and configs are one line naming the file, exit 1")
    func clearErrors() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junk = dir.appendingPathComponent("junk.dmpc").path
        try Data("DMPC but not really a model".utf8).write(to: URL(fileURLWithPath: junk))
        let r1 = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", dir.path, "--model", junk])
        #expect(r1.status == 1)
        #expect(r1.stderr.hasPrefix("dendrometer: \(junk): "), "\(r1.stderr)")
        #expect(r1.stderr.split(separator: "\n").count == 1)

        let small = dir.appendingPathComponent("small.tif").path
        try TIFFWriter.write(Image(width: 10, height: 10, pixels: [UInt8](repeating: 1, count: 100), bitDepth: 8), to: small)
        let r2 = try CLI.run(["train", "--image", "samples/li-in_fig3_fei.tif", "--labels", small, "--out", dir.appendingPathComponent("m").path])
        #expect(r2.status == 1)
        #expect(r2.stderr == "dendrometer: \(small): the label image is 10 × 10 px but the image is 768 × 619 px (scanned field 768 × 576 px)\n")

        let noPhase = dir.appendingPathComponent("twos.tif").path
        try TIFFWriter.write(Image(width: 768, height: 619, pixels: [UInt8](repeating: 2, count: 768 * 619), bitDepth: 8), to: noPhase)
        let r3 = try CLI.run(["train", "--image", "samples/li-in_fig3_fei.tif", "--labels", noPhase, "--out", dir.appendingPathComponent("m").path])
        #expect(r3.status == 1)
        #expect(r3.stderr.contains("no pixel is labelled 1 (dendrite phase)"), "\(r3.stderr)")

        let r4 = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", dir.path, "--mask", small])
        #expect(r4.status == 1)
        #expect(r4.stderr.hasPrefix("dendrometer: \(small): the mask is 10 × 10 px but the image is 768 × 619 px"), "\(r4.stderr)")

        // A device is never read (it would never end): one line, exit 1.
        for flag in ["--model", "--config"] {
            let r = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", dir.path, flag, "/dev/zero"])
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("dendrometer: /dev/zero: ") && r.stderr.contains("not a regular file"), "\(r.stderr)")
        }

        let config = dir.appendingPathComponent("c.json").path
        try Data(#"{"skeleton": {"spurLenght": 2}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let r5 = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", dir.path, "--config", config])
        #expect(r5.status == 1)
        #expect(r5.stderr.hasPrefix("dendrometer: \(config): unknown parameter 'skeleton.spurLenght'; expected one of "), "\(r5.stderr)")
        #expect(r5.stderr.split(separator: "\n").count == 1)
    }

    @Test("a config subset and the flags reach the JSON's parameter record")
    func parametersRecorded() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("c.json").path
        try Data(#"{"orientation": {"rhoPx": 4}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let r = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", dir.path, "--config", config,
                             "--min-area", "20px", "--spur-length", "0.5um", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        struct Doc: Decodable { var parameters: AnalysisParameters }
        let p = try JSONDecoder().decode(Doc.self, from: Data(r.stdout.utf8)).parameters
        var expected = AnalysisParameters()
        expected.orientation.rhoPx = 4
        expected.dendrites.minimumAreaUnit = .pixels
        expected.dendrites.minimumAreaPx = 20
        expected.skeleton.spurLengthMicrometres = 0.5
        #expect(p == expected)
        // `dendrometer parameters` prints the defaults as a config file that reads back to them.
        let printed = try CLI.run(["parameters"])
        #expect(printed.status == 0)
        #expect(try ParameterFile.decode(Data(printed.stdout.utf8)) == AnalysisParameters())
    }
}
