import Foundation
import Testing
@testable import DendrometerReport

/// Expected values: tools/reference/report_statistics.py (numpy, scipy 1.17.1), whose
/// "End-to-end" sections use the same numbers as the folders written here.
@Suite struct CompareTests {
    func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tol * max(1, abs(b))
    }

    // Area fractions of the two groups are the "overlap" case of report_statistics.py:
    // scipy.stats.mannwhitneyu(x, y, method="auto") -> U=42.0, p=0.01998001998001998 (exact: 8 vs 6, no ties).
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

    /// A batch folder written by hand: images.csv with `columns` (plus `json`) and, for rows with an
    /// interface length, json/imgK.json whose `interface.points_px` is a bent polyline of that length
    /// (segments 0.6·L and 0.4·L, the second along a 3-4-5 diagonal).
    static func folder(_ name: String, columns: [String], rows: [[String]], interfacePx: [Double?]) throws -> String {
        let dir = BatchFixture.temporaryDirectory(name)
        try FileManager.default.createDirectory(atPath: dir + "/json", withIntermediateDirectories: true)
        var table = CSVTable(header: columns + ["json"])
        for (k, row) in rows.enumerated() {
            var json = ""
            if let l = interfacePx[k] {
                json = "json/img\(k).json"
                let points = [[10, 50], [10 + 0.6 * l, 50], [10 + 0.6 * l + 0.24 * l, 50 + 0.32 * l]]
                let text = "{\"interface\": {\"angle_deg\": 0, \"points_px\": [\(points.map { "[\($0[0]), \($0[1])]" }.joined(separator: ", "))]}}"
                try text.write(toFile: dir + "/" + json, atomically: true, encoding: .utf8)
            }
            table.rows.append(row + [json])
        }
        try table.text.write(toFile: dir + "/images.csv", atomically: true, encoding: .utf8)
        return dir
    }

    // End-to-end 1 of report_statistics.py: Li at 0.05 µm/px, Li-In at 0.2 µm/px, nested by cell.
    static let e2eColumns = ["group", "cell", "file", "calibration.pixel_size_um", "penetration.max_um", "penetration.max_px", "skeleton.branches"]
    static let liCells = ["c1", "c1", "c2", "c2", "c3", "c3"], liMax = [12.0, 14.0, 9.5, 11.0, 15.5, 13.0]
    static let liBranches = [40, 52, 33, 47, 61, 58], liInterface: [Double] = [2000, 1600, 2000, 1800, 2000, 2400]
    static let inCells = ["d1", "d1", "d2", "d3", "d3"], inMax = [6.5, 8.0, 7.25, 10.5, 5.0]
    static let inBranches = [30, 28, 35, 41, 22], inInterface: [Double] = [500, 450, 500, 520, 480]

    func calibratedFolders() throws -> (String, String) {
        func rows(_ group: String, _ cells: [String], _ max: [Double], _ branches: [Int], _ pixel: Double) -> [[String]] {
            cells.indices.map { i in [group, cells[i], "\(group)\(i).tif", String(pixel), String(max[i]), String(max[i] / pixel), String(branches[i])] }
        }
        let a = try Self.folder("li", columns: Self.e2eColumns, rows: rows("Li", Self.liCells, Self.liMax, Self.liBranches, 0.05), interfacePx: Self.liInterface)
        let b = try Self.folder("liin", columns: Self.e2eColumns, rows: rows("Li-In", Self.inCells, Self.inMax, Self.inBranches, 0.2), interfacePx: Self.inInterface)
        return (a, b)
    }

    @Test func calibratedAndInterfaceNormalisedMetricsOnly() throws {
        let (a, b) = try calibratedFolders()
        let c = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions(labels: ["Li", "Li-In"]))
        #expect(c.metrics.map(\.name) == ["penetration.max_um", "skeleton.branches_per_mm_interface"])
        #expect(c.leftOut.map(\.metric.name) == ["penetration.max_px"])   // pixel sizes 0.05 and 0.2 µm
        let branches = try #require(c.metrics.last)
        #expect(branches.unit == "1/mm" && branches.scale == .perInterfaceLength && branches.column == "skeleton.branches")
        // branches / (interface px · µm/px / 1000): report_statistics.py "branches per mm interface".
        let perMm = try #require(c.values["skeleton.branches_per_mm_interface"]?["Li"])
        for (got, want) in zip(perMm, [400.0, 650.0, 330.0, 522.2222222222223, 610.0, 483.33333333333337]) { #expect(close(got, want)) }
        #expect(c.tests.allSatisfy { $0.kind == .pair })                   // two groups: no omnibus, no trend
        // images penetration.max_um: U=29.0 p=0.008658008658008658; branches: U=28.0 p=0.017316017316017316 (both exact)
        let depth = try #require(c.tests.first { $0.metric == "penetration.max_um" })
        #expect(depth.statistic == 29 && depth.method == .exact && close(depth.p, 0.008658008658008658) && depth.nA == 6 && depth.nB == 5)
        let count = try #require(c.tests.first { $0.metric == "skeleton.branches_per_mm_interface" })
        #expect(count.statistic == 28 && count.method == .exact && close(count.p, 0.017316017316017316))
        // images holm [0.017316017316017316, 0.017316017316017316]
        #expect(close(depth.pHolm, 0.017316017316017316) && close(count.pHolm, 0.017316017316017316))
        let s = try #require(c.summaries.first { $0.metric == "skeleton.branches_per_mm_interface" && $0.group == "Li" })
        #expect(close(s.summary.median, 502.7777777777778) && s.summary.n == 6 && s.images == 6)
    }

    @Test func nestedAggregationTestsCellMedians() throws {
        let (a, b) = try calibratedFolders()
        let c = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions(labels: ["Li", "Li-In"], nest: "cell"))
        #expect(c.unitCounts == [3, 3] && c.imageCounts == [6, 5])
        // nested penetration.max_um: medians [13.0, 10.25, 14.25] vs [7.25, 7.25, 7.75] U=9.0 p=0.07652250047505922 (ties → asymptotic)
        #expect(c.values["penetration.max_um"]?["Li"] == [13.0, 10.25, 14.25] && c.values["penetration.max_um"]?["Li-In"] == [7.25, 7.25, 7.75])
        let depth = try #require(c.tests.first { $0.metric == "penetration.max_um" })
        #expect(depth.statistic == 9 && depth.method == .asymptotic && close(depth.p, 0.07652250047505922) && depth.nA == 3 && depth.nB == 3)
        // nested skeleton.branches_per_mm_interface: U=9.0 p=0.1 (exact 3 vs 3)
        let count = try #require(c.tests.first { $0.metric == "skeleton.branches_per_mm_interface" })
        #expect(count.statistic == 9 && count.method == .exact && close(count.p, 0.1))
        for (got, want) in zip(c.values["skeleton.branches_per_mm_interface"]?["Li"] ?? [], [525.0, 426.11111111111114, 546.6666666666667]) {
            #expect(close(got, want))
        }
        // nested holm [0.15304500095011844, 0.15304500095011844]
        #expect(close(depth.pHolm, 0.15304500095011844) && close(count.pHolm, 0.15304500095011844))
        // q1,median,q3(Li) = [11.625, 13.0, 13.625] over the 3 cell medians of 6 images
        let s = try #require(c.summaries.first { $0.metric == "penetration.max_um" && $0.group == "Li" })
        #expect(s.summary.n == 3 && s.images == 6 && close(s.summary.q1, 11.625) && s.summary.median == 13 && close(s.summary.q3, 13.625))
    }

    // End-to-end 2 of report_statistics.py: cycles 5, 10, 20 spread over two folders.
    static let cycleArea: [String: [Double]] = ["5": [0.21, 0.35, 0.18, 0.27], "10": [0.44, 0.25, 0.30, 0.52], "20": [0.48, 0.66, 0.29, 0.58]]
    static let cycleMax: [String: [Double]] = ["5": [3.0, 4.5, 2.5, 3.5], "10": [5.0, 6.5, 4.0, 7.0], "20": [9.0, 8.5, 6.0, 12.0]]

    func cycleFolders() throws -> (String, String) {
        let columns = ["cycles", "file", "calibration.pixel_size_um", "area_fraction", "penetration.max_um", "penetration.max_px"]
        func rows(_ range: Range<Int>) -> [[String]] {
            // Text order of cycles is 10, 20, 5: the groups must still come out as 5, 10, 20.
            ["20", "5", "10"].flatMap { cy in range.map { i in
                [cy, "c\(cy)-\(i).tif", "0.1", String(Self.cycleArea[cy]![i]), String(Self.cycleMax[cy]![i]), String(Self.cycleMax[cy]![i] * 10)]
            } }
        }
        let a = try Self.folder("run1", columns: columns, rows: rows(0 ..< 2), interfacePx: Array(repeating: nil, count: 6))
        let b = try Self.folder("run2", columns: columns, rows: rows(2 ..< 4), interfacePx: Array(repeating: nil, count: 6))
        return (a, b)
    }

    @Test func orderedLevelsGetOmnibusTrendAndAdjacentPairs() throws {
        let (a, b) = try cycleFolders()
        let c = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions(by: "cycles"))
        #expect(c.groups == ["5", "10", "20"] && c.ordered && c.imageCounts == [4, 4, 4])
        #expect(c.metrics.map(\.name) == ["penetration.max_um", "area_fraction"])
        func test(_ metric: String, _ kind: GroupTest.Kind, _ a: String? = nil) throws -> GroupTest {
            try #require(c.tests.first { $0.metric == metric && $0.kind == kind && $0.groupA == a })
        }
        // area_fraction: KW H=5.11538461538462 p=0.0774833419976242; spearman rho=0.680009255387445 p=0.014967492027855366
        let kwArea = try test("area_fraction", .omnibus), trArea = try test("area_fraction", .trend)
        #expect(close(kwArea.statistic, 5.11538461538462) && close(kwArea.p, 0.0774833419976242, 1e-10) && kwArea.df == 2 && kwArea.n == 12)
        #expect(close(trArea.statistic, 0.680009255387445) && close(trArea.p, 0.014967492027855366, 1e-10) && trArea.df == 10)
        // penetration.max_um: KW H=8.11538461538462 p=0.017288870508765444; spearman rho=0.8574029741841698 p=0.0003636585516223931
        let kwMax = try test("penetration.max_um", .omnibus), trMax = try test("penetration.max_um", .trend)
        #expect(close(kwMax.statistic, 8.11538461538462) && close(kwMax.p, 0.017288870508765444, 1e-10))
        #expect(close(trMax.statistic, 0.8574029741841698) && close(trMax.p, 0.0003636585516223931, 1e-10))
        // omnibus holm [0.0774833419976242, 0.03457774101753089]; trend holm [0.014967492027855366, 0.0007273171032447862]
        #expect(close(kwArea.pHolm, 0.0774833419976242, 1e-10) && close(kwMax.pHolm, 0.03457774101753089, 1e-10))
        #expect(close(trArea.pHolm, 0.014967492027855366, 1e-10) && close(trMax.pHolm, 0.0007273171032447862, 1e-10))
        // Adjacent pairs only: 5 vs 10 and 10 vs 20 per metric.
        let pairs = c.tests.filter { $0.kind == .pair }
        #expect(pairs.count == 4 && pairs.allSatisfy { ($0.groupA == "5" && $0.groupB == "10") || ($0.groupA == "10" && $0.groupB == "20") })
        // area 5 vs 10: U=3.0 p=0.2; 10 vs 20: U=4.0 p=0.34285714285714286; max 5 vs 10: U=1.0 p=0.05714285714285714;
        // max 10 vs 20: U=2.0 p=0.11428571428571428. Holm over the 4 (area 5-10, area 10-20, max 5-10, max 10-20):
        // [0.4, 0.4, 0.22857142857142856, 0.34285714285714286]
        let expected: [(String, String, Double, Double, Double)] = [
            ("area_fraction", "5", 3, 0.2, 0.4), ("area_fraction", "10", 4, 0.34285714285714286, 0.4),
            ("penetration.max_um", "5", 1, 0.05714285714285714, 0.22857142857142856),
            ("penetration.max_um", "10", 2, 0.11428571428571428, 0.34285714285714286),
        ]
        for (metric, a, u, p, holm) in expected {
            let t = try test(metric, .pair, a)
            #expect(t.statistic == u && t.method == .exact && close(t.p, p) && close(t.pHolm, holm), "\(metric) \(a): \(t)")
        }
        // --pairs all: three pairs per metric; --pairs none: none; text groups are not ordered.
        let all = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions(by: "cycles", pairs: .all))
        #expect(all.tests.filter { $0.kind == .pair }.count == 6)
        let none = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions(by: "cycles", pairs: PairSelection.none))
        #expect(none.tests.allSatisfy { $0.kind != .pair } && none.tests.count == 4)
        let byFile = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions(by: "file"))
        #expect(!byFile.ordered && byFile.tests.allSatisfy { $0.kind != .trend })
    }

    @Test func orderedFoldersGetTheTrendTest() throws {
        // One folder per level, given in order with --ordered: the same numbers as end-to-end 2's
        // area_fraction, so the same literals (spearman rho=0.680009255387445 p=0.014967492027855366).
        let dirs = try ["5", "10", "20"].map { level in
            try Self.folder("cyc\(level)", columns: ["file", "area_fraction"],
                            rows: Self.cycleArea[level]!.enumerated().map { ["\(level)-\($0.offset).tif", String($0.element)] },
                            interfacePx: Array(repeating: nil, count: 4))
        }
        let unordered = try GroupComparison.compute(directories: dirs, options: ComparisonOptions(labels: ["five", "ten", "twenty"]))
        #expect(!unordered.ordered && unordered.tests.filter { $0.kind == .pair }.count == 3 && !unordered.tests.contains { $0.kind == .trend })
        let c = try GroupComparison.compute(directories: dirs, options: ComparisonOptions(labels: ["five", "ten", "twenty"], ordered: true))
        #expect(c.ordered && c.groups == ["five", "ten", "twenty"])
        let trend = try #require(c.tests.first { $0.kind == .trend })
        #expect(close(trend.statistic, 0.680009255387445) && close(trend.p, 0.014967492027855366, 1e-10))
        #expect(c.tests.filter { $0.kind == .pair }.map { "\($0.groupA!)-\($0.groupB!)" } == ["five-ten", "ten-twenty"])
    }

    @Test func countsWithoutAnInterfaceAreNamedNotCompared() throws {
        let columns = ["file", "calibration.pixel_size_um", "skeleton.branches", "area_fraction"]
        let a = try Self.folder("x", columns: columns, rows: [["a.tif", "0.1", "12", "0.2"], ["b.tif", "", "15", "0.3"]], interfacePx: [nil, 300])
        let b = try Self.folder("y", columns: columns, rows: [["c.tif", "0.1", "9", "0.4"]], interfacePx: [nil])
        let c = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions())
        // b.tif has an interface but no pixel size, the others no interface: no branches per mm anywhere.
        #expect(c.metrics.map(\.name) == ["area_fraction"])
        let left = try #require(c.leftOut.first)
        #expect(left.metric.name == "skeleton.branches_per_mm_interface" && left.reason.hasPrefix("needs the interface length"))
    }

    @Test func unknownColumnNamesItAndListsTheAvailableOnes() throws {
        let (a, b) = try calibratedFolders()
        for (options, flag) in [(ComparisonOptions(by: "nonexistent"), "--by"), (ComparisonOptions(nest: "nonexistent"), "--nest")] {
            do {
                _ = try GroupComparison.compute(directories: [a, b], options: options)
                Issue.record("expected an error for \(flag)")
            } catch let error as ReportError {
                #expect(error.message == "\(flag): no column 'nonexistent' in images.csv; available: group, cell (manifest); file, "
                    + "calibration.pixel_size_um, penetration.max_um, penetration.max_px, skeleton.branches, json")
            }
        }
    }

    @Test func groupsByFolderWithStatisticsAndComposition() throws {
        let (a, b) = try folders()
        let c = try GroupComparison.compute(directories: [a, b], labels: ["Li", "Li-In"])
        #expect(c.groups == ["Li", "Li-In"])
        #expect(c.imageCounts == [8, 6])
        let t = try #require(c.tests.first { $0.metric == "area_fraction" })
        #expect(t.groupA == "Li" && t.groupB == "Li-In" && t.nA == 8 && t.nB == 6)
        #expect(t.statistic == 42 && t.method == .exact && close(t.p, 0.01998001998001998))
        #expect(close(t.effectSize, 0.75))  // δ = 2U/(n₁n₂) − 1 = 2·42/48 − 1 (Cliff 1993; no ties across groups)
        let s = try #require(c.summaries.first { $0.metric == "area_fraction" && $0.group == "Li-In" })
        // np.percentile([0.21,0.35,0.18,0.44,0.25,0.30], [25,50,75]) -> [0.22, 0.275, 0.33749999999999997]
        #expect(close(s.summary.q1, 0.22) && close(s.summary.median, 0.275) && close(s.summary.q3, 0.33749999999999997))
        // Images: Li 6 vertical + 2 flame; regions: Li 16 vertical, Li-In 6 stripe + 12 network.
        #expect(c.imageComposition[0] == Composition(group: "Li", total: 8, counts: [("flame", 2), ("vertical", 6)]))
        #expect(c.regionComposition[1] == Composition(group: "Li-In", total: 18, counts: [("network", 12), ("stripe", 6)]))
        #expect(c.meanHistograms[1].histogram == (0 ..< 18).map { $0 == 0 ? 1 : 0 })
        // No pixel size in these folders: px depths are left out unless the user vouches for one pixel size.
        #expect(c.leftOut.map(\.metric.name) == ["penetration.max_px"])
        let same = try GroupComparison.compute(directories: [a, b], options: ComparisonOptions(labels: ["Li", "Li-In"], samePixelSize: true))
        #expect(same.metrics.contains { $0.name == "penetration.max_px" } && same.leftOut.isEmpty)
    }

    @Test func defaultLabelsAreFolderNames() throws {
        let (a, b) = try folders()
        #expect(try GroupComparison.compute(directories: [a, b]).groups == ["run-li", "run-liin"])
        #expect(throws: ReportError.self) { try GroupComparison.compute(directories: [a, b], labels: ["only one"]) }
    }

    @Test func groupsByColumnAcrossFolders() throws {
        let (a, b) = try folders()
        let byGroup = try GroupComparison.compute(directories: [a, b], by: "group")
        #expect(byGroup.groups == ["Li", "Li-In"] && byGroup.imageCounts == [8, 6] && !byGroup.ordered)
        let byCycles = try GroupComparison.compute(directories: [a, b], by: "cycles")
        #expect(byCycles.groups == ["5", "10", "20"] && byCycles.ordered)  // numeric order, not text order
        #expect(byCycles.imageCounts == [3 + 2, 3 + 2, 2 + 2])
        #expect(byCycles.tests.filter { $0.metric == "area_fraction" }.map(\.kind) == [.omnibus, .trend, .pair, .pair])
        #expect(throws: ReportError.self) { try GroupComparison.compute(directories: [a, b], by: "no_such_column") }
    }

    @Test func writesTidyTablesAndSelfContainedHTML() throws {
        let (a, b) = try calibratedFolders()
        let out = BatchFixture.temporaryDirectory("cmp")
        try GroupComparison.write(directories: [a, b], options: ComparisonOptions(labels: ["Li <dark>", "Li-In & co"], nest: "cell"), out: out)
        let groups = try CSVTable.read(out + "/compare_groups.csv")
        #expect(groups.header == GroupComparison.groupColumns && groups.rows.count == 2 * 2)
        let g = try #require(groups.rows.first { groups.value($0, "metric") == "penetration.max_um" && groups.value($0, "group") == "Li <dark>" })
        #expect(groups.value(g, "unit") == "µm" && groups.number(g, "n") == 3 && groups.number(g, "n_images") == 6 && groups.number(g, "median") == 13)
        let tests = try CSVTable.read(out + "/compare_tests.csv")
        #expect(tests.header == GroupComparison.testColumns && tests.rows.count == 2)
        let t = try #require(tests.rows.first { tests.value($0, "metric") == "skeleton.branches_per_mm_interface" })
        #expect(tests.value(t, "kind") == "pair" && tests.value(t, "test") == "mann_whitney_u" && tests.value(t, "method") == "exact")
        #expect(tests.value(t, "group_a") == "Li <dark>" && tests.value(t, "group_b") == "Li-In & co" && tests.value(t, "unit") == "1/mm")
        #expect(close(tests.number(t, "p"), 0.1) && close(tests.number(t, "p_holm"), 0.15304500095011844) && tests.value(t, "df") == nil)
        let metrics = try CSVTable.read(out + "/compare_metrics.csv")
        #expect(metrics.rows.map { metrics.value($0, "compared") } == ["true", "true", "false"])
        #expect(try CSVTable.read(out + "/compare_composition.csv").header == GroupComparison.compositionColumns)
        #expect(try CSVTable.read(out + "/compare_orientation.csv").header == GroupComparison.orientationColumns)
        let html = try String(contentsOfFile: out + "/compare.html", encoding: .utf8)
        #expect(html.range(of: "http", options: .caseInsensitive) == nil)
        #expect(!html.contains("Li <dark>") && html.contains("Li &lt;dark&gt;") && html.contains("Li-In &amp; co"))
        #expect(html.contains("aria-label=\"Maximum depth (µm)\""))        // a box plot titled with its unit
        #expect(html.contains("<td>Branches per interface (1/mm)</td><td>Li &lt;dark&gt; vs Li-In &amp; co</td><td>Mann–Whitney U (exact)</td>"))
        #expect(html.contains("<code>penetration.max_px</code>"))                       // named as not compared
    }

    @Test func writesCompositionAndOrientationTables() throws {
        let (a, b) = try folders()
        let out = BatchFixture.temporaryDirectory("cmp2")
        try GroupComparison.write(directories: [a, b], labels: ["Li", "Li-In"], out: out)
        let comp = try CSVTable.read(out + "/compare_composition.csv")
        let network = try #require(comp.rows.first { comp.value($0, "scope") == "regions" && comp.value($0, "group") == "Li-In" && comp.value($0, "label") == "network" })
        #expect(comp.number(network, "count") == 12 && comp.number(network, "n") == 18 && close(comp.number(network, "share"), 12.0 / 18))
        let orient = try CSVTable.read(out + "/compare_orientation.csv")
        #expect(orient.rows.count == 2 * 18)
        let first = try #require(orient.rows.first { orient.value($0, "group") == "Li-In" })
        #expect(orient.number(first, "bin_start_deg") == 0 && orient.number(first, "bin_end_deg") == 10 && orient.number(first, "mean_fraction") == 1
                && orient.number(first, "n_images") == 6)
        let html = try String(contentsOfFile: out + "/compare.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<path d=").count > 1)                  // rose bars
        #expect(html.contains("aria-label=\"Share of regions by label\""))
    }
}
