import DendrometerOutput
import Foundation
import Testing

@Suite("Report JSON")
struct ReportJSONTests {
    struct Sample: Encodable {
        var finite = 1.5
        var nan = Double.nan
        var infinite = -Double.infinity
        var values = [2.0, .infinity, 3.0]
        var text = "dendrometer-non-finite- is only text \"quoted\""
    }

    @Test("non-finite numbers are written as null; everything else, strings that look like the stand-in included, unchanged")
    func nonFiniteAsNull() throws {
        let text = try ReportJSON.encode(Sample())
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["finite"] as? Double == 1.5)
        #expect(parsed["nan"] is NSNull && parsed["infinite"] is NSNull)
        let values = try #require(parsed["values"] as? [Any])
        #expect(values.count == 3 && values[0] as? Double == 2 && values[1] is NSNull && values[2] as? Double == 3)
        #expect(parsed["text"] as? String == "dendrometer-non-finite- is only text \"quoted\"")
        #expect(text.contains("\"nan\" : null"))
    }
}
