import DendrometerCore
import Dendrometer
import DendrometerBatch
import Foundation
import Testing

@Suite struct BatchRunTests {
    static let good = ["li-in_stripe.tif", "li_vertical.tif", "sub/a,b<c>.tif", "sub/li-in_fig3.tif"]
    static let bad = ["bad/corrupt.tif", "bad/empty.png", "bad/truncated.tif"]

    @Test func discoveryFindsImagesAndAttachesEDXMaps() throws {
        let items = try BatchInputs.discover([Fixture.input])
        #expect(items.map(\.relativePath) == (Self.bad + Self.good).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        let fig3 = try #require(items.first { $0.relativePath == "sub/li-in_fig3.tif" })
        #expect(fig3.edx.keys.sorted() == ["In", "S"])
        #expect(fig3.edx["In"]!.hasSuffix("sub/li-in_fig3_In.tif"))
        // A file input is named by its file name; globs expand per component.
        let globbed = try BatchInputs.discover([Fixture.input + "/sub/*.tif"])
        #expect(globbed.map(\.relativePath) == ["a,b<c>.tif", "li-in_fig3.tif"])
        #expect(globbed.last!.edx.count == 2)
        #expect(throws: BatchError.noSuchInput(Fixture.input + "/nothing*.tif")) {
            try BatchInputs.discover([Fixture.input + "/nothing*.tif"])
        }
    }

    @Test func batchResumesAndRebuildsTablesExactly() throws {
        let out = Fixture.output("resume")
        let items = try BatchInputs.discover([Fixture.input], outputDirectory: out)
        let first = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(first.total == 7)
        #expect(first.analysed == 4)
        #expect(first.failures.map(\.file) == Self.bad)
        #expect(first.exitStatus == 1)
        let images = try Fixture.rows(out + "/images.csv")
        let header = try CSV.parse(Fixture.read(out + "/images.csv"))[0]
        let fileColumn = try #require(header.firstIndex(of: "file"))
        #expect(images.map { $0[fileColumn] } == Self.good)
        #expect(images.allSatisfy { $0.count == header.count })
        // auto regions: bottom, middle, top per analysed image
        #expect(try Fixture.rows(out + "/regions.csv").count == 3 * Self.good.count)
        // branches.csv = concatenation of the per-image branch tables
        var branchCount = 0
        for rel in Self.good {
            branchCount += try Fixture.rows(out + "/json/\(rel).branches.csv").count
        }
        #expect(try Fixture.rows(out + "/branches.csv").count == branchCount)
        #expect(branchCount > 0)
        // dendrites.csv: one row per entry of each image's JSON `dendrites`, in the same order.
        let dendriteTable = try CSV.parse(Fixture.read(out + "/dendrites.csv"))
        #expect(Array(dendriteTable[0].prefix(4)) == ["file", "id", "counted", "isolated"])
        var expectedIDs = [String]()
        for rel in Self.good {
            let doc = try JSONSerialization.jsonObject(with: Data(Fixture.read(out + "/json/\(rel).json").utf8)) as! [String: Any]
            let rows = doc["dendrites"] as! [[String: Any]]
            expectedIDs += rows.map { "\(rel)#\($0["id"] as! Int)" }
        }
        #expect(dendriteTable.dropFirst().map { "\($0[0])#\($0[1])" } == expectedIDs)
        #expect(!expectedIDs.isEmpty)
        let failures = try CSV.parse(Fixture.read(out + "/failures.csv"))
        #expect(failures[0] == ["file", "error"])
        #expect(failures.dropFirst().map { $0[0] } == Self.bad)
        #expect(failures[2][1].contains("empty"))
        // parameters.json holds the tool version and full parameter set of every settings_hash in images.csv,
        // equal to what each image's own JSON recorded.
        let sets = try #require(try JSONSerialization.jsonObject(with: Data(Fixture.read(out + "/parameters.json").utf8)) as? [String: [String: Any]])
        let hashColumn = try #require(header.firstIndex(of: "settings_hash"))
        for (row, rel) in zip(images, Self.good) {
            let doc = try JSONSerialization.jsonObject(with: Data(Fixture.read(out + "/json/\(rel).json").utf8)) as! [String: Any]
            let set = try #require(sets[row[hashColumn]])
            #expect(set["tool_version"] as? String == doc["tool_version"] as? String)
            #expect(NSDictionary(dictionary: set["parameters"] as! [String: Any]).isEqual(to: doc["parameters"] as! [String: Any]))
        }
        // The file name with a comma and '<' is quoted (RFC 4180) and reads back intact.
        #expect(Fixture.read(out + "/images.csv").contains("\n\"sub/a,b<c>.tif\","))
        // EDX maps were used, not analysed as images.
        #expect(Fixture.read(out + "/json/sub/li-in_fig3.tif.json").contains("\"edx_agreement\""))
        #expect(!FileManager.default.fileExists(atPath: out + "/json/sub/li-in_fig3_In.tif.json"))
        let tables = Fixture.tableBytes(out)
        // An earlier output folder inside an input folder is not an input.
        let nested = Fixture.output("nested")
        try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixture.input + "/li_vertical.tif", toPath: nested + "/li_vertical.tif")
        try FileManager.default.copyItem(atPath: out, toPath: nested + "/previous-run")
        #expect(try BatchInputs.discover([nested]).map(\.relativePath) == ["li_vertical.tif"])

        // Second run: nothing new, tables byte-identical.
        let second = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(second.analysed == 0)
        #expect(second.skipped == 7)
        #expect(second.exitStatus == 1)
        #expect(Fixture.tableBytes(out) == tables)

        // One record deleted: only that image runs again.
        try FileManager.default.removeItem(atPath: out + "/json/li_vertical.tif.json")
        let third = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(third.analysed == 1)
        #expect(third.skipped == 6)
        #expect(Fixture.tableBytes(out) == tables)

        // A kill mid-write: tables gone, a temp file left, one record without its json.
        for t in Fixture.tables { try FileManager.default.removeItem(atPath: out + "/" + t) }
        try Data("{\"half".utf8).write(to: URL(fileURLWithPath: out + "/json/.li-in_stripe.tif.json.tmp-99999-1"))
        try FileManager.default.removeItem(atPath: out + "/json/li-in_stripe.tif.json")
        let fourth = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(fourth.analysed == 1)
        #expect(Fixture.tableBytes(out) == tables)

        // --no-resume analyses everything again, same tables.
        let fifth = try BatchRunner.run(items, configuration: Fixture.configuration(out, jobs: 1, resume: false))
        #expect(fifth.analysed == 4)
        #expect(fifth.skipped == 0)
        #expect(Fixture.tableBytes(out) == tables)
    }

    @Test("--save-masks writes every analysed image's masks under masks/, in the full raster; merge carries them; adding it re-analyses")
    func saveMasks() throws {
        let plain = Fixture.output("masks-plain"), out = Fixture.output("masks"), s1 = Fixture.output("masks-s1"), s2 = Fixture.output("masks-s2")
        let merged = Fixture.output("masks-merged")
        let items = try BatchInputs.discover([Fixture.input])
        _ = try BatchRunner.run(items, configuration: Fixture.configuration(plain))
        #expect(!FileManager.default.fileExists(atPath: plain + "/masks"))
        // The same folder with --save-masks: the settings changed, so every image runs again.
        var config = Fixture.configuration(plain)
        config.saveMasks = true
        let again = try BatchRunner.run(items, configuration: config)
        #expect(again.analysed == Self.good.count && again.skipped == 0 && again.failures.map(\.file) == Self.bad)
        config.outputDirectory = out
        _ = try BatchRunner.run(items, configuration: config)
        for rel in Self.good {
            let json = try JSONSerialization.jsonObject(with: Data(Fixture.read(out + "/json/\(rel).json").utf8)) as! [String: Any]
            for name in ["phase", "mask", "skeleton"] {
                let image = try ImageFile.read(out + "/masks/\(rel).\(name).tif").image
                #expect(image.width == json["width"] as? Int && image.height == json["height"] as? Int, "\(rel) \(name)")
            }
            if json["anode_side"] as? String != nil {
                #expect(FileManager.default.fileExists(atPath: out + "/masks/\(rel).depth.tif"), "\(rel)")
            }
        }
        // Shards with masks merge into the same mask files.
        config.outputDirectory = s1; config.shard = try Shard(parsing: "1/2")
        _ = try BatchRunner.run(items, configuration: config)
        config.outputDirectory = s2; config.shard = try Shard(parsing: "2/2")
        _ = try BatchRunner.run(items, configuration: config)
        _ = try BatchMerge.merge([s1, s2], into: merged)
        for rel in Self.good {
            #expect(FileManager.default.contents(atPath: merged + "/masks/\(rel).mask.tif") == FileManager.default.contents(atPath: out + "/masks/\(rel).mask.tif"))
        }
    }

    @Test func shardsMergedEqualOneRun() throws {
        let all = Fixture.output("all"), s1 = Fixture.output("s1"), s2 = Fixture.output("s2"), merged = Fixture.output("merged")
        let items = try BatchInputs.discover([Fixture.input])
        _ = try BatchRunner.run(items, configuration: Fixture.configuration(all))
        let a = try BatchRunner.run(items, configuration: Fixture.configuration(s1, shard: try Shard(parsing: "1/2")))
        let b = try BatchRunner.run(items, configuration: Fixture.configuration(s2, shard: try Shard(parsing: "2/2")))
        #expect(a.total + b.total == items.count)
        #expect(a.total > 0 && b.total > 0)
        let m = try BatchMerge.merge([s1, s2], into: merged)
        #expect(m.total == items.count)
        #expect(m.exitStatus == 1)
        #expect(Fixture.tableBytes(merged) == Fixture.tableBytes(all))
        // Merging again into the same folder changes nothing.
        _ = try BatchMerge.merge([s1, s2, merged], into: merged)
        #expect(Fixture.tableBytes(merged) == Fixture.tableBytes(all))
    }

    @Test func manifestColumnsComeFirstInEveryRow() throws {
        let dir = Fixture.output("manifest")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let manifest = dir + "/manifest.csv"
        let rel = { (p: String) in "../in/" + p }
        let lines = [
            "group,image,cycles,note,pixel_size,edx:In",
            "Li,\(rel("li_vertical.tif")),50,\"first, with comma\",,",
            "Li-In,\(rel("sub/li-in_fig3.tif")),100,\"say \"\"hi\"\"\",0.15um,\(rel("sub/li-in_fig3_In.tif"))",
        ]
        try Data((lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: URL(fileURLWithPath: manifest))
        let items = try BatchInputs.discover([], manifest: manifest)
        #expect(items.map(\.relativePath) == ["in/li_vertical.tif", "in/sub/li-in_fig3.tif"])
        #expect(items[1].edx.keys.sorted() == ["In", "S"])
        let out = dir + "/out"
        let outcome = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(outcome.failures.isEmpty)
        #expect(outcome.exitStatus == 0)
        let images = try CSV.parse(Fixture.read(out + "/images.csv"))
        #expect(Array(images[0].prefix(5)) == ["group", "cycles", "note", "pixel_size", "file"])
        #expect(Array(images[1].prefix(5)) == ["Li", "50", "first, with comma", "", "in/li_vertical.tif"])
        #expect(Array(images[2].prefix(5)) == ["Li-In", "100", "say \"hi\"", "0.15um", "in/sub/li-in_fig3.tif"])
        let pixelColumn = try #require(images[0].firstIndex(of: "calibration.pixel_size_um"))
        #expect(Double(images[2][pixelColumn]).map { abs($0 - 0.15) < 1e-9 } == true)
        #expect(images[2][images[0].firstIndex(of: "calibration.source")!] == "user")
        for table in ["regions.csv", "dendrites.csv", "branches.csv"] {
            let rows = try CSV.parse(Fixture.read(out + "/" + table))
            #expect(Array(rows[0].prefix(5)) == ["group", "cycles", "note", "pixel_size", "file"])
            #expect(rows.dropFirst().allSatisfy { ["Li", "Li-In"].contains($0[0]) && ["50", "100"].contains($0[1]) })
        }
    }
}
