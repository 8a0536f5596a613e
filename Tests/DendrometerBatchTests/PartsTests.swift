import DendrometerCore
import DendrometerBatch
import Dendrometer
import Foundation
import Testing

@Suite struct PartsTests {
    @Test func csvQuotesAndReadsBack() throws {
        #expect(CSV.escape("plain") == "plain")
        #expect(CSV.escape("a,b") == "\"a,b\"")
        #expect(CSV.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.escape("two\nlines") == "\"two\nlines\"")
        #expect(CSV.escape("<b>") == "<b>")
        // Formula injection (OWASP): text starting with = + - @ tab CR gets a leading quote; numbers do not.
        #expect(CSV.escape("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSV.escape("+1+2") == "'+1+2" && CSV.escape("@SUM(A1)") == "'@SUM(A1)" && CSV.escape("-cmd") == "'-cmd")
        #expect(CSV.escape("\tx") == "'\tx" && CSV.escape("\rx") == "\"'\rx\"")
        #expect(CSV.escape("-3.5") == "-3.5" && CSV.escape("+2e-3") == "+2e-3" && CSV.escape("a=b") == "a=b")
        let rows = [["file", "error"], ["a,b<c>.tif", "x \"y\"\nz"], ["", "last"]]
        let text = CSV.table(header: rows[0], rows: Array(rows.dropFirst()))
        #expect(try CSV.parse(text) == rows)
        #expect(try CSV.parse("\u{FEFF}a,b\r\n1,2\r\n\r\n") == [["a", "b"], ["1", "2"]])
        #expect(throws: CSVError.unterminatedQuote) { try CSV.parse("a,\"open") }
    }

    @Test func fnvMatchesReferenceValues() {
        // python3: h=0xcbf29ce484222325; for b in s: h=((h^b)*0x100000001b3)%2**64
        #expect(FNV1a64.hash("") == "cbf29ce484222325")
        #expect(FNV1a64.hash("a") == "af63dc4c8601ec8c")
        #expect(FNV1a64.hash("foobar") == "85944171f73967e8")
    }

    @Test func shardsPartitionEveryPath() throws {
        let paths = (0 ..< 200).map { "cell\($0 % 7)/image-\($0).tif" }
        for n in 1 ... 5 {
            let shards = try (1 ... n).map { try Shard(index: $0, count: n) }
            for p in paths { #expect(shards.filter { $0.contains(p) }.count == 1) }
        }
        #expect(throws: BatchError.self) { try Shard(parsing: "0/4") }
        #expect(throws: BatchError.self) { try Shard(parsing: "5/4") }
        #expect(throws: BatchError.self) { try Shard(parsing: "x") }
        #expect(try Shard(parsing: "3/8") == Shard(index: 3, count: 8))
    }

    @Test func jsonFlattening() throws {
        let doc = try JSONDocument.parse("""
        {"b": {"y": 1.50, "x": null}, "a": [1, 2e3, true], "s": ["w1", "w \\"2\\""], "o": [{"k": 1}],
         "p": [[0, 1]], "t": "caf\\u00e9", "e": []}
        """)
        let flat = BatchTables.flatten(doc)
        #expect(flat.map(\.0) == ["b.y", "b.x", "a.0", "a.1", "a.2", "s", "t", "e"])
        #expect(flat.map(\.1) == ["1.50", "", "1", "2e3", "true", "w1; w \"2\"", "café", ""])
        #expect(throws: BatchError.self) { try JSONDocument.parse("{\"a\": 1") }
        #expect(throws: BatchError.self) { try JSONDocument.parse("[1] x") }
    }

    @Test("tidy images.csv columns: a null data bar as its empty sub-columns, histogram bins by their edges, branch types by name, no duplicated EDX agreement")
    func tidyColumns() throws {
        let doc = try JSONDocument.parse("""
        {"data_bar": null, "orientation": {"histogram": [0.5, 0.25]}, "skeleton": {"branch_types": {"0": 1, "3": 2}},
         "edx_agreement": {"In": 0.9}, "quality": {"edx_agreement": {"In": 0.9}, "review": []}, "parameters": {"x": 1}}
        """)
        let flat = BatchTables.flatten(doc, skipping: BatchTables.skippedKeys)
        #expect(flat.map(\.0) == ["data_bar.h", "data_bar.source", "data_bar.w", "data_bar.x", "data_bar.y",
                                  "orientation.histogram.0_to_10_deg", "orientation.histogram.10_to_20_deg",
                                  "skeleton.branch_types.0_endpoint_endpoint", "skeleton.branch_types.3_cycle",
                                  "edx_agreement.In", "quality.review"])
        #expect(flat.map(\.1) == ["", "", "", "", "", "0.5", "0.25", "1", "2", "0.9", ""])
    }
}

@Suite("Settings hash")
struct SettingsHashTests {
    @Test("every parameter, and the segmentation source, changes the settings fingerprint (a resumed batch re-analyses)")
    func everyParameterCounts() throws {
        let base = BatchConfiguration(outputDirectory: "/tmp/x")
        let reference = BatchRunner.settingsFingerprint(base)
        var deep = base
        deep.analysis.parameters.interface.maximumSagittaFraction = 0.06
        var morphology = base
        morphology.analysis.parameters.morphology.loopyIndex = 51
        var masked = base
        masked.analysis.segmentation = .mask(ExternalMask(mask: BinaryMask(width: 2, height: 2), path: "m.png"))
        let prints = [reference, BatchRunner.settingsFingerprint(deep), BatchRunner.settingsFingerprint(morphology),
                      BatchRunner.settingsFingerprint(masked)]
        #expect(Set(prints).count == prints.count)
        #expect(BatchRunner.settingsFingerprint(base) == reference)
    }
}
