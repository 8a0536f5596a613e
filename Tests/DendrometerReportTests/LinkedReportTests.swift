import DendrometerCore
import DendrometerIO
import Foundation
import Testing
@testable import DendrometerReport

/// The merged report's form: thumbnails as files beside report.html, linked, never embedded.
@Suite("Linked report")
struct LinkedReportTests {
    @Test("a wide overlay gets a 480 px thumbnail file, a narrow one is linked as it is; nothing embedded")
    func linkedThumbnails() throws {
        let dir = try BatchFixture.make([
            FixtureImage(file: "wide one.tif", group: "Li", overlayWidth: 600),
            FixtureImage(file: "narrow.tif", group: "Li", overlayWidth: 20),
        ], failures: [])
        let images = try CSVTable.read(dir + "/images.csv")
        let overlays = images.rows.map { images.value($0, "overlay")! }
        // The fixture names overlays by position: img0 (600 px wide), img1 (20 px).
        let wide = overlays[0], narrow = overlays[1]
        #expect(wide.hasPrefix("overlays/") && narrow.hasPrefix("overlays/"))
        try BatchReport.write(directory: dir, thumbnails: .linked)
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(!html.contains("data:image"))
        let thumbnail = "thumbnails/" + wide.dropFirst("overlays/".count)
        #expect(html.contains("<img src=\"\(HTML.urlPath(thumbnail))\""))
        #expect(html.contains("<a href=\"\(HTML.urlPath(wide))\">"))
        #expect(html.contains("<img src=\"\(HTML.urlPath(narrow))\""))
        // 600 × 30 box-filtered to 480 px wide: 480 × 24 (aspect kept).
        let png = [UInt8](try #require(FileManager.default.contents(atPath: dir + "/" + thumbnail)))
        #expect(Thumbnail.pngSize(png)! == (480, 24))
        #expect(!FileManager.default.fileExists(atPath: dir + "/thumbnails/" + narrow.dropFirst("overlays/".count)))
        // The default form of the same folder still embeds both.
        let embedded = try BatchReport.render(directory: dir)
        #expect(embedded.components(separatedBy: "src=\"data:image/png;base64,").count - 1 == 2)
    }

    @Test("a folder with missing.csv (an incomplete merge) says so at the top of its report")
    func incompleteBanner() throws {
        let dir = try BatchFixture.make([FixtureImage(file: "one.tif", group: "Li", overlayWidth: 20)], failures: [])
        #expect(!(try BatchReport.render(directory: dir)).contains("INCOMPLETE"))
        try "file\nlost a.tif\nlost b.tif\n".write(toFile: dir + "/missing.csv", atomically: true, encoding: .utf8)
        let html = try BatchReport.render(directory: dir, thumbnails: .linked)
        #expect(html.contains("<p class=\"warn\"><b>INCOMPLETE:</b> 2 inputs of this run have not been analysed by any shard yet (listed in missing.csv)"))
    }

    @Test func urlPathEncodesEachComponent() {
        #expect(HTML.urlPath("overlays/a b#1.png") == "overlays/a%20b%231.png")
        #expect(HTML.urlPath("overlays/sub/x?%.png") == "overlays/sub/x%3F%25.png")
    }
}
