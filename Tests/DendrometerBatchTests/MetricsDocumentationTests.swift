import DendrometerBatch
import DendrometerCore
import Foundation
import Testing

/// docs/metrics.md defines every field the tool writes: each JSON key and each table column of a
/// real batch run must appear there, in backticks. Dynamic names (EDX elements, sides, labels,
/// histogram bins, manifest columns) are checked by their placeholder (`edx_agreement.<element>`).
@Suite("Output fields are documented")
struct MetricsDocumentationTests {
    static let documentation: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/metrics.md"), encoding: .utf8)) ?? ""
    }()

    /// Maps of a JSON record whose keys are data, not names: parent path → placeholder.
    static let dynamicKeys = ["edx_agreement": "<element>", "quality.edx_agreement": "<element>", "quality.side_scores_px": "<side>",
                              "regions[].morphology.scores": "<label>", "skeleton.branch_types": "<type>", "manifest": "<column>"]

    /// Every leaf key path of a JSON value: nested keys joined with `.`, arrays of objects as `[]`
    /// (a `null` object, e.g. `data_bar` without a bar, is a leaf of its own name).
    static func paths(_ value: Any, prefix: String = "", into out: inout Set<String>) {
        if let object = value as? [String: Any] {
            for (k, v) in object where !(prefix.isEmpty && k == "parameters") {
                let name = dynamicKeys[prefix] ?? k
                paths(v, prefix: prefix.isEmpty ? name : "\(prefix).\(name)", into: &out)
            }
        } else if let array = value as? [Any], !array.isEmpty, array.allSatisfy({ $0 is [String: Any] }) {
            for v in array { paths(v, prefix: prefix + "[]", into: &out) }
        } else {
            out.insert(prefix)
        }
    }

    /// A table column with its data part replaced by the placeholder the documentation uses.
    static func placeholder(column: String) -> String {
        let parts = column.split(separator: ".").map(String.init)
        if parts.count == 3, parts[0] == "orientation", parts[1] == "histogram", parts[2].hasSuffix("_deg") { return "orientation.histogram.<lo>_to_<hi>_deg" }
        if parts.count == 2, parts[0] == "edx_agreement" { return "edx_agreement.<element>" }
        if parts.count == 3, parts[0] == "quality", parts[1] == "side_scores_px" { return "quality.side_scores_px.<side>" }
        return column
    }

    @Test("every JSON key and table column of a batch run is defined in docs/metrics.md")
    func everyFieldDocumented() throws {
        #expect(!Self.documentation.isEmpty, "docs/metrics.md is missing")
        let out = Fixture.output("metrics-doc")
        let items = try BatchInputs.discover([Fixture.input], outputDirectory: out)
        _ = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        var fields = Set<String>()
        let jsonRoot = out + "/json"
        for rel in try FileManager.default.subpathsOfDirectory(atPath: jsonRoot) where rel.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: jsonRoot + "/" + rel))
            Self.paths(try JSONSerialization.jsonObject(with: data), into: &fields)
        }
        #expect(fields.contains("penetration.max_um") && fields.contains("regions[].features.taper"))
        for table in ["images.csv", "regions.csv", "dendrites.csv", "branches.csv", "failures.csv"] {
            let header = try CSV.parse(String(contentsOf: URL(fileURLWithPath: out + "/" + table), encoding: .utf8))[0]
            for column in header { fields.insert(Self.placeholder(column: column)) }
        }
        #expect(FileManager.default.fileExists(atPath: out + "/parameters.json"))
        fields.insert("parameters.json")
        let missing = fields.filter { !Self.documentation.contains("`\($0)`") }.sorted()
        #expect(missing.isEmpty, "not defined in docs/metrics.md: \(missing.joined(separator: ", "))")
    }
}
