import DendrometerTestSupport
import Foundation
import Testing

/// End-to-end: the built binary, its output and its exit status.
@Suite("dendrometer inspect")
struct InspectCommandTests {
    @Test("JSON for the FEI sample: size, calibration and data bar from metadata")
    func feiSampleJSON() throws {
        let r = try CLI.run(["inspect", "--json", "samples/li-in_fig3_fei.tif"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        // The generator's truth for this sample (samples/truth/li-in_fig3_fei.truth.json):
        // 768 × 576 field + 43-row FEI data bar, [Scan] PixelWidth = 5e-08 m.
        #expect(json["width"] as? Int == 768)
        #expect(json["height"] as? Int == 619)
        let cal = try #require(json["calibration"] as? [String: Any])
        #expect(cal["pixel_size_um"] as? Double == 0.05)
        #expect(cal["source"] as? String == "fei")
        let bar = try #require(json["data_bar"] as? [String: Any])
        // [Image] ResolutionY=576 in a 619-row file: rows 576..618.
        #expect(bar["y"] as? Int == 576 && bar["h"] as? Int == 43 && bar["w"] as? Int == 768)
        #expect(r.stderr.isEmpty)
    }

    @Test("the summary gives the data bar as inclusive first–last rows and columns, as Fiji counts them")
    func summaryDataBarRows() throws {
        let r = try CLI.run(["inspect", "samples/li-in_fig3_fei.tif"])
        #expect(r.status == 0, "\(r.stderr)")
        // 619-row file with a 43-row FEI bar at the bottom: rows 576 to 618, all 768 columns.
        #expect(r.stdout.contains("data bar    rows 576–618, columns 0–767 (768 × 43 px, metadata (fei))"), "\(r.stdout)")
        #expect(!r.stdout.contains("..<"))
    }

    @Test("uncalibrated: pixel_size_um is null and the source is none")
    func uncalibratedIsNull() throws {
        let dir = URL(fileURLWithPath: Scratch.file("dm-cli"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A PNG carries no calibration. Write one via the binary-independent route: copy the JEOL sample without its sidecar.
        let png = dir.appendingPathComponent("plain.png")
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("samples/li-in_fig3_jeol_left.png"), to: png)
        let r = try CLI.run(["inspect", "--json", png.path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"pixel_size_um\" : null"))
        #expect(r.stdout.contains("\"source\" : \"none\""))
    }

    @Test("a bad file among good ones: one line naming it, exit 1, the others still reported")
    func badFileInBatch() throws {
        let dir = URL(fileURLWithPath: Scratch.file("dm-cli"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let empty = dir.appendingPathComponent("empty.tif").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let r = try CLI.run(["inspect", "samples/li-in_fig3_fei.tif", empty, "samples/li_vertical_imagej16.tif"])
        #expect(r.status == 1)
        #expect(r.stderr == "dendrometer: \(empty): file is empty (0 bytes)\n")
        #expect(r.stdout.contains("samples/li-in_fig3_fei.tif") && r.stdout.contains("samples/li_vertical_imagej16.tif"))
    }

    @Test("bad usage exits 64 with a message")
    func badUsage() throws {
        let r = try CLI.run(["inspect", "--pixel-size", "0.25", "samples/li-in_fig3_fei.tif"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("has no unit"))
    }

    @Test("--pixel-size overrides and is reported as user")
    func userPixelSize() throws {
        let r = try CLI.run(["inspect", "--json", "--pixel-size", "120nm", "samples/li_vertical_imagej16.tif"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"pixel_size_um\" : 0.12"))
        #expect(r.stdout.contains("\"source\" : \"user\""))
    }
}
