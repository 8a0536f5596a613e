import ArgumentParser
import Dendrometer
import DendrometerBatch
import DendrometerReport
import Foundation

/// `dendrometer batch INPUT... --out DIR [--jobs N] [--manifest CSV] [--shard I/N] [--no-resume] [options]`
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Analyse many micrographs: folders (recursive), files or globs; resumable, shardable.",
        discussion: """
        Writes DIR/json/<path>.json, DIR/overlays/<path>.png, images.csv, regions.csv, branches.csv, \
        failures.csv and report.html. EDX maps named <stem>_<Element>.<ext> beside an \
        image are attached to it. A run that was interrupted (even by kill -9) resumes: images whose \
        record matches the file's content hash and the settings are skipped; the tables are rebuilt \
        from the records. Exit status 1 when any image failed (listed in failures.csv).
        """)

    @Argument(help: "Folders (searched recursively), image files or globs (quote them: 'data/*/cell?.tif').")
    var inputs: [String] = []

    @Option(help: "Output folder.")
    var out: String

    @Option(parsing: .unconditional, help: "Images analysed at once (default: number of cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("CSV with an 'image' column and optional group, pixel_size, anode, phase, edx:<Element> and free columns (carried into every row).", valueName: "csv"))
    var manifest: String?

    @Option(help: ArgumentHelp("Analyse only shard I of N (1-based), e.g. 3/16; join the shard folders with 'dendrometer merge'.", valueName: "I/N"))
    var shard: String?

    @Flag(help: "Re-analyse every image even when its record is current.")
    var noResume = false

    @OptionGroup var calibration: CalibrationArguments
    @OptionGroup var analysis: AnalysisArguments

    func validate() throws {
        if inputs.isEmpty && manifest == nil { throw ValidationError("give at least one INPUT (folder, file or glob) or --manifest CSV") }
        if jobs < 1 { throw ValidationError("--jobs must be 1 or more, got \(jobs)") }
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.description) } }
    }

    func run() throws {
        let outcome: BatchOutcome
        do {
            let options = try analysis.analysisOptions(maximumPixels: calibration.maxPixels)
            let items = try BatchInputs.discover(inputs, manifest: manifest, outputDirectory: out)
            let config = BatchConfiguration(outputDirectory: out, jobs: jobs, shard: try shard.map { s throws(BatchError) in try Shard(parsing: s) },
                                            resume: !noResume, analysis: options, micrograph: calibration.micrographOptions,
                                            toolVersion: "dendrometer \(DendrometerCommand.configuration.version)")
            outcome = try BatchRunner.run(items, configuration: config)
        } catch {
            reportFailure("\(error)")
            throw ExitCode(1)
        }
        do { try BatchReport.write(directory: out) } catch { reportFailure("\(out)/report.html: \(error)") }
        for f in outcome.failures { reportFailure("\(f.file): \(f.error)") }
        emit("\(outcome.total) images: \(outcome.analysed) analysed, \(outcome.skipped) up to date, \(outcome.failures.count) failed; "
            + "\(outcome.imageRows) image rows, \(outcome.regionRows) region rows, \(outcome.dendriteRows) dendrite rows, \(outcome.branchRows) branch rows in \(out)")
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
