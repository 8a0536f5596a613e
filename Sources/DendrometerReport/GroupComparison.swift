// `dendrometer compare`: groups of analysed images (one per batch folder, or
// by the values of a column such as `group` or `cycles`), per-metric summary
// statistics, pairwise Mann–Whitney U tests and Cliff's delta (see
// Statistics.swift for methods and references), morphology composition, and
// compare.csv / compare.html.

import DendrometerCore
import DendrometerIO
import Foundation

/// Summary of one metric in one group.
public struct MetricSummary: Sendable, Equatable {
    /// images.csv column, e.g. `penetration.max_um`.
    public var metric: String
    /// Group name.
    public var group: String
    /// Statistics of the group's finite values of the metric.
    public var summary: SampleSummary
}

/// A two-sample comparison of one metric between groups `a` and `b`.
public struct PairwiseTest: Sendable, Equatable {
    /// images.csv column.
    public var metric: String
    /// First group (x).
    public var a: String
    /// Second group (y).
    public var b: String
    /// Finite values in a and in b.
    public var nA: Int, nB: Int
    /// Mann–Whitney U of group a and its two-sided asymptotic p-value.
    public var test: MannWhitneyResult
    /// Cliff's delta of a versus b (positive: a tends to be larger).
    public var cliffsDelta: Double
}

/// Share of each morphology label in one group.
public struct Composition: Sendable, Equatable {
    /// Group name.
    public var group: String
    /// Number of items (images or regions) in the group with a label.
    public var total: Int
    /// Label → count, labels sorted.
    public var counts: [(label: String, count: Int)]

    public static func == (l: Composition, r: Composition) -> Bool {
        l.group == r.group && l.total == r.total && l.counts.map(\.label) == r.counts.map(\.label) && l.counts.map(\.count) == r.counts.map(\.count)
    }
}

/// Everything `compare` computes.
public struct Comparison: Sendable {
    /// Group names in display order.
    public var groups: [String]
    /// Number of images per group, same order.
    public var imageCounts: [Int]
    /// Metrics compared, in display order.
    public var metrics: [String]
    /// Raw values per metric and group (metric → group → values), for plots.
    public var values: [String: [String: [Double]]]
    /// Summary per metric × group (groups without values are left out).
    public var summaries: [MetricSummary]
    /// Tests per metric × pair of groups (i < j in group order).
    public var pairwise: [PairwiseTest]
    /// Morphology label shares over images (`morphology.label`).
    public var imageComposition: [Composition]
    /// Morphology label shares over regions (regions.csv `label`).
    public var regionComposition: [Composition]
    /// Mean 18-bin orientation histogram per group (groups with data only).
    public var meanHistograms: [(group: String, histogram: [Double])]
}

/// Group comparison of batch folders.
public enum GroupComparison {
    /// Metrics compared when present in images.csv, in this order.
    public static let defaultMetrics = [
        "penetration.max_um", "penetration.p95_um", "penetration.front_mean_um",
        "penetration.max_px", "penetration.p95_px", "penetration.front_mean_px",
        "area_fraction", "orientation.vertical_fraction", "orientation.lateral_fraction", "orientation.coherence",
        "skeleton.length_um", "skeleton.branches", "skeleton.junctions", "skeleton.cycles",
        "skeleton.mean_branch_length_um", "skeleton.mean_width_um", "skeleton.mean_tortuosity",
        "connectivity.components", "connectivity.holes", "connectivity.hole_density_per_1000um2",
        "connectivity.junction_density_per_mm", "morphology.confidence",
    ]

    /// Computes the comparison.
    ///
    /// - Parameters:
    ///   - directories: batch output folders (each with images.csv; regions.csv optional).
    ///   - labels: one group name per folder (default: the folder names); ignored with `by`.
    ///   - by: an images.csv column whose values define the groups across all folders
    ///     (numeric values sorted numerically, text in order of first appearance;
    ///     an empty cell is the group `(none)`).
    /// - Throws: ``ReportError/invalidInput(_:)`` for a label count that does not match,
    ///   or a `by` column no images.csv has.
    public static func compute(directories: [String], labels: [String]? = nil, by column: String? = nil) throws -> Comparison {
        guard !directories.isEmpty else { throw ReportError.invalidInput("expected at least one batch folder, got none") }
        let folders = try directories.map { (d) throws(ReportError) in try BatchFolder(directory: d) }
        // Group of each image row, per folder.
        var groupOf: [[String]] = []
        var groups = [String]()
        if let column {
            guard folders.contains(where: { $0.images.index(of: column) != nil }) else {
                let known = Array(Set(folders.flatMap(\.images.header))).sorted().prefix(30).joined(separator: ", ")
                throw ReportError.invalidInput("--by: expected a column of images.csv, got '\(column)' (columns: \(known))")
            }
            for f in folders {
                let g = f.images.rows.map { f.images.value($0, column) ?? "(none)" }
                groupOf.append(g)
                for v in g where !groups.contains(v) { groups.append(v) }
            }
            let numeric = groups.compactMap(Double.init)
            if numeric.count == groups.count { groups.sort { Double($0)! < Double($1)! } }
        } else {
            var names = labels ?? directories.map { ($0 as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? $0 }
            if names.count != directories.count {
                throw ReportError.invalidInput("--labels: expected \(directories.count) labels (one per folder), got \(names.count)")
            }
            for i in names.indices {  // keep names unique
                var k = 2
                let base = names[i]
                while names[..<i].contains(names[i]) { names[i] = "\(base) (\(k))"; k += 1 }
            }
            groups = names
            groupOf = folders.enumerated().map { (i, f) in Array(repeating: names[i], count: f.images.rows.count) }
        }

        let metrics = defaultMetrics.filter { m in
            folders.contains { f in f.images.rows.contains { f.images.number($0, m) != nil } }
        }
        var values = [String: [String: [Double]]]()
        for m in metrics {
            var byGroup = [String: [Double]]()
            for (fi, f) in folders.enumerated() {
                for (ri, row) in f.images.rows.enumerated() {
                    if let v = f.images.number(row, m) { byGroup[groupOf[fi][ri], default: []].append(v) }
                }
            }
            values[m] = byGroup
        }
        var summaries = [MetricSummary](), pairwise = [PairwiseTest]()
        for m in metrics {
            for g in groups { if let s = SampleSummary(values[m]?[g] ?? []) { summaries.append(MetricSummary(metric: m, group: g, summary: s)) } }
            for i in groups.indices { for j in groups.indices where j > i {
                let x = values[m]?[groups[i]] ?? [], y = values[m]?[groups[j]] ?? []
                if let t = Statistics.mannWhitneyU(x, y), let d = Statistics.cliffsDelta(x, y) {
                    pairwise.append(PairwiseTest(metric: m, a: groups[i], b: groups[j], nA: x.count, nB: y.count, test: t, cliffsDelta: d))
                }
            } }
        }

        // Composition over images and over regions; mean orientation histograms.
        var imageLabels = [String: [String: Int]](), regionLabels = [String: [String: Int]]()
        var histSums = [String: ([Double], Int)]()
        var imageCounts = [String: Int]()
        for (fi, f) in folders.enumerated() {
            var fileGroup = [String: String]()
            for (ri, row) in f.images.rows.enumerated() {
                let g = groupOf[fi][ri]
                imageCounts[g, default: 0] += 1
                if let file = f.images.value(row, "file") { fileGroup[file] = g }
                if let l = f.images.value(row, "morphology.label") { imageLabels[g, default: [:]][l, default: 0] += 1 }
                let h = (0 ..< OrientationHistogram.binCount).compactMap { f.images.number(row, "orientation.histogram.\(OrientationHistogram.binName($0))") }
                if h.count == 18 {
                    var acc = histSums[g] ?? ([Double](repeating: 0, count: 18), 0)
                    for k in 0 ..< 18 { acc.0[k] += h[k] }
                    acc.1 += 1
                    histSums[g] = acc
                }
            }
            if let regions = f.regions {
                for r in regions.rows {
                    guard let file = regions.value(r, "file"), let g = fileGroup[file], let l = regions.value(r, "label") else { continue }
                    regionLabels[g, default: [:]][l, default: 0] += 1
                }
            }
        }
        func composition(_ table: [String: [String: Int]]) -> [Composition] {
            groups.compactMap { g in
                guard let c = table[g] else { return nil }
                return Composition(group: g, total: c.values.reduce(0, +), counts: c.keys.sorted().map { ($0, c[$0]!) })
            }
        }
        let means = groups.compactMap { g -> (group: String, histogram: [Double])? in
            guard let (sum, n) = histSums[g] else { return nil }
            return (group: g, histogram: sum.map { $0 / Double(n) })
        }
        return Comparison(groups: groups, imageCounts: groups.map { imageCounts[$0] ?? 0 }, metrics: metrics, values: values,
                          summaries: summaries, pairwise: pairwise, imageComposition: composition(imageLabels),
                          regionComposition: composition(regionLabels), meanHistograms: means)
    }

    /// Computes the comparison and writes `out/compare.csv` and `out/compare.html` atomically.
    @discardableResult
    public static func write(directories: [String], labels: [String]? = nil, by column: String? = nil, out: String) throws -> Comparison {
        let c = try compute(directories: directories, labels: labels, by: column)
        for (name, text) in [("compare.csv", csv(c).text), ("compare.html", html(c, sources: directories, by: column))] {
            let path = (out as NSString).appendingPathComponent(name)
            do { try AtomicFile.write(text: text, to: path) } catch { throw ReportError.writeFailed("\(path): \(error)") }
        }
        return c
    }

    /// Columns of compare.csv (one tidy, long table; empty cell = not applicable).
    ///
    /// - `section` — `summary`, `pairwise`, `composition_images`, `composition_regions` or `orientation_mean`.
    /// - `metric` — images.csv column (summary, pairwise), morphology label (composition), or
    ///   histogram bin `orientation.histogram.K` covering 10·K…10·K+10° (orientation_mean).
    /// - `group` — group name; `group_b` — the second group (pairwise only).
    /// - `n` — values in `group` (summary, pairwise) or labelled images/regions in the group (composition); `n_b` — values in `group_b`.
    /// - `median`, `q1`, `q3` — percentiles with linear interpolation (numpy default); `mean`; `sd` — n − 1 denominator (empty when n < 2).
    /// - `u` — Mann–Whitney U of `group` (scipy's `statistic`); `p_value` — two-sided, normal approximation with tie and
    ///   continuity correction (`scipy.stats.mannwhitneyu(method="asymptotic")`); `cliffs_delta` — positive when `group` tends larger.
    /// - `count`, `share` — label count and count / n (composition); `share` holds the mean bin value for orientation_mean.
    public static let csvColumns = ["section", "metric", "group", "group_b", "n", "n_b", "median", "q1", "q3", "mean", "sd",
                                    "u", "p_value", "cliffs_delta", "count", "share"]

    /// compare.csv as a table (see ``csvColumns``).
    public static func csv(_ c: Comparison) -> CSVTable {
        func t(_ v: Double?) -> String { v.map { String($0) } ?? "" }
        var rows = [[String]]()
        func row(_ cells: [String: String]) { rows.append(csvColumns.map { cells[$0] ?? "" }) }
        for s in c.summaries {
            row(["section": "summary", "metric": s.metric, "group": s.group, "n": String(s.summary.n), "median": t(s.summary.median),
                 "q1": t(s.summary.q1), "q3": t(s.summary.q3), "mean": t(s.summary.mean), "sd": t(s.summary.sd)])
        }
        for p in c.pairwise {
            row(["section": "pairwise", "metric": p.metric, "group": p.a, "group_b": p.b, "n": String(p.nA), "n_b": String(p.nB),
                 "u": t(p.test.u), "p_value": t(p.test.p), "cliffs_delta": t(p.cliffsDelta)])
        }
        for (section, comp) in [("composition_images", c.imageComposition), ("composition_regions", c.regionComposition)] {
            for g in comp { for (label, count) in g.counts {
                row(["section": section, "metric": label, "group": g.group, "n": String(g.total), "count": String(count),
                     "share": t(Double(count) / Double(g.total))])
            } }
        }
        for m in c.meanHistograms { for (k, v) in m.histogram.enumerated() {
            row(["section": "orientation_mean", "metric": "orientation.histogram.\(k)", "group": m.group, "share": t(v)])
        } }
        return CSVTable(header: csvColumns, rows: rows)
    }

    /// compare.html: groups, box plots with statistics per metric, roses, composition bars.
    public static func html(_ c: Comparison, sources: [String], by column: String?) -> String {
        var b = "<h1>Dendrometer comparison</h1>\n"
        b += "<p>Folders: \(HTML.escape(sources.joined(separator: ", ")))"
        if let column { b += " — grouped by column <code>\(HTML.escape(column))</code>" }
        b += ".</p>\n<p>Tests: two-sided Mann–Whitney U (Mann &amp; Whitney 1947), normal approximation with tie and continuity "
        b += "correction (as <code>scipy.stats.mannwhitneyu(method=\"asymptotic\")</code>); effect size Cliff's delta (Cliff 1993), "
        b += "positive when the first group tends larger. Quartiles by linear interpolation; sd with n − 1. p-values are not corrected for multiple comparisons.</p>\n"
        b += HTML.table(header: ["group", "images"], rows: zip(c.groups, c.imageCounts).map { [.text($0), .number(Double($1))] })
        b += "<h2>Metrics</h2>\n<div class=\"figs\">\n"
        for m in c.metrics {
            b += "<div>"
            b += HTML.boxPlot(c.groups.map { (name: $0, values: c.values[m]?[$0] ?? []) }, title: m, yLabel: unitLabel(m))
            let rows: [[HTML.Cell]] = c.summaries.filter { $0.metric == m }.map {
                [.text($0.group), .number(Double($0.summary.n)), .number($0.summary.median), .text("\(HTML.format($0.summary.q1))–\(HTML.format($0.summary.q3))"),
                 .number($0.summary.mean), .number($0.summary.sd)]
            }
            b += HTML.table(header: ["group", "n", "median", "IQR", "mean", "sd"], rows: rows)
            let tests: [[HTML.Cell]] = c.pairwise.filter { $0.metric == m }.map {
                [.text("\($0.a) vs \($0.b)"), .number($0.test.u), .number($0.test.p), .number($0.cliffsDelta)]
            }
            if !tests.isEmpty { b += HTML.table(header: ["pair", "U", "p", "Cliff's δ"], rows: tests) }
            b += "</div>\n"
        }
        b += "</div>\n<h2>Orientation (mean histogram per group, 0° = lateral)</h2>\n<div class=\"figs\">\n"
        for m in c.meanHistograms { b += HTML.rose(m.histogram, title: m.group) }
        if c.meanHistograms.isEmpty { b += "<p>No orientation histograms in images.csv.</p>" }
        b += "</div>\n<h2>Morphology composition</h2>\n<div class=\"figs\">\n"
        func bars(_ comp: [Composition], _ title: String) -> String {
            HTML.compositionBars(comp.map { g in (name: g.group, shares: g.counts.map { (label: $0.label, share: Double($0.count) / Double(max(1, g.total))) }) }, title: title)
        }
        if !c.imageComposition.isEmpty { b += bars(c.imageComposition, "Share of images by label") }
        if !c.regionComposition.isEmpty { b += bars(c.regionComposition, "Share of regions by label") }
        b += "</div>\n"
        return HTML.page(title: "Dendrometer comparison", body: b)
    }

    /// Axis label with the unit carried by the metric's key.
    static func unitLabel(_ metric: String) -> String {
        if metric.hasSuffix("_um") { return "µm" }
        if metric.hasSuffix("_px") { return "px" }
        if metric.hasSuffix("_per_mm") { return "per mm" }
        if metric.hasSuffix("_per_1000um2") { return "per 1000 µm²" }
        return metric.split(separator: ".").last.map(String.init) ?? metric
    }
}
