// `dendrometer compare`: groups of analysed images (one per batch folder, or
// by the values of a column such as `group` or `cycles`), optionally nested
// (images aggregated per cell or sample), per-metric summary statistics and
// tests (Mann–Whitney U, Kruskal–Wallis, Spearman trend; Holm-adjusted; see
// Statistics.swift for methods and references), morphology composition, and
// the tidy tables compare_*.csv plus compare.html. docs/compare.md describes
// the outputs for users.

import DendrometerCore
import DendrometerIO
import Foundation

/// What the values of a compared metric are; it decides whether groups can be compared.
public enum MetricScale: String, Sendable, Equatable {
    /// A length or density in calibrated units (µm, per mm, per 1000 µm²).
    case calibrated
    /// A ratio or score without unit (fractions, coherence, tortuosity, confidence).
    case scaleFree = "scale_free"
    /// A count or length divided by the length of the anode interface in the same image.
    case perInterfaceLength = "per_interface_length"
    /// A length in pixels: comparable only between images of one pixel size.
    case pixels
}

/// One metric `compare` can compare: where its values come from and their unit.
public struct ComparedMetric: Sendable, Equatable {
    /// Name in the compare tables, e.g. `penetration.max_um` or `skeleton.branches_per_mm_interface`.
    public var name: String
    /// Readable title for plots, short enough for a plot heading with its unit, e.g. "Maximum depth".
    public var title: String
    /// Unit of the values: `µm`, `1/mm`, `µm/µm`, `1` (no unit), `px`, …
    public var unit: String
    /// Kind of value.
    public var scale: MetricScale
    /// images.csv column the values (or, for ``MetricScale/perInterfaceLength``, the numerators) come from.
    public var column: String
    /// For ``MetricScale/perInterfaceLength``: the unit of interface length in µm the numerator is
    /// divided by (1000: per mm of interface; 1: per µm). `nil` otherwise.
    public var interfaceLengthUnitUm: Double?

    /// Title with the unit, e.g. "Maximum penetration depth (µm)"; no unit shown for `1`.
    public var titleWithUnit: String { unit == "1" ? title : "\(title) (\(unit))" }
}

/// Which pairs of groups get a Mann–Whitney test.
public enum PairSelection: String, Sendable, CaseIterable {
    /// `adjacent` when the groups are ordered (numeric `--by` values or `ordered`), else `all`.
    case auto
    /// Every pair of groups.
    case all
    /// Neighbouring groups in their order only (5–10, 10–20, …).
    case adjacent
    /// No pairwise tests (omnibus and trend only).
    case none
}

/// How `compare` forms groups and which tests it runs.
public struct ComparisonOptions: Sendable, Equatable {
    /// One group name per folder (default: the folder names); not with `by`.
    public var labels: [String]?
    /// An images.csv column whose values define the groups across all folders.
    public var by: String?
    /// An images.csv column naming the cell or sample of each image: per group, the images of
    /// one nest are reduced to their median per metric and the tests run on those medians.
    public var nest: String?
    /// Which pairs get a Mann–Whitney test.
    public var pairs: PairSelection
    /// Treat the groups as ordered levels in display order (adds the trend test) even when
    /// they are not numeric `by` values.
    public var ordered: Bool
    /// Compare px metrics. Honoured only when no image in the comparison has a pixel size
    /// (px values of images with different pixel sizes are not comparable, and calibrated
    /// images are compared in µm).
    public var samePixelSize: Bool

    /// Options with defaults: groups by folder, no nesting, pairs `auto`.
    public init(labels: [String]? = nil, by: String? = nil, nest: String? = nil, pairs: PairSelection = .auto,
                ordered: Bool = false, samePixelSize: Bool = false) {
        self.labels = labels; self.by = by; self.nest = nest; self.pairs = pairs
        self.ordered = ordered; self.samePixelSize = samePixelSize
    }
}

/// Summary of one metric in one group.
public struct MetricSummary: Sendable, Equatable {
    /// ``ComparedMetric/name``.
    public var metric: String
    /// Group name.
    public var group: String
    /// Statistics of the group's values (nest medians when nested, else image values), in the metric's unit.
    public var summary: SampleSummary
    /// Images with a finite value behind `summary` (equals `summary.n` without nesting).
    public var images: Int
}

/// One test of one metric: a pair of groups, all groups (omnibus) or the trend over ordered groups.
public struct GroupTest: Sendable, Equatable {
    /// What the test compares.
    public enum Kind: String, Sendable, Equatable {
        /// Two groups: two-sided Mann–Whitney U.
        case pair
        /// All groups (three or more): Kruskal–Wallis H.
        case omnibus
        /// Monotone trend over ordered groups (three or more): Spearman's rho against the level.
        case trend
    }
    /// ``ComparedMetric/name``.
    public var metric: String
    /// Kind of test.
    public var kind: Kind
    /// `mann_whitney_u`, `kruskal_wallis` or `spearman`.
    public var test: String
    /// Exact or asymptotic p-value.
    public var method: PValueMethod
    /// First group of a pair (`nil` for omnibus and trend).
    public var groupA: String?
    /// Second group of a pair.
    public var groupB: String?
    /// Values (units of analysis) in group a and b (pairs only).
    public var nA: Int?, nB: Int?
    /// Values over all groups in the test.
    public var n: Int
    /// Groups in the test.
    public var groups: Int
    /// U of group a (pair), H (omnibus) or rho (trend).
    public var statistic: Double
    /// Degrees of freedom: k − 1 (omnibus), n − 2 (trend), `nil` for pairs.
    public var df: Int?
    /// Unadjusted two-sided p-value.
    public var p: Double
    /// Holm-adjusted p over all tests of this kind in the comparison (every metric, every pair).
    public var pHolm: Double
    /// `cliffs_delta` (pair; positive when a tends larger), `epsilon_squared` (omnibus), `spearman_rho` (trend).
    public var effect: String
    /// Value of the effect size.
    public var effectSize: Double
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
    /// Group names in display order (numeric order for numeric `by` values).
    public var groups: [String]
    /// Number of images per group, same order.
    public var imageCounts: [Int]
    /// Number of nests per group (equal to `imageCounts` without nesting).
    public var unitCounts: [Int]
    /// Whether the groups are ordered levels (trend test, adjacent pairs).
    public var ordered: Bool
    /// The options used.
    public var options: ComparisonOptions
    /// Metrics compared, in display order.
    public var metrics: [ComparedMetric]
    /// Metrics present in images.csv but not compared, with the reason.
    public var leftOut: [(metric: ComparedMetric, reason: String)]
    /// Values tested per metric and group (metric name → group → nest medians or image values).
    public var values: [String: [String: [Double]]]
    /// Summary per metric × group (groups without values are left out).
    public var summaries: [MetricSummary]
    /// Tests per metric: pairs, omnibus and trend, with Holm-adjusted p.
    public var tests: [GroupTest]
    /// Morphology label shares over images (`morphology.label`).
    public var imageComposition: [Composition]
    /// Morphology label shares over regions (regions.csv `label`).
    public var regionComposition: [Composition]
    /// Mean orientation histogram per group (groups with data only), bins of equal width over 0–180°.
    public var meanHistograms: [(group: String, histogram: [Double], images: Int)]
}

/// Group comparison of batch folders.
public enum GroupComparison {
    /// Every metric `compare` knows, in display order; those present in images.csv are considered.
    public static let catalogue: [ComparedMetric] = {
        func m(_ name: String, _ title: String, _ unit: String, _ scale: MetricScale, column: String? = nil, per: Double? = nil) -> ComparedMetric {
            ComparedMetric(name: name, title: title, unit: unit, scale: scale, column: column ?? name, interfaceLengthUnitUm: per)
        }
        let perMm = 1000.0
        return [
            m("penetration.max_um", "Maximum depth", "µm", .calibrated),
            m("penetration.p95_um", "Depth, 95th percentile", "µm", .calibrated),
            m("penetration.front_mean_um", "Mean front depth", "µm", .calibrated),
            m("penetration.connected_max_um", "Maximum depth, connected", "µm", .calibrated),
            m("penetration.connected_p95_um", "Depth p95, connected", "µm", .calibrated),
            m("area_fraction", "Dendrite area fraction", "1", .scaleFree),
            m("orientation.vertical_fraction", "Vertical fraction", "1", .scaleFree),
            m("orientation.lateral_fraction", "Lateral fraction", "1", .scaleFree),
            m("orientation.coherence", "Orientation coherence", "1", .scaleFree),
            m("skeleton.length_per_interface_length", "Skeleton length / interface", "µm/µm", .perInterfaceLength,
              column: "skeleton.length_um", per: 1),
            m("skeleton.branches_per_mm_interface", "Branches per interface", "1/mm", .perInterfaceLength,
              column: "skeleton.branches", per: perMm),
            m("skeleton.endpoints_per_mm_interface", "Endpoints per interface", "1/mm", .perInterfaceLength,
              column: "skeleton.endpoints", per: perMm),
            m("skeleton.junctions_per_mm_interface", "Junctions per interface", "1/mm", .perInterfaceLength,
              column: "skeleton.junctions", per: perMm),
            m("skeleton.cycles_per_mm_interface", "Loops per interface", "1/mm", .perInterfaceLength,
              column: "skeleton.cycles", per: perMm),
            m("connectivity.components_per_mm_interface", "Components per interface", "1/mm", .perInterfaceLength,
              column: "connectivity.components", per: perMm),
            m("connectivity.holes_per_mm_interface", "Holes per interface", "1/mm", .perInterfaceLength,
              column: "connectivity.holes", per: perMm),
            m("skeleton.mean_branch_length_um", "Mean branch length", "µm", .calibrated),
            m("skeleton.mean_width_um", "Mean width", "µm", .calibrated),
            m("skeleton.mean_tortuosity", "Mean tortuosity", "1", .scaleFree),
            m("connectivity.hole_density_per_1000um2", "Hole density", "1/(1000 µm²)", .calibrated),
            m("connectivity.junction_density_per_mm", "Junctions per skeleton", "1/mm", .calibrated),
            m("morphology.confidence", "Label confidence", "1", .scaleFree),
            m("penetration.max_px", "Maximum depth", "px", .pixels),
            m("penetration.p95_px", "Depth, 95th percentile", "px", .pixels),
            m("penetration.front_mean_px", "Mean front depth", "px", .pixels),
        ]
    }()

    /// images.csv column with the pixel size in µm (empty when uncalibrated).
    static let pixelSizeColumn = "calibration.pixel_size_um"

    /// Computes the comparison (see ``compute(directories:options:)``) with default options.
    public static func compute(directories: [String], labels: [String]? = nil, by column: String? = nil) throws -> Comparison {
        try compute(directories: directories, options: ComparisonOptions(labels: labels, by: column))
    }

    /// Computes the comparison.
    ///
    /// - Parameters:
    ///   - directories: batch output folders (each with images.csv; regions.csv and json/ optional).
    ///   - options: grouping (`labels` or `by`; numeric `by` values sorted numerically and ordered,
    ///     text in order of first appearance; an empty cell is the group `(none)`), nesting, pairs.
    /// - Throws: ``ReportError/invalidInput(_:)`` for a label count that does not match, or a
    ///   `by`/`nest` column no images.csv has (the message lists the available columns).
    public static func compute(directories: [String], options: ComparisonOptions) throws -> Comparison {
        guard !directories.isEmpty else { throw ReportError.invalidInput("expected at least one batch folder, got none") }
        let folders = try directories.map { (d) throws(ReportError) in try BatchFolder(directory: d) }
        for (flag, column) in [("--by", options.by), ("--nest", options.nest)] {
            guard let column, !folders.contains(where: { $0.images.index(of: column) != nil }) else { continue }
            throw ReportError.invalidInput("\(flag): no column '\(column)' in images.csv; available: \(availableColumnsText(folders))")
        }
        // Group of each image row, per folder.
        var groupOf: [[String]] = []
        var groups = [String]()
        var ordered = options.ordered
        if let column = options.by {
            for f in folders {
                let g = f.images.rows.map { f.images.value($0, column) ?? "(none)" }
                groupOf.append(g)
                for v in g where !groups.contains(v) { groups.append(v) }
            }
            let numeric = groups.compactMap(Double.init)
            if numeric.count == groups.count && !groups.isEmpty {
                groups.sort { Double($0)! < Double($1)! }
                ordered = true
            }
        } else {
            var names = options.labels ?? directories.map { ($0 as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? $0 }
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
        // Nest of each image row: its nest cell, or the image itself when the cell is empty.
        let nestOf: [[String]] = folders.enumerated().map { fi, f in
            f.images.rows.enumerated().map { ri, row in
                if let column = options.nest, let v = f.images.value(row, column) { return "nest:" + v }
                return "image:\(fi):\(ri)"
            }
        }

        // Which metrics are compared.
        let present = catalogue.filter { m in folders.contains { f in f.images.rows.contains { f.images.number($0, m.column) != nil } } }
        let anyCalibrated = folders.contains { f in f.images.rows.contains { (f.images.number($0, pixelSizeColumn) ?? 0) > 0 } }
        var metrics = [ComparedMetric](), leftOut = [(metric: ComparedMetric, reason: String)]()
        for m in present {
            if m.scale == .pixels {
                if anyCalibrated {
                    leftOut.append((m, "px values: images with a pixel size are compared in µm, and px from different pixel sizes are not comparable"))
                    continue
                }
                if !options.samePixelSize {
                    leftOut.append((m, "px values of uncalibrated images: the pixel sizes are unknown (give --same-pixel-size if all images share one magnification, or calibrate with batch --pixel-size)"))
                    continue
                }
            }
            metrics.append(m)
        }
        // Interface length per image (µm), for per-interface metrics.
        var interfaceUm = [[Double?]]()
        let needsInterface = metrics.contains { $0.scale == .perInterfaceLength }
        for f in folders {
            interfaceUm.append(f.images.rows.map { row in needsInterface ? interfaceLengthUm(row, in: f) : nil })
        }
        func value(_ m: ComparedMetric, _ fi: Int, _ row: [String], _ ri: Int) -> Double? {
            guard let v = folders[fi].images.number(row, m.column) else { return nil }
            guard let per = m.interfaceLengthUnitUm else { return v }
            guard let length = interfaceUm[fi][ri], length > 0 else { return nil }
            return v / (length / per)
        }

        var values = [String: [String: [Double]]](), imagesWithValue = [String: [String: Int]]()
        for m in metrics {
            var byNest = [String: [(nest: String, values: [Double])]]()  // group → nests in first-appearance order
            var count = [String: Int]()
            for (fi, f) in folders.enumerated() {
                for (ri, row) in f.images.rows.enumerated() {
                    guard let v = value(m, fi, row, ri) else { continue }
                    let g = groupOf[fi][ri], nest = nestOf[fi][ri]
                    count[g, default: 0] += 1
                    if let k = byNest[g]?.firstIndex(where: { $0.nest == nest }) { byNest[g]![k].values.append(v) } else { byNest[g, default: []].append((nest, [v])) }
                }
            }
            values[m.name] = byNest.mapValues { nests in
                options.nest == nil ? nests.flatMap(\.values) : nests.map { Statistics.percentile(sorted: $0.values.sorted(), 50) }
            }
            imagesWithValue[m.name] = count
        }

        // A metric without any value (e.g. per interface length when no record has an interface
        // and a pixel size) is named as not compared instead of silently giving nothing.
        for m in metrics where (values[m.name] ?? [:]).values.allSatisfy(\.isEmpty) {
            leftOut.append((m, m.scale == .perInterfaceLength
                ? "needs the interface length: no image has both an interface (interface.points_px in its JSON record) and a pixel size"
                : "no finite values"))
        }
        metrics.removeAll { m in leftOut.contains { $0.metric == m } }

        // Summaries and tests.
        var summaries = [MetricSummary](), pairTests = [GroupTest](), omnibus = [GroupTest](), trend = [GroupTest]()
        let pairs: [(Int, Int)] = {
            var selection = options.pairs
            if selection == .auto { selection = ordered ? .adjacent : .all }
            switch selection {
            case .none: return []
            case .adjacent: return groups.indices.dropLast().map { ($0, $0 + 1) }
            case .all, .auto: return groups.indices.flatMap { i in groups.indices.filter { $0 > i }.map { (i, $0) } }
            }
        }()
        for m in metrics {
            let v = values[m.name] ?? [:]
            for g in groups {
                if let s = SampleSummary(v[g] ?? []) {
                    summaries.append(MetricSummary(metric: m.name, group: g, summary: s, images: imagesWithValue[m.name]?[g] ?? 0))
                }
            }
            for (i, j) in pairs {
                let x = v[groups[i]] ?? [], y = v[groups[j]] ?? []
                guard let t = Statistics.mannWhitneyU(x, y), let d = Statistics.cliffsDelta(x, y) else { continue }
                pairTests.append(GroupTest(metric: m.name, kind: .pair, test: "mann_whitney_u", method: t.method, groupA: groups[i], groupB: groups[j],
                                           nA: x.count, nB: y.count, n: x.count + y.count, groups: 2, statistic: t.u, df: nil,
                                           p: t.p, pHolm: .nan, effect: "cliffs_delta", effectSize: d))
            }
            let withValues = groups.filter { !(v[$0] ?? []).isEmpty }
            guard withValues.count >= 3 else { continue }
            if let k = Statistics.kruskalWallis(withValues.map { v[$0]! }) {
                omnibus.append(GroupTest(metric: m.name, kind: .omnibus, test: "kruskal_wallis", method: .asymptotic, groupA: nil, groupB: nil,
                                         nA: nil, nB: nil, n: k.n, groups: withValues.count, statistic: k.h, df: k.df, p: k.p, pHolm: .nan,
                                         effect: "epsilon_squared", effectSize: k.epsilonSquared))
            }
            if ordered {
                // Level of each group: its position in the order (rho depends on ranks only, and numeric
                // `by` values are already sorted).
                let xs = withValues.flatMap { g in Array(repeating: Double(groups.firstIndex(of: g)!), count: v[g]!.count) }
                let ys = withValues.flatMap { v[$0]! }
                if let s = Statistics.spearman(xs, ys) {
                    trend.append(GroupTest(metric: m.name, kind: .trend, test: "spearman", method: .asymptotic, groupA: nil, groupB: nil,
                                           nA: nil, nB: nil, n: s.n, groups: withValues.count, statistic: s.rho, df: s.n - 2, p: s.p,
                                           pHolm: .nan, effect: "spearman_rho", effectSize: s.rho))
                }
            }
        }
        func adjust(_ tests: inout [GroupTest]) {
            let adjusted = Statistics.holm(tests.map(\.p))
            for i in tests.indices { tests[i].pHolm = adjusted[i] }
        }
        adjust(&pairTests); adjust(&omnibus); adjust(&trend)
        // Tests grouped by metric: omnibus, trend, then pairs.
        var tests = [GroupTest]()
        for m in metrics {
            tests += omnibus.filter { $0.metric == m.name } + trend.filter { $0.metric == m.name } + pairTests.filter { $0.metric == m.name }
        }

        // Composition over images and over regions; mean orientation histograms.
        var imageLabels = [String: [String: Int]](), regionLabels = [String: [String: Int]]()
        var histSums = [String: ([Double], Int)]()
        var imageCounts = [String: Int](), units = [String: Set<String>]()
        for (fi, f) in folders.enumerated() {
            var fileGroup = [String: String]()
            // The bins in angle order, by name (OrientationHistogram), when the table has them all.
            let binColumns = (0 ..< OrientationHistogram.binCount).map { "orientation.histogram.\(OrientationHistogram.binName($0))" }
            let histogramColumns = binColumns.allSatisfy(f.images.header.contains) ? binColumns : []
            for (ri, row) in f.images.rows.enumerated() {
                let g = groupOf[fi][ri]
                imageCounts[g, default: 0] += 1
                units[g, default: []].insert(nestOf[fi][ri])
                if let file = f.images.value(row, "file") { fileGroup[file] = g }
                if let l = f.images.value(row, "morphology.label") { imageLabels[g, default: [:]][l, default: 0] += 1 }
                let h = histogramColumns.compactMap { f.images.number(row, $0) }
                if !h.isEmpty, h.count == histogramColumns.count {
                    var acc = histSums[g] ?? ([Double](repeating: 0, count: h.count), 0)
                    guard acc.0.count == h.count else { continue }
                    for k in h.indices { acc.0[k] += h[k] }
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
        let means = groups.compactMap { g -> (group: String, histogram: [Double], images: Int)? in
            guard let (sum, n) = histSums[g] else { return nil }
            return (group: g, histogram: sum.map { $0 / Double(n) }, images: n)
        }
        return Comparison(groups: groups, imageCounts: groups.map { imageCounts[$0] ?? 0 }, unitCounts: groups.map { units[$0]?.count ?? 0 },
                          ordered: ordered, options: options, metrics: metrics, leftOut: leftOut, values: values,
                          summaries: summaries, tests: tests, imageComposition: composition(imageLabels),
                          regionComposition: composition(regionLabels), meanHistograms: means)
    }

    /// Measured columns named in full in the "no such column" message before the rest are counted.
    static let measuredColumnsNamed = 6

    /// The columns of the folders' images.csv for a one-line message: every manifest column
    /// (those before `file`, the usual groups and nests), then the first few measured ones and
    /// how many more there are.
    ///
    /// `group, cell, cycles (manifest); file, anode_side, … and 112 more measured columns (header of images.csv)`
    static func availableColumnsText(_ folders: [BatchFolder]) -> String {
        var seen = Set<String>(), manifest = [String](), measured = [String]()
        for f in folders { for c in f.manifestColumns where seen.insert(c).inserted { manifest.append(c) } }
        for f in folders { for c in f.images.header where seen.insert(c).inserted { measured.append(c) } }
        var parts = [String]()
        if !manifest.isEmpty { parts.append(manifest.joined(separator: ", ") + " (manifest)") }
        var rest = measured.prefix(measuredColumnsNamed).joined(separator: ", ")
        if measured.count > measuredColumnsNamed { rest += " and \(measured.count - measuredColumnsNamed) more measured columns (see the header of images.csv)" }
        if !rest.isEmpty { parts.append(rest) }
        return parts.joined(separator: "; ")
    }

    /// Length of the image's interface in µm: the polyline `interface.points_px` of its JSON
    /// record times the pixel size (images.csv `calibration.pixel_size_um`); `nil` without an
    /// interface, a record or a calibration.
    static func interfaceLengthUm(_ row: [String], in folder: BatchFolder) -> Double? {
        guard let pixel = folder.images.number(row, pixelSizeColumn), pixel > 0,
              let json = folder.images.value(row, "json"), let doc = JSONValue.read(folder.resolve(json)),
              case .object(let top) = doc, case .object(let interface)? = top["interface"],
              case .array(let points)? = interface["points_px"] else { return nil }
        var xy = [(Double, Double)]()
        for p in points {
            guard case .array(let c) = p, c.count >= 2, case .number(let x) = c[0], case .number(let y) = c[1] else { return nil }
            xy.append((x, y))
        }
        guard xy.count >= 2 else { return nil }
        let px = zip(xy, xy.dropFirst()).reduce(0.0) { $0 + hypot($1.1.0 - $1.0.0, $1.1.1 - $1.0.1) }
        return px * pixel
    }

    /// Names of the files ``write(directories:options:out:)`` writes into the output folder.
    public static let outputFiles = ["compare_groups.csv", "compare_tests.csv", "compare_metrics.csv",
                                     "compare_composition.csv", "compare_orientation.csv", "compare.html"]

    /// Computes the comparison and writes the tables (``groupColumns``, ``testColumns``,
    /// ``metricColumns``, ``compositionColumns``, ``orientationColumns``) and `compare.html`
    /// into `out`, each atomically.
    @discardableResult
    public static func write(directories: [String], options: ComparisonOptions, out: String) throws -> Comparison {
        let c = try compute(directories: directories, options: options)
        let texts = [groupsCSV(c).text, testsCSV(c).text, metricsCSV(c).text, compositionCSV(c).text, orientationCSV(c).text,
                     html(c, sources: directories)]
        for (name, text) in zip(outputFiles, texts) {
            let path = (out as NSString).appendingPathComponent(name)
            do { try AtomicFile.write(text: text, to: path) } catch { throw ReportError.writeFailed("\(path): \(error)") }
        }
        return c
    }

    /// Same as ``write(directories:options:out:)`` with labels and a `by` column only.
    @discardableResult
    public static func write(directories: [String], labels: [String]? = nil, by column: String? = nil, out: String) throws -> Comparison {
        try write(directories: directories, options: ComparisonOptions(labels: labels, by: column), out: out)
    }

    /// Columns of `compare_groups.csv`, one row per metric × group:
    /// `metric`, `title`, `unit` (`1` = no unit); `group`; `n` — values summarised (nests when
    /// nested, else images); `n_images` — images with a value; `median`, `q1`, `q3`, `iqr`
    /// (linear interpolation, numpy's default), `mean`, `sd` (n − 1; empty when n < 2), `min`, `max`.
    public static let groupColumns = ["metric", "title", "unit", "group", "n", "n_images", "median", "q1", "q3", "iqr",
                                      "mean", "sd", "min", "max"]

    /// Columns of `compare_tests.csv`, one row per test:
    /// `metric`, `unit`; `kind` — `pair`, `omnibus` or `trend`; `test` — `mann_whitney_u`,
    /// `kruskal_wallis` or `spearman`; `method` — `exact` or `asymptotic`; `group_a`, `group_b`
    /// (pairs only); `n_a`, `n_b` (pairs only), `n` (all values in the test), `groups`;
    /// `statistic` — U of group_a, H, or rho; `df`; `p` (two-sided, unadjusted);
    /// `p_holm` — Holm-adjusted over all tests of the same kind; `effect` — `cliffs_delta`,
    /// `epsilon_squared` or `spearman_rho`; `effect_size`.
    public static let testColumns = ["metric", "unit", "kind", "test", "method", "group_a", "group_b", "n_a", "n_b", "n", "groups",
                                     "statistic", "df", "p", "p_holm", "effect", "effect_size"]

    /// Columns of `compare_metrics.csv`, one row per known metric present in images.csv:
    /// `metric`, `title`, `unit`, `scale` (`calibrated`, `scale_free`, `per_interface_length`,
    /// `pixels`), `source` (images.csv column), `compared` (`true`/`false`), `reason` (why not).
    public static let metricColumns = ["metric", "title", "unit", "scale", "source", "compared", "reason"]

    /// Columns of `compare_composition.csv`, one row per scope × group × label:
    /// `scope` (`images` or `regions`), `group`, `label`, `count`, `n` (labelled items in the
    /// group), `share` = count / n.
    public static let compositionColumns = ["scope", "group", "label", "count", "n", "share"]

    /// Columns of `compare_orientation.csv`, one row per group × bin: `group`,
    /// `bin_start_deg`, `bin_end_deg` (0° = along the interface), `mean_fraction` (mean over
    /// the group's images of the share of oriented pixels in the bin), `n_images`.
    public static let orientationColumns = ["group", "bin_start_deg", "bin_end_deg", "mean_fraction", "n_images"]

    static func cell(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        return String(v)
    }

    static func table(_ header: [String], _ rows: [[String: String]]) -> CSVTable {
        CSVTable(header: header, rows: rows.map { r in header.map { r[$0] ?? "" } })
    }

    /// `compare_groups.csv` (see ``groupColumns``).
    public static func groupsCSV(_ c: Comparison) -> CSVTable {
        let byName = Dictionary(uniqueKeysWithValues: c.metrics.map { ($0.name, $0) })
        return table(groupColumns, c.summaries.map { s in
            let m = byName[s.metric]!
            return ["metric": s.metric, "title": m.title, "unit": m.unit, "group": s.group, "n": String(s.summary.n),
                    "n_images": String(s.images), "median": cell(s.summary.median), "q1": cell(s.summary.q1), "q3": cell(s.summary.q3),
                    "iqr": cell(s.summary.iqr), "mean": cell(s.summary.mean), "sd": cell(s.summary.sd), "min": cell(s.summary.min),
                    "max": cell(s.summary.max)]
        })
    }

    /// `compare_tests.csv` (see ``testColumns``).
    public static func testsCSV(_ c: Comparison) -> CSVTable {
        let byName = Dictionary(uniqueKeysWithValues: c.metrics.map { ($0.name, $0) })
        return table(testColumns, c.tests.map { t in
            ["metric": t.metric, "unit": byName[t.metric]!.unit, "kind": t.kind.rawValue, "test": t.test, "method": t.method.rawValue,
             "group_a": t.groupA ?? "", "group_b": t.groupB ?? "", "n_a": t.nA.map(String.init) ?? "", "n_b": t.nB.map(String.init) ?? "",
             "n": String(t.n), "groups": String(t.groups), "statistic": cell(t.statistic), "df": t.df.map(String.init) ?? "",
             "p": cell(t.p), "p_holm": cell(t.pHolm), "effect": t.effect, "effect_size": cell(t.effectSize)]
        })
    }

    /// `compare_metrics.csv` (see ``metricColumns``).
    public static func metricsCSV(_ c: Comparison) -> CSVTable {
        let rows = c.metrics.map { ($0, "") } + c.leftOut.map { ($0.metric, $0.reason) }
        return table(metricColumns, rows.map { m, reason in
            ["metric": m.name, "title": m.title, "unit": m.unit, "scale": m.scale.rawValue, "source": m.column,
             "compared": reason.isEmpty ? "true" : "false", "reason": reason]
        })
    }

    /// `compare_composition.csv` (see ``compositionColumns``).
    public static func compositionCSV(_ c: Comparison) -> CSVTable {
        var rows = [[String: String]]()
        for (scope, comp) in [("images", c.imageComposition), ("regions", c.regionComposition)] {
            for g in comp { for (label, count) in g.counts {
                rows.append(["scope": scope, "group": g.group, "label": label, "count": String(count), "n": String(g.total),
                             "share": cell(Double(count) / Double(g.total))])
            } }
        }
        return table(compositionColumns, rows)
    }

    /// `compare_orientation.csv` (see ``orientationColumns``).
    public static func orientationCSV(_ c: Comparison) -> CSVTable {
        var rows = [[String: String]]()
        for m in c.meanHistograms {
            let width = 180 / Double(m.histogram.count)
            for (k, v) in m.histogram.enumerated() {
                rows.append(["group": m.group, "bin_start_deg": cell(Double(k) * width), "bin_end_deg": cell(Double(k + 1) * width),
                             "mean_fraction": cell(v), "n_images": String(m.images)])
            }
        }
        return table(orientationColumns, rows)
    }

    /// Readable p-value: 3 significant digits, "< 0.0001" below that.
    static func pText(_ p: Double) -> String {
        guard p.isFinite else { return "–" }
        return p < 1e-4 ? "< 0.0001" : String(format: "%.3g", p)
    }

    /// compare.html: groups, methods, a table of every test, box plots with data points and
    /// statistics per metric, roses, composition bars.
    public static func html(_ c: Comparison, sources: [String]) -> String {
        let opt = c.options
        var b = "<h1>Dendrometer comparison</h1>\n"
        b += "<p>Folders: \(HTML.escape(sources.joined(separator: ", ")))"
        if let column = opt.by { b += " — grouped by column <code>\(HTML.escape(column))</code>" }
        if c.ordered { b += " (ordered levels)" }
        b += ".</p>\n"
        var header = ["group", "images"], rows = [[HTML.Cell]]()
        if let nest = opt.nest { header.append("nests (\(nest))") }
        for (i, g) in c.groups.enumerated() {
            var r: [HTML.Cell] = [.text(g), .number(Double(c.imageCounts[i]))]
            if opt.nest != nil { r.append(.number(Double(c.unitCounts[i]))) }
            rows.append(r)
        }
        b += HTML.table(header: header, rows: rows)
        b += "<h2>Methods</h2>\n<p>"
        if let nest = opt.nest {
            b += "Images are nested in <code>\(HTML.escape(nest))</code>: per group, the images of one \(HTML.escape(nest)) are reduced to their median "
            b += "for every metric, and summaries and tests use these medians (n = number of \(HTML.escape(nest)) values; an image with an empty cell counts alone). "
        }
        b += "Pairs of groups: two-sided Mann–Whitney U (Mann &amp; Whitney 1947), exact p when the smaller group has at most "
        b += "\(Statistics.exactMannWhitneyMaximumSmallerSample) values and there are no ties, else the normal approximation with tie and continuity correction "
        b += "(as <code>scipy.stats.mannwhitneyu(method=\"auto\")</code>); effect size Cliff's delta (Cliff 1993), positive when the first group tends larger. "
        b += "Three or more groups: Kruskal–Wallis H, tie-corrected (as <code>scipy.stats.kruskal</code>), effect size ε² = H/(N − 1). "
        b += "Ordered groups: trend test by Spearman's rho between level and value, p from Student's t (as <code>scipy.stats.spearmanr</code>). "
        b += "p (Holm): Holm's adjustment over all tests of the same kind (every metric, every pair). "
        b += "Counts and skeleton length are divided by the length of the image's interface; px metrics are not compared across pixel sizes. "
        b += "Quartiles by linear interpolation; sd with n − 1.</p>\n"
        if !c.leftOut.isEmpty {
            b += "<p>Not compared:</p><ul>"
            for (m, reason) in c.leftOut { b += "<li><code>\(HTML.escape(m.name))</code>: \(HTML.escape(reason))</li>" }
            b += "</ul>\n"
        }
        let byName = Dictionary(uniqueKeysWithValues: c.metrics.map { ($0.name, $0) })
        func testRow(_ t: GroupTest, metric: Bool) -> [HTML.Cell] {
            let what: String = switch t.kind {
            case .pair: "\(t.groupA ?? "") vs \(t.groupB ?? "")"
            case .omnibus: "all \(t.groups) groups"
            case .trend: "trend over \(t.groups) levels"
            }
            let name: String = switch t.test {
            case "mann_whitney_u": "Mann–Whitney U (\(t.method.rawValue))"
            case "kruskal_wallis": "Kruskal–Wallis H (df \(t.df ?? 0))"
            default: "Spearman rho (df \(t.df ?? 0))"
            }
            let effect: String = switch t.effect { case "cliffs_delta": "Cliff's δ"; case "epsilon_squared": "ε²"; default: "rho" }
            var r: [HTML.Cell] = metric ? [.text(byName[t.metric]?.titleWithUnit ?? t.metric)] : []
            r += [.text(what), .text(name), .number(Double(t.n)), .number(t.statistic), HTML.Cell(html: pText(t.p), sortKey: t.p),
                  HTML.Cell(html: pText(t.pHolm), sortKey: t.pHolm), .text("\(effect) = \(HTML.format(t.effectSize))")]
            return r
        }
        let testHeader = ["groups", "test", "n", "statistic", "p", "p (Holm)", "effect size"]
        b += "<h2>Tests</h2>\n"
        if c.tests.isEmpty {
            b += "<p>No tests: at least two groups with values are needed.</p>\n"
        } else {
            b += HTML.table(header: ["metric"] + testHeader, rows: c.tests.map { testRow($0, metric: true) }, sortable: true, id: "tests-table")
        }
        b += "<h2>Metrics</h2>\n<div class=\"figs\">\n"
        for m in c.metrics {
            b += "<div>"
            b += HTML.boxPlot(c.groups.map { (name: $0, values: c.values[m.name]?[$0] ?? []) }, title: m.titleWithUnit, yLabel: m.unit == "1" ? "" : m.unit)
            var header = ["group", "n", "median", "IQR", "mean", "sd"]
            if opt.nest != nil { header.insert("images", at: 2) }
            let rows: [[HTML.Cell]] = c.summaries.filter { $0.metric == m.name }.map {
                var r: [HTML.Cell] = [.text($0.group), .number(Double($0.summary.n)), .number($0.summary.median),
                                      .text("\(HTML.format($0.summary.q1))–\(HTML.format($0.summary.q3))"), .number($0.summary.mean), .number($0.summary.sd)]
                if opt.nest != nil { r.insert(.number(Double($0.images)), at: 2) }
                return r
            }
            b += HTML.table(header: header, rows: rows)
            let tests = c.tests.filter { $0.metric == m.name }
            if !tests.isEmpty { b += HTML.table(header: testHeader, rows: tests.map { testRow($0, metric: false) }) }
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
}
