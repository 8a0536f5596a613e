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
        from the records. Exit status 1 when any image failed (listed in failures.csv), \
        or when the inputs name no image at all. The start line says how many images run at once \
        and how many kernel threads each uses (by default from the CPUs the process may use).
        """)

    @Argument(help: "Folders (searched recursively), image files or globs (quote them: 'data/*/cell?.tif').")
    var inputs: [String] = []

    @Option(help: "Output folder.")
    var out: String

    @Option(parsing: .unconditional, help: "Images analysed at once (default: the CPUs this process may use: its affinity mask and cgroup CPU quota, as Slurm or taskset set them).")
    var jobs: Int?

    /// `--jobs`, or the CPUs this process may use (given once in the help, not twice).
    var workerCount: Int { jobs ?? CPUAllotment.count }

    @Option(help: ArgumentHelp("CSV with an 'image' column and optional group, pixel_size, anode, phase, edx:<Element> and free columns (carried into every row).", valueName: "csv"))
    var manifest: String?

    @Option(help: ArgumentHelp("Analyse only shard I of N (1-based), e.g. 3/16; join the shard folders with 'dendrometer merge'.", valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("run"), help: ArgumentHelp("Run record of a sharded run (e.g. OUT/run.txt): the first task writes the shard count and every input there; later tasks must match it, and 'merge --run' uses it to report inputs no shard has analysed.", valueName: "file"))
    var runRecord: String?

    @Flag(help: "Re-analyse every image even when its record is current.")
    var noResume = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Longest one image may take, seconds (default 600); a slower image becomes a failure row and is retried by the next run.", valueName: "seconds"))
    var timeout = 600.0

    @Option(parsing: .unconditional, help: ArgumentHelp("Memory (address space) one image's analysis may use, e.g. 8GB (default: three quarters of the machine's memory shared by the --jobs).", valueName: "size"))
    var memoryLimit: String?

    @Option(help: ArgumentHelp("The overlay picture per image: full (every pixel), preview (at most 2048 px on the longer side, lines and labels kept) or none (no thumbnails in the report).", valueName: "full|preview|none"))
    var overlay: OverlaySize = .full

    @Flag(help: "Also write each image's segmented phase, dendrite mask, skeleton and dendrite depth map as calibrated TIFFs in the full image frame: masks/<path>.{phase,mask,skeleton,depth}.tif (they lie on the original in Fiji).")
    var saveMasks = false

    @Flag(help: "Analyse in this process instead of one worker process per image (faster start, but a crash in one image ends the batch).")
    var inProcess = false

    @Option(help: .hidden) var workerItem: String?
    @Option(help: .hidden) var workerMemoryLimit: UInt64?
    @Option(help: .hidden) var workerThreads: Int?

    @OptionGroup var calibration: CalibrationArguments
    @OptionGroup var analysis: AnalysisArguments

    func validate() throws {
        if inputs.isEmpty && manifest == nil { throw ValidationError("give at least one INPUT (folder, file or glob) or --manifest CSV") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be 1 or more, got \(jobs)") }
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.description) } }
        if !(timeout.isFinite && timeout > 0) { throw ValidationError("--timeout expects a positive number of seconds, got \(timeout)") }
        if let m = memoryLimit, Self.bytes(m) == nil { throw ValidationError("--memory-limit expects a size such as 8GB or 512MB, got '\(m)'") }
    }

    /// `8GB`, `512MB`, `2.5G`, `1000000000` (bytes) → bytes; nil when not a positive size of at least 64 MB.
    static func bytes(_ text: String) -> UInt64? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Double)] = [("GB", 1e9), ("G", 1e9), ("MB", 1e6), ("M", 1e6), ("B", 1), ("", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, v * factor >= 64e6, v * factor < 1e15 else { continue }
            return UInt64(saturating: v * factor)
        }
        return nil
    }

    /// Each image in its own process of this binary, unless --in-process.
    func isolation() -> WorkerIsolation? {
        guard !inProcess else { return nil }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let share = UInt64(saturating: Double(ProcessInfo.processInfo.physicalMemory) * 0.75) / UInt64(max(1, workerCount))
        return WorkerIsolation(executable: executable, arguments: Array(CommandLine.arguments.dropFirst()),
                               timeoutSeconds: timeout, memoryLimitBytes: memoryLimit.flatMap(Self.bytes) ?? share)
    }

    func run() throws {
        let outcome: BatchOutcome
        do {
            let options = try analysis.analysisOptions(maximumPixels: calibration.maxPixels)
            let items = try BatchInputs.discover(inputs, manifest: manifest, outputDirectory: out)
            var config = BatchConfiguration(outputDirectory: out, jobs: workerCount, shard: try shard.map { s throws(BatchError) in try Shard(parsing: s) },
                                            resume: !noResume, analysis: options, micrograph: calibration.micrographOptions,
                                            toolVersion: "dendrometer \(DendrometerCommand.configuration.version)")
            config.overlay = overlay
            config.saveMasks = saveMasks
            config.runRecord = runRecord
            if let rel = workerItem {
                // A worker: one image, in this process, under the parent's memory limit.
                WorkerIsolation.dieWithParent()
                if let limit = workerMemoryLimit { WorkerIsolation.limitMemory(to: limit) }
                config.progress = .silent
                let status = try BatchRunner.runWorker(items, relativePath: rel, configuration: config, threads: workerThreads)
                throw ExitCode(status)
            }
            config.isolation = isolation()
            outcome = try BatchRunner.run(items, configuration: config)
        } catch let code as ExitCode {
            throw code
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
