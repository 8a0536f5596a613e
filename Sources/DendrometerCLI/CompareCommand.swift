import ArgumentParser
import DendrometerReport

/// `dendrometer compare DIR... [--labels A,B,...] [--by COLUMN] --out DIR`
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare groups of analysed images (e.g. Li vs Li-In).",
        discussion: """
        Groups are one per batch folder (named by --labels or the folder name), or with \
        --by COLUMN the values of that images.csv column across all folders. For every \
        metric and group: n, median, IQR, mean, sd; between every pair of groups: the \
        two-sided Mann–Whitney U test (normal approximation with tie and continuity \
        correction, as scipy.stats.mannwhitneyu(method="asymptotic")) and Cliff's delta; \
        the morphology composition per group over images and over regions. Writes \
        OUT/compare.csv (one tidy table; column `section` says which rows are which) and \
        OUT/compare.html (box plots, orientation roses, composition bars).
        """)

    @Argument(help: "Batch output folders (each with images.csv).")
    var directories: [String]

    @Option(help: ArgumentHelp("Group names, one per folder, comma separated.", valueName: "A,B,..."))
    var labels: String?

    @Option(help: ArgumentHelp("Group by the values of this images.csv column (e.g. group, cycles).", valueName: "column"))
    var by: String?

    @Option(help: "Output folder for compare.csv and compare.html.")
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
            let result = try GroupComparison.write(
                directories: directories,
                labels: labels.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) },
                by: by, out: out)
            emit("compared \(result.groups.count) groups (\(result.groups.joined(separator: ", "))) over \(result.metrics.count) metrics")
            emit("wrote \(out)/compare.csv, \(out)/compare.html")
        } catch let error as ReportError {
            if case .invalidInput(let message) = error { throw ValidationError(message) }
            reportFailure("\(error)")
            throw ExitCode(1)
        }
    }
}
