import Dendrometer
import Foundation
import Testing

@Suite("Regions files are input too")
struct RegionFileTests {
    @Test("unknown units, non-finite or non-positive sizes, unnamed rectangles and too many of them are one clear error")
    func refused() {
        func error(_ json: String) -> String? {
            do { _ = try RegionRectangle.list(fromJSON: Data(json.utf8)); return nil } catch { return error.description }
        }
        #expect(error(#"[{"name":"a","x":0,"y":0,"w":10,"h":10,"unit":"furlong"}]"#)?.contains("unit 'furlong' is not px or um") == true)
        #expect(error(#"[{"name":"a","x":0,"y":0,"w":0,"h":10}]"#)?.contains("must be positive") == true)
        #expect(error(#"[{"name":"","x":0,"y":0,"w":1,"h":1}]"#)?.contains("has no name") == true)
        #expect(error(#"[{"name":"a","x":0,"y":0,"w":1e999,"h":1}]"#) != nil)
        #expect(error(#"{"name":"a"}"#)?.hasPrefix("expected a JSON list") == true)
        // What is wrong, in the file's own terms (not Foundation's "the data isn't in the correct format").
        #expect(error(#"{"name":"a"}"#)?.hasSuffix(": the file is not a list") == true)
        #expect(error(#"[{"name":"a","x":0,"y":0,"w":1,"h":1},{"name":"b","x":0,"y":0,"h":1}]"#)?.hasSuffix(": rectangle 2 has no 'w'") == true)
        #expect(error(#"[{"name":"a","x":"left","y":0,"w":1,"h":1}]"#)?.hasSuffix(": 'x' of rectangle 1 is not a number") == true)
        #expect(error(#"[{"name":"a","x":null,"y":0,"w":1,"h":1}]"#)?.hasSuffix(": 'x' of rectangle 1 is null") == true)
        #expect(error("{bad")?.contains(": not valid JSON (") == true)
        let many = "[" + (0 ... RegionRectangle.maximumCount).map { #"{"name":"r\#($0)","x":0,"y":0,"w":1,"h":1}"# }.joined(separator: ",") + "]"
        #expect(error(many)?.contains("at most \(RegionRectangle.maximumCount)") == true)
        #expect(error(#"[{"name":"a","x":1,"y":2,"w":3,"h":4,"unit":"um"},{"name":"b","x":1,"y":2,"w":3,"h":4}]"#) == nil)
    }

    @Test("a rectangle 9.3e18 px wide is clipped to the field, not a crash")
    func huge() throws {
        var s = Scene(width: 120, height: 100, side: .bottom, interface: { _ in 20 })
        for v in 18 ... 60 { s.paint(u: 50, v: v); s.paint(u: 51, v: v) }
        var o = AnalysisOptions()
        o.regions = .rectangles([RegionRectangle(name: "all", x: -9.3e18, y: 0, w: 9.3e18 * 2, h: 9.3e18)])
        let r = try DendriteAnalysis.run(s.micrograph(), options: o)
        let region = try #require(r.regions.first)
        #expect(region.bboxPx == PixelRect(x: 0, y: 0, width: 120, height: 100))
    }
}
