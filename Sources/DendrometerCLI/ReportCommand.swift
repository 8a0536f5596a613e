import ArgumentParser
import DendrometerReport

/// `dendrometer report DIR`
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "(Re)write DIR/report.html from the outputs of a batch.",
        discussion: """
        Reads images.csv, regions.csv, failures.csv, json/ and overlays/ in DIR and writes \
        a self-contained report.html (inline SVG plots and embedded thumbnails, no network): \
        batch summary, failures, a sortable per-image table, distributions, and one section \
        per image with overlay, metrics, depth profile, orientation rose and regions.
        """)

    @Argument(help: "A batch output folder.")
    var directory: String

    func run() throws {
        do {
            try BatchReport.write(directory: directory)
            emit("wrote \(directory)/report.html")
        } catch {
            reportFailure("\(directory): \(error)")
            throw ExitCode(1)
        }
    }
}
