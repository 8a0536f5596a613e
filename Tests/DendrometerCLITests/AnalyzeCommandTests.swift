import Dendrometer
import DendrometerTestSupport
import Foundation
import Testing

/// `dendrometer analyze` and `dendrometer skeleton` end to end on the built binary.
@Suite("dendrometer analyze / skeleton")
struct AnalyzeCommandTests {
    static func temporaryDirectory() throws -> URL {
        let dir = URL(fileURLWithPath: Scratch.file("dm-cli"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("--overlay preview halves a 4096-wide image's overlay; --overlay none writes none")
    func overlaySizes() throws {
        let out = try Self.temporaryDirectory()
        // A 4100 × 40 image: a bright layer at the bottom with a few bright needles above it.
        var pixels = [UInt8](repeating: 60, count: 4100 * 40)
        for y in 30 ..< 40 { for x in 0 ..< 4100 { pixels[y * 4100 + x] = 200 } }
        for x in stride(from: 100, to: 4000, by: 400) { for y in 10 ..< 30 { pixels[y * 4100 + x] = 200; pixels[y * 4100 + x + 1] = 200 } }
        let path = out.appendingPathComponent("wide.tif").path
        try TIFFWriter.write(Image(width: 4100, height: 40, pixels: pixels, bitDepth: 8), to: path)
        let preview = try CLI.run(["analyze", path, "--out", out.appendingPathComponent("p").path, "--overlay", "preview",
                                   "--pixel-size", "0.1um", "--anode", "bottom"])
        #expect(preview.status == 0, "\(preview.stderr)")
        let png = try PNGReader.readRGB(out.appendingPathComponent("p/wide.overlay.png").path)
        #expect(png.width == 1367 && png.height == 14)   // reduced 3-fold: ⌈4100 / 3⌉ × ⌈40 / 3⌉
        let none = try CLI.run(["analyze", path, "--out", out.appendingPathComponent("n").path, "--overlay", "none",
                                "--pixel-size", "0.1um", "--anode", "bottom"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("n/wide.json").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("n/wide.overlay.png").path))
    }

    @Test("the FEI sample: JSON and overlay written, values close to the generator's truth")
    func feiSample() throws {
        let out = try Self.temporaryDirectory()
        let r = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", out.path,
                             "--edx", "In=samples/edx/li-in_fig3_fei_In.tif", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("li-in_fig3_fei.overlay.png").path))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("li-in_fig3_fei.json"))) as? [String: Any])
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.packageRoot.appendingPathComponent("samples/truth/li-in_fig3_fei.truth.json"))) as? [String: Any])
        #expect(doc["schema_version"] as? Int == 1)
        #expect(doc["anode_side"] as? String == truth["anode_side"] as? String)
        let pen = try #require(doc["penetration"] as? [String: Any]), tpen = try #require(truth["penetration"] as? [String: Any])
        // The CLI reports exactly what the library computes for the same file and options...
        var options = AnalysisOptions()
        options.edxMaps["In"] = try ImageFile.read(CLI.packageRoot.appendingPathComponent("samples/edx/li-in_fig3_fei_In.tif").path).image.asFloat()
        let library = try DendriteAnalysis.run(try Micrograph.open(CLI.packageRoot.appendingPathComponent("samples/li-in_fig3_fei.tif").path), options: options)
        let maxPx = try #require(pen["max_px"] as? Double), trueMax = try #require(tpen["max_px"] as? Double)
        // Exact comparison through JSONDecoder (Foundation's JSONSerialization on Linux may round
        // the last digit of a double, e.g. 341.59444732666014 → 341.59444732666003).
        struct Penetration: Decodable { var max_px: Double; var p95_px: Double }
        struct Document: Decodable { var penetration: Penetration }
        let exact = try JSONDecoder().decode(Document.self, from: Data(contentsOf: out.appendingPathComponent("li-in_fig3_fei.json"))).penetration
        #expect(exact.max_px == library.penetration?.maxPx)
        #expect(exact.p95_px == library.penetration?.p95Px)
        // ... and that is close to the generator's truth. This sample is one of the harder
        // scenes (1-px flame tips fade into the noise): 415 px vs 439 px true (−5.5 %),
        // just outside the benchmark's 5 % tolerance, so the wiring test allows 10 %.
        #expect(abs(maxPx - trueMax) <= 0.10 * trueMax)
        // µm = px × 0.05 µm/px (FEI metadata).
        #expect(abs((pen["max_um"] as? Double ?? 0) - maxPx * 0.05) < 1e-9)
        let regions = try #require(doc["regions"] as? [[String: Any]])
        #expect(regions.compactMap { $0["name"] as? String } == ["bottom", "middle", "top"])
        let labels = regions.compactMap { ($0["morphology"] as? [String: Any])?["label"] as? String }
        let trueLabels = (truth["regions"] as? [[String: Any]] ?? []).compactMap { ($0["morphology"] as? [String: Any])?["label"] as? String ?? $0["label"] as? String }
        #expect(labels == trueLabels)
        #expect(doc["edx_agreement"] != nil)
    }

    @Test("a missing EDX map for --phase edx:In is one clear line and exit 1")
    func missingEDX() throws {
        let r = try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--out", try Self.temporaryDirectory().path, "--phase", "edx:In"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("dendrometer: samples/li-in_fig3_fei.tif: --phase edx:In needs an EDX map"))
    }

    @Test("an output folder that cannot be made is one line naming what is in the way, before any analysis, and exit 1")
    func outputFolderInTheWay() throws {
        let dir = Scratch.directory("dm-cli")
        #expect(FileManager.default.createFile(atPath: dir + "/out", contents: Data("x".utf8)))
        let r = try CLI.run(["analyze", "samples/li_vertical_imagej16.tif", "--out", dir + "/out/run1"])
        #expect(r.status == 1)
        #expect(r.stderr == "dendrometer: \(dir)/out/run1: \(dir)/out is a file, not a folder\n", "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let batch = try CLI.run(["batch", "samples", "--out", dir + "/out/run1"])
        #expect(batch.status == 1)
        #expect(batch.stderr.contains("\(dir)/out/run1: cannot write: \(dir)/out is a file, not a folder"), "\(batch.stderr)")
    }

    @Test("a config or regions file that is not there is said as such, and a regions file's fault in its own terms")
    func missingAndMalformedSideFiles() throws {
        let dir = Scratch.directory("dm-cli")
        let config = try CLI.run(["analyze", "samples/li_vertical_imagej16.tif", "--config", dir + "/none.json", "--out", dir])
        #expect(config.status == 1 && config.stderr == "dendrometer: \(dir)/none.json: no such config file\n", "\(config.stderr)")
        try #"[{"name":"a","x":0,"y":0,"h":1}]"#.write(toFile: dir + "/r.json", atomically: true, encoding: .utf8)
        let regions = try CLI.run(["analyze", "samples/li_vertical_imagej16.tif", "--regions", dir + "/r.json", "--out", dir])
        #expect(regions.status == 1 && regions.stderr.hasSuffix("rectangle 1 has no 'w'\n"), "\(regions.stderr)")
    }

    @Test("`analyse` (British spelling, as the help's \"Analyse\") runs the same command as `analyze`")
    func britishSpelling() throws {
        let dir = URL(fileURLWithPath: Scratch.file("dm-cli"))
        let a = try CLI.run(["analyse", "samples/li_vertical_imagej16.tif", "--overlay", "none", "--json", "--out", dir.appendingPathComponent("gb").path])
        let b = try CLI.run(["analyze", "samples/li_vertical_imagej16.tif", "--overlay", "none", "--json", "--out", dir.appendingPathComponent("us").path])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)")
        #expect(a.stdout == b.stdout && !a.stdout.isEmpty)
    }

    @Test("a grid finer than the field (2000 columns on 640 px): empty regions, and the tiles' dendrite pixels add up to one tile's")
    func gridFinerThanField() throws {
        let dir = Scratch.file("dm-cli")
        func regions(_ grid: String) throws -> [[String: Any]] {
            let out = dir + "/" + grid.replacingOccurrences(of: ":", with: "_")
            let r = try CLI.run(["analyze", "samples/li_vertical_imagej16.tif", "--regions", grid, "--overlay", "none", "--out", out])
            #expect(r.status == 0, "\(r.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/li_vertical_imagej16.json"))) as? [String: Any]
            return json?["regions"] as? [[String: Any]] ?? []
        }
        func dendritePixels(_ region: [String: Any]) -> Int { (region["features"] as? [String: Any])?["dendrite_pixels"] as? Int ?? -1 }
        let fine = try regions("grid:1x2000"), one = try regions("grid:1x1")
        #expect(fine.count == 2000 && one.count == 1)
        let empty = fine.filter { ($0["bbox_px"] as? [Int])?[2] == 0 }
        #expect(empty.count == 2000 - 640 && empty.allSatisfy { dendritePixels($0) == 0 })
        #expect(fine.map(dendritePixels).reduce(0, +) == dendritePixels(one[0]) && dendritePixels(one[0]) > 0)
    }

    @Test("an image one pixel across, the anode along its one-pixel edge: analysed (exit 0, JSON written), no crash")
    func onePixelAcross() throws {
        // A 1 × 40 column: a bright anode (rows 32–39, grey 220) under a grey electrolyte (90)
        // holding a bright run (rows 24–27). The interface along the one-pixel edge needs two
        // knots one pixel apart (it used to trap on two equal knots).
        let dir = Scratch.directory("dm-cli")
        var column = [UInt8](repeating: 90, count: 40)
        for y in 24 ..< 28 { column[y] = 220 }
        for y in 32 ..< 40 { column[y] = 220 }
        try PNGWriter.write(Image(width: 1, height: 40, pixels: column), to: dir + "/column.png")
        for arguments in [["--phase", "bright", "--anode", "bottom"], ["--phase", "auto", "--anode", "bottom"], ["--phase", "dark", "--anode", "top"]] {
            let r = try CLI.run(["analyze", dir + "/column.png", "--overlay", "none", "--out", dir + "/out"] + arguments)
            #expect(r.status == 0, "\(arguments): \(r.stderr)")
            #expect(FileManager.default.fileExists(atPath: dir + "/out/column.json"))
            try? FileManager.default.removeItem(atPath: dir + "/out/column.json")
        }
    }

    @Test("bad --phase / --regions are usage errors (64)")
    func badUsage() throws {
        #expect(try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--phase", "shiny"]).status == 64)
        #expect(try CLI.run(["analyze", "samples/li-in_fig3_fei.tif", "--regions", "grid:0x3"]).status == 64)
    }

    @Test("skeleton of a hand-drawn plus: 1 junction, 4 endpoints, 4 type-1 branches of 3 px")
    func skeletonPlus() throws {
        // A plus with arms of 3 px around the centre (7×7), written as PNG by the test.
        let dir = try Self.temporaryDirectory()
        var rows = [[UInt8]](repeating: [UInt8](repeating: 0, count: 9), count: 9)
        for k in 1 ... 7 { rows[4][k] = 255; rows[k][4] = 255 }
        let path = dir.appendingPathComponent("plus.pgm").path
        // Minimal binary PGM is not supported; use the library-independent route: a BMP.
        var bmp: [UInt8] = [0x42, 0x4D]
        func le32(_ v: Int) -> [UInt8] { (0 ..< 4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let rowBytes = 12, offset = 14 + 40 + 1024
        bmp += le32(offset + rowBytes * 9) + [0, 0, 0, 0] + le32(offset)
        bmp += le32(40) + le32(9) + le32(9) + [1, 0, 8, 0] + le32(0) + le32(rowBytes * 9) + le32(0) + le32(0) + le32(256) + le32(0)
        for i in 0 ..< 256 { bmp += [UInt8(i), UInt8(i), UInt8(i), 0] }
        for y in (0 ..< 9).reversed() { bmp += rows[y] + [0, 0, 0] }
        #expect(FileManager.default.createFile(atPath: path + ".bmp", contents: Data(bmp)))
        let r = try CLI.run(["skeleton", path + ".bmp", "--json", "--branches", dir.appendingPathComponent("b.csv").path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let s = try #require(doc["skeleton"] as? [String: Any])
        #expect(s["junctions"] as? Int == 1)
        #expect(s["endpoints"] as? Int == 4)
        #expect((s["branch_types"] as? [String: Int])?["1"] == 4)
        #expect(s["length_px"] as? Double == 12)
        #expect(s["length_um"] is NSNull)
        let csv = try String(contentsOfFile: dir.appendingPathComponent("b.csv").path, encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)   // header + 4 branches
    }
}
