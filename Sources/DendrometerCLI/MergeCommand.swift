import ArgumentParser
import DendrometerBatch
import DendrometerReport
import Foundation

/// `dendrometer merge DIR... --out DIR`
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the output folders of 'batch --shard I/N' runs into one, equal to a single run.",
        discussion: "Copies the per-image records, rebuilds the CSV tables and report.html. Exit status 1 when any image failed.")

    @Argument(help: "Shard output folders.")
    var directories: [String]

    @Option(help: "Merged output folder (may be one of the shard folders).")
    var out: String

    func validate() throws {
        if directories.isEmpty { throw ValidationError("give at least one shard output folder") }
    }

    func run() throws {
        let outcome: BatchOutcome
        do { outcome = try BatchMerge.merge(directories, into: out) } catch {
            reportFailure("\(error)")
            throw ExitCode(1)
        }
        do { try BatchReport.write(directory: out) } catch { reportFailure("\(out)/report.html: \(error)") }
        emit("\(outcome.total) images merged: \(outcome.imageRows) image rows, \(outcome.failures.count) failed, in \(out)")
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
