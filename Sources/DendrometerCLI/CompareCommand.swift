import ArgumentParser
import DendrometerReport

/// `--pairs auto|all|adjacent|none`.
extension PairSelection: ExpressibleByArgument {}

/// `dendrometer compare DIR... [--labels A,B,...] [--by COLUMN] [--nest COLUMN] [--pairs …] --out DIR`
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare groups of analysed images (e.g. Li vs Li-In, or cycles 5/10/20).",
        discussion: """
        Groups are one per batch folder (named by --labels or the folder name), or with \
        --by COLUMN the values of that images.csv column across all folders (numeric values \
        are ordered levels, e.g. cycles). With --nest COLUMN (e.g. cell), the images of one \
        cell are reduced to their median per metric and the tests use these medians.

        Compared: calibrated metrics (µm, per mm, per 1000 µm²), scale-free ones (fractions, \
        coherence, tortuosity), and counts and skeleton length divided by the image's \
        interface length (e.g. skeleton.branches_per_mm_interface, 1/mm). px metrics are \
        not compared when any image is calibrated or pixel sizes are unknown (see \
        --same-pixel-size). compare_metrics.csv says what was left out and why.

        Tests (two-sided): Mann–Whitney U between pairs (exact p when the smaller group has \
        at most 8 values and no ties, else normal approximation with tie and continuity \
        correction, as scipy.stats.mannwhitneyu(method="auto")), with Cliff's delta; for 3 \
        or more groups Kruskal–Wallis H (as scipy.stats.kruskal) with epsilon²; for ordered \
        groups a trend test, Spearman's rho of value against level (as \
        scipy.stats.spearmanr). p_holm is Holm-adjusted over all tests of the same kind.

        Writes into OUT tidy tables (one row per observation; empty cell = not \
        applicable; unit 1 = no unit; n counts nests with --nest, else images):

        compare_groups.csv, one row per metric × group: metric, title, unit, group, n, \
        n_images, median, q1, q3, iqr, mean, sd, min, max.

        compare_tests.csv, one row per test: metric, unit, kind (pair, omnibus, trend), \
        test (mann_whitney_u, kruskal_wallis, spearman), method (exact, asymptotic), \
        group_a, group_b, n_a, n_b, n, groups, statistic (U of group_a, H or rho), df, \
        p, p_holm, effect (cliffs_delta, epsilon_squared, spearman_rho), effect_size.

        compare_metrics.csv: metric, title, unit, scale, source, compared, reason.
        compare_composition.csv: scope (images, regions), group, label, count, n, share.
        compare_orientation.csv: group, bin_start_deg, bin_end_deg, mean_fraction, n_images.

        compare.html: every test in one table, box plots, orientation roses, \
        morphology composition. Details: docs/compare.md.
        """)

    @Argument(help: "Batch output folders (each with images.csv).")
    var directories: [String]

    @Option(help: ArgumentHelp("Group names, one per folder, comma separated.", valueName: "A,B,..."))
    var labels: String?

    @Option(help: ArgumentHelp("Group by the values of this images.csv column (e.g. group, cycles).", valueName: "column"))
    var by: String?

    @Option(help: ArgumentHelp("Aggregate images per value of this images.csv column (e.g. cell, sample) before testing: median per nest.", valueName: "column"))
    var nest: String?

    @Option(help: ArgumentHelp("Which pairs of groups get a Mann–Whitney test: auto (adjacent when ordered, else all), all, adjacent or none.", valueName: "pairs"))
    var pairs: PairSelection = .auto

    @Flag(help: "Treat the groups as ordered levels in the order given (adds the trend test; pairs auto → adjacent).")
    var ordered = false

    @Flag(help: "All images are uncalibrated but share one pixel size: compare the px metrics too.")
    var samePixelSize = false

    @Option(help: "Output folder for the compare_*.csv tables and compare.html.")
    var out: String

    func validate() throws {
        if directories.isEmpty { throw ValidationError("expected at least one batch folder, got none") }
        if labels != nil && by != nil { throw ValidationError("--labels and --by exclude each other: give one") }
        if let labels, labels.split(separator: ",", omittingEmptySubsequences: false).count != directories.count {
            throw ValidationError("--labels: expected \(directories.count) names (one per folder), got \(labels.split(separator: ",", omittingEmptySubsequences: false).count)")
        }
    }

    func run() throws {
        do {
            let options = ComparisonOptions(labels: labels.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) },
                                            by: by, nest: nest, pairs: pairs, ordered: ordered, samePixelSize: samePixelSize)
            let result = try GroupComparison.write(directories: directories, options: options, out: out)
            emit("compared \(result.groups.count) groups (\(result.groups.joined(separator: ", "))) over \(result.metrics.count) metrics"
                 + (result.leftOut.isEmpty ? "" : "; not compared: \(result.leftOut.map(\.metric.name).joined(separator: ", ")) (reasons in compare_metrics.csv)"))
            emit("wrote \(GroupComparison.outputFiles.map { "\(out)/\($0)" }.joined(separator: ", "))")
        } catch let error as ReportError {
            if case .invalidInput(let message) = error { throw ValidationError(message) }
            reportFailure("\(error)")
            throw ExitCode(1)
        }
    }
}
