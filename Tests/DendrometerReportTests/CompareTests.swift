import Foundation
import Testing
@testable import DendrometerReport

@Suite struct CompareTests {
    // Area fractions of the two groups are the "overlap" case of
    // tools/reference/report_statistics.py: scipy.stats.mannwhitneyu(x, y, method="asymptotic")
    // -> U=42.0, p=0.02386844216457435.
    static let li: [Double] = [0.31, 0.52, 0.48, 0.66, 0.29, 0.71, 0.55, 0.40]
    static let liIn: [Double] = [0.21, 0.35, 0.18, 0.44, 0.25, 0.30]

    func folders() throws -> (String, String) {
        let a = try BatchFixture.make(Self.li.enumerated().map { i, v in
            FixtureImage(file: "li\(i).tif", group: "Li", cycles: ["5", "10", "20"][i % 3], areaFraction: v, label: i < 6 ? "vertical" : "flame",
                         regionLabels: ["vertical", "vertical"], overlayWidth: 8)
        }, name: "run-li")
        let b = try BatchFixture.make(Self.liIn.enumerated().map { i, v in
            FixtureImage(file: "liin\(i).tif", group: "Li-In", cycles: ["5", "10", "20"][i % 3], areaFraction: v, label: "stripe",
                         regionLabels: ["stripe", "network", "network"], overlayWidth: 8,
                         histogram: (0 ..< 18).map { $0 == 0 ? 1 : 0 })
        }, name: "run-liin")
        return (a, b)
    }

    @Test func groupsByFolderWithStatisticsAndComposition() throws {
        let (a, b) = try folders()
        let c = try GroupComparison.compute(directories: [a, b], labels: ["Li", "Li-In"])
        #expect(c.groups == ["Li", "Li-In"])
        #expect(c.imageCounts == [8, 6])
        let t = try #require(c.pairwise.first { $0.metric == "area_fraction" })
        #expect(t.a == "Li" && t.b == "Li-In" && t.nA == 8 && t.nB == 6)
        #expect(t.test.u == 42 && abs(t.test.p - 0.02386844216457435) < 1e-10)
        #expect(abs(t.cliffsDelta - 0.75) < 1e-12)  // δ = 2U/(n₁n₂) − 1 = 2·42/48 − 1 (Cliff 1993; no ties across groups)
        let s = try #require(c.summaries.first { $0.metric == "area_fraction" && $0.group == "Li-In" })
        // np.percentile([0.21,0.35,0.18,0.44,0.25,0.30], [25,50,75]) -> [0.22, 0.275, 0.33749999999999997]
        #expect(abs(s.summary.q1 - 0.22) < 1e-12 && abs(s.summary.median - 0.275) < 1e-12 && abs(s.summary.q3 - 0.33749999999999997) < 1e-12)
        // Images: Li 6 vertical + 2 flame; regions: Li 16 vertical, Li-In 6 stripe + 12 network.
        #expect(c.imageComposition[0] == Composition(group: "Li", total: 8, counts: [("flame", 2), ("vertical", 6)]))
        #expect(c.regionComposition[1] == Composition(group: "Li-In", total: 18, counts: [("network", 12), ("stripe", 6)]))
        #expect(c.meanHistograms[1].histogram == (0 ..< 18).map { $0 == 0 ? 1 : 0 })
    }

    @Test func defaultLabelsAreFolderNames() throws {
        let (a, b) = try folders()
        #expect(try GroupComparison.compute(directories: [a, b]).groups == ["run-li", "run-liin"])
        #expect(throws: ReportError.self) { try GroupComparison.compute(directories: [a, b], labels: ["only one"]) }
    }

    @Test func groupsByColumnAcrossFolders() throws {
        let (a, b) = try folders()
        let byGroup = try GroupComparison.compute(directories: [a, b], by: "group")
        #expect(byGroup.groups == ["Li", "Li-In"] && byGroup.imageCounts == [8, 6])
        let byCycles = try GroupComparison.compute(directories: [a, b], by: "cycles")
        #expect(byCycles.groups == ["5", "10", "20"])  // numeric order, not text order
        #expect(byCycles.imageCounts == [3 + 2, 3 + 2, 2 + 2])
        #expect(byCycles.pairwise.filter { $0.metric == "area_fraction" }.count == 3)
        #expect(throws: ReportError.self) { try GroupComparison.compute(directories: [a, b], by: "no_such_column") }
    }

    @Test func writesTidyCSVAndSelfContainedHTML() throws {
        let (a, b) = try folders()
        let out = BatchFixture.temporaryDirectory("cmp")
        try GroupComparison.write(directories: [a, b], labels: ["Li <dark>", "Li-In & co"], out: out)
        let csv = try CSVTable.read(out + "/compare.csv")
        #expect(csv.header == GroupComparison.csvColumns)
        let pair = try #require(csv.rows.first { csv.value($0, "section") == "pairwise" && csv.value($0, "metric") == "area_fraction" })
        #expect(csv.value(pair, "group") == "Li <dark>" && csv.value(pair, "group_b") == "Li-In & co")
        #expect(abs(csv.number(pair, "p_value")! - 0.02386844216457435) < 1e-10 && csv.number(pair, "u") == 42)
        let sections = Set(csv.rows.compactMap { csv.value($0, "section") })
        #expect(sections == ["summary", "pairwise", "composition_images", "composition_regions", "orientation_mean"])
        let html = try String(contentsOfFile: out + "/compare.html", encoding: .utf8)
        #expect(html.range(of: "http", options: .caseInsensitive) == nil)
        #expect(!html.contains("Li <dark>") && html.contains("Li &lt;dark&gt;") && html.contains("Li-In &amp; co"))
        #expect(html.contains("aria-label=\"area_fraction\""))                       // a box plot
        #expect(html.components(separatedBy: "<path d=").count > 1)                  // rose bars
        #expect(html.contains("aria-label=\"Share of regions by label\""))
    }
}
