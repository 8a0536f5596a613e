import ArgumentParser
import DendrometerBatch
import DendrometerReport
import Foundation

/// `dendrometer merge DIR... --out DIR [--run FILE]`
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the output folders of 'batch --shard I/N' runs into one, equal to a single run.",
        discussion: """
        Copies the per-image records, rebuilds the CSV tables and report.html (which links the \
        overlays and thumbnails as files beside it). With --run (the record 'batch --run' wrote), \
        every input of the run that no shard has analysed or failed is listed on standard error and \
        in missing.csv, and INCOMPLETE.txt marks the folder; merge again after the missing shards ran. \
        Exit status: 0 complete, 1 complete with failed images (failures.csv), 3 incomplete.
        """)

    @Argument(help: "Shard output folders (with --run, folders that do not exist yet are skipped: their inputs are missing).")
    var directories: [String] = []

    @Option(help: "Merged output folder (may be one of the shard folders).")
    var out: String

    @Option(name: .customLong("run"), help: ArgumentHelp("Run record written by 'batch --run FILE': the inputs the merged result must hold.", valueName: "file"))
    var runRecord: String?

    /// Missing inputs named on standard error; the rest are in missing.csv.
    static let missingListedOnStandardError = 50

    func validate() throws {
        if directories.isEmpty && runRecord == nil { throw ValidationError("give at least one shard output folder") }
    }

    func run() throws {
        let outcome: BatchOutcome
        do {
            let record = try runRecord.map { path throws(BatchError) in try BatchRun.read(path) }
            outcome = try BatchMerge.merge(directories, into: out, run: record)
        } catch {
            reportFailure("\(error)")
            throw ExitCode(1)
        }
        do { try BatchReport.write(directory: out, thumbnails: .linked) } catch { reportFailure("\(out)/report.html: \(error)") }
        for file in outcome.missing.prefix(Self.missingListedOnStandardError) { reportFailure("\(file): not analysed by any shard yet") }
        if outcome.missing.count > Self.missingListedOnStandardError {
            reportFailure("… and \(outcome.missing.count - Self.missingListedOnStandardError) more in \(out)/\(BatchMerge.Incomplete.table)")
        }
        let state = outcome.missing.isEmpty ? "complete" : "INCOMPLETE: \(outcome.missing.count) not analysed yet (\(BatchMerge.Incomplete.table)); resubmit the unfinished shards and merge again"
        emit("\(outcome.total) images merged: \(outcome.imageRows) image rows, \(outcome.failures.count) failed, in \(out); \(state)")
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
