import DendrometerCore
import DendrometerIO
import Foundation
import Testing
@testable import DendrometerReport

@Suite struct ReportTests {
    static let nasty = "a<b>&\"c\".tif"

    func makeBatch() throws -> String {
        try BatchFixture.make([
            FixtureImage(file: Self.nasty, group: "Li", overlayWidth: 600),
            FixtureImage(file: "plain.tif", group: "Li-In", maxUm: nil, label: "stripe", regionLabels: ["stripe", "network"], overlayWidth: 20),
        ], failures: [("bad<x>.tif", "truncated TIFF: expected 4096 bytes, got 12"), ("empty.tif", "empty file")])
    }

    @Test func escapeHandlesEveryMetaCharacter() {
        #expect(HTML.escape(Self.nasty) == "a&lt;b&gt;&amp;&quot;c&quot;.tif")
        #expect(HTML.escape("it's") == "it&#39;s")
        #expect(HTML.escape("µm ok") == "µm ok")
    }

    @Test func reportIsEscapedSelfContainedAndComplete() throws {
        let dir = try makeBatch()
        try BatchReport.write(directory: dir)
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        // Escaping: the raw names never appear, the escaped ones do.
        #expect(!html.contains(Self.nasty))
        #expect(!html.contains("a<b>"))
        #expect(html.contains("a&lt;b&gt;&amp;&quot;c&quot;.tif"))
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<b>bold</b>"))
        // One section per image, one embedded thumbnail each, no network references.
        #expect(html.components(separatedBy: "<section class=\"image\"").count - 1 == 2)
        #expect(html.components(separatedBy: "src=\"data:image/png;base64,").count - 1 == 2)
        #expect(html.range(of: "http", options: .caseInsensitive) == nil)
        #expect(!html.contains("<link") && !html.contains("<script src"))
        // Plots: two depth profiles, two roses, four distribution histograms.
        #expect(html.components(separatedBy: "aria-label=\"Depth profile\"").count - 1 == 2)
        #expect(html.components(separatedBy: "aria-label=\"Orientation (0° = lateral)\"").count - 1 == 2)
        // One image lacks calibration: units are per image (µm columns empty for it, px beside), and
        // the depth histogram is in µm over the calibrated image alone, saying so.
        for t in ["Max depth (µm), 1 of 2 images", "Area fraction", "Lateral fraction", "Vertical fraction"] {
            #expect(html.contains("aria-label=\"\(t)\""), "\(t)")
        }
        #expect(html.contains("<th>max depth (µm)</th>") && html.contains("<th>max depth (px)</th>"))
        #expect(html.contains("µm for the 1 calibrated image (empty for the others); px for every image"))
        // Thumbnails open the full-size overlay; the provenance section names the tool.
        #expect(html.components(separatedBy: "title=\"full-size overlay\"><img src=\"data:image/png;base64,").count - 1 == 2)
        #expect(html.contains("<h2 id=\"provenance\">How these numbers were made</h2>"))
        // Sortable table with both rows, manifest columns first.
        #expect(html.contains("<table class=\"sortable\" id=\"images-table\"><thead><tr><th>#</th><th>group</th><th>cycles</th><th>file</th>"))
        // Regions: 1 + 2 rows from the JSON documents.
        #expect(html.components(separatedBy: "<h4>Regions</h4>").count - 1 == 2)
        // No temporary files left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func imagesToReviewComeFirstWithTheirReasons() throws {
        let dir = try BatchFixture.make([
            FixtureImage(file: "sure.tif", group: "Li"),
            FixtureImage(file: "unsure.tif", group: "Li", review: ["no anode layer found <so> say --anode"]),
        ], failures: [])
        let html = try BatchReport.render(directory: dir)
        let review = try #require(html.range(of: "<h2 id=\"review\">To review first (1)</h2>"))
        let failures = try #require(html.range(of: "<h2 id=\"failures\">"))
        #expect(review.lowerBound < failures.lowerBound)
        #expect(html.contains("<a href=\"#img-2\">unsure.tif</a>"))
        #expect(!html.contains("<a href=\"#img-1\">sure.tif</a></td><td><ul>"))
        #expect(html.contains("<li>no anode layer found &lt;so&gt; say --anode</li>"))
        // … and again in the image's own section, as "Please check" and among all values (quality.review.0).
        #expect(html.components(separatedBy: "no anode layer found &lt;so&gt;").count - 1 == 3)
        #expect(html.contains("<td>quality.review.0</td><td>no anode layer found &lt;so&gt; say --anode</td>"))
    }

    @Test func failuresTableListsEveryFailure() throws {
        let html = try BatchReport.render(directory: try makeBatch())
        #expect(html.contains("<h2 id=\"failures\">Failures (2)</h2>"))
        #expect(html.contains("<td>bad&lt;x&gt;.tif</td><td>truncated TIFF: expected 4096 bytes, got 12</td>"))
        #expect(html.contains("<td>empty.tif</td><td>empty file</td>"))
    }

    @Test func thumbnailsAreAtMost480Wide() throws {
        let html = try BatchReport.render(directory: try makeBatch())
        var widths = [Int]()
        var rest = Substring(html)
        while let r = rest.range(of: "src=\"data:image/png;base64,") {
            let tail = rest[r.upperBound...]
            let end = tail.firstIndex(of: "\"")!
            let png = [UInt8](Data(base64Encoded: String(tail[..<end]))!)
            widths.append(Thumbnail.pngSize(png)!.width)
            rest = tail[end...]
        }
        #expect(widths == [480, 20])  // 600 px overlay downscaled, 20 px overlay embedded as is
    }

    @Test func reportSurvivesMissingJSONAndOverlay() throws {
        let dir = try makeBatch()
        try FileManager.default.removeItem(atPath: dir + "/json/img0.json")
        try FileManager.default.removeItem(atPath: dir + "/overlays/img1.png")
        let html = try BatchReport.render(directory: dir)
        #expect(html.contains("overlay unavailable"))
        #expect(html.components(separatedBy: "<section class=\"image\"").count - 1 == 2)
        #expect(!html.contains(Self.nasty))
    }

    @Test func reportNeedsBatchOutputs() {
        let dir = BatchFixture.temporaryDirectory("empty")
        #expect(throws: ReportError.missingFile(dir + "/images.csv")) { try BatchReport.write(directory: dir) }
    }

    @Test func boxFilterHandComputed() {
        // [0,10,20,30] → 2 px: means of [0,10] and [20,30]
        #expect(Thumbnail.boxDownscale(Image(width: 4, height: 1, pixels: [0, 10, 20, 30]), width: 2, height: 1) == [5, 25])
        // 3×3 → 1×1: mean of 1…9 = 5
        #expect(Thumbnail.boxDownscale(Image(width: 3, height: 3, pixels: Array(1 ... 9)), width: 1, height: 1) == [5])
        // identity size keeps the pixels
        #expect(Thumbnail.boxDownscale(Image(width: 2, height: 2, pixels: [1, 2, 3, 4]), width: 2, height: 2) == [1, 2, 3, 4])
        // interleaved RGB, each channel on its own: R (0+10)/2 = 5, G (100+200)/2 = 150, B 7.5 rounds to 8
        #expect(Thumbnail.boxDownscale([0, 100, 7, 10, 200, 8], width: 2, height: 1, channels: 3, toWidth: 1, height: 1) == [5, 150, 8])
        // 5×3 RGB to 2×2: every channel equals the one-channel filter of that channel
        let rgb = (0 ..< 45).map { UInt8(($0 * 37 + 11) % 256) }
        let small = Thumbnail.boxDownscale(rgb, width: 5, height: 3, channels: 3, toWidth: 2, height: 2)
        for c in 0 ..< 3 {
            let plane = Image(width: 5, height: 3, pixels: stride(from: c, to: 45, by: 3).map { rgb[$0] })
            #expect(stride(from: c, to: small.count, by: 3).map { small[$0] } == Thumbnail.boxDownscale(plane, width: 2, height: 2))
        }
    }

    @Test func csvRoundTripsQuotesCommasAndNewlines() throws {
        let table = CSVTable(header: ["file", "error"], rows: [[Self.nasty, "line 1\nline 2, with comma"], ["x.tif", ""]])
        #expect(try CSVTable(parsing: table.text) == table)
        let crlf = try CSVTable(parsing: "a,b\r\n1,\"2\"\"x\"\r\n3\r\n")
        #expect(crlf.header == ["a", "b"] && crlf.rows == [["1", "2\"x"], ["3", ""]])
        #expect(throws: ReportError.self) { try CSVTable(parsing: "a\n\"open") }
    }
}
