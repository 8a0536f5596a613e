// The batch runner: analyses images with a bounded number in flight, writes
// per-image records atomically (json last, as the commit marker), resumes by
// content hash + settings hash, and rebuilds the CSV tables from the records.
import Dendrometer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How progress is shown on standard error.
public enum BatchProgressStyle: Sendable {
    /// A `\r` progress line when standard error is a terminal, log lines otherwise.
    case automatic
    /// `\r[12/340] 3.1 img/s ETA 1m48s  file`.
    case terminal
    /// `dendrometer: [12/340] file: ok (0.4 s)`.
    case lines
    /// Nothing.
    case silent
}

/// Settings of one batch run.
public struct BatchConfiguration: Sendable {
    /// Output folder (created).
    public var outputDirectory: String
    /// Images in flight at once (≥ 1); default: the CPUs this process may use (``CPUAllotment/count``).
    public var jobs: Int
    /// Only this slice of the inputs, or all.
    public var shard: Shard?
    /// Skip images whose record has the same input and settings hash (default `true`).
    public var resume: Bool
    /// Analysis options for every image (a manifest row may override phase, anode; EDX maps are per image).
    public var analysis: AnalysisOptions
    /// Reading and calibration options (a manifest `pixel_size` overrides the user pixel size).
    public var micrograph: MicrographOptions
    /// Tool version, part of the settings hash (a new version re-analyses).
    public var toolVersion: String
    /// Progress display.
    public var progress: BatchProgressStyle
    /// Run each image in its own process (crash, memory and time limits), or nil to analyse in
    /// this process (library use and tests).
    public var isolation: WorkerIsolation?
    /// Overlay picture per image: full, a preview of at most 2048 px, or none (then the
    /// `overlay` column of `images.csv` is empty and the report shows no thumbnail).
    public var overlay: OverlaySize = .full
    /// Also write each image's phase, dendrite, skeleton and depth TIFFs (`--save-masks`) under
    /// `masks/<path>.<name>.tif`, calibrated, in the full raster.
    public var saveMasks = false
    /// Run record (`run.txt` of a sharded run): written by the first task that starts, then
    /// checked by every later task (same shard count, same inputs); `merge --run` reads it.
    /// Nil: no record.
    public var runRecord: String?

    /// A configuration writing to `outputDirectory`.
    public init(outputDirectory: String, jobs: Int = CPUAllotment.count, shard: Shard? = nil,
                resume: Bool = true, analysis: AnalysisOptions = AnalysisOptions(),
                micrograph: MicrographOptions = MicrographOptions(), toolVersion: String = BatchRunner.defaultToolVersion,
                progress: BatchProgressStyle = .automatic) {
        self.outputDirectory = outputDirectory
        self.jobs = jobs
        self.shard = shard
        self.resume = resume
        self.analysis = analysis
        self.micrograph = micrograph
        self.toolVersion = toolVersion
        self.progress = progress
    }
}

/// What a batch (or merge) did.
public struct BatchOutcome: Sendable, Equatable {
    /// Images in this run (after sharding).
    public var total = 0
    /// Images analysed now (successfully).
    public var analysed = 0
    /// Images skipped because their record was current (successes and recorded failures).
    public var skipped = 0
    /// `(relative path, one-line reason)` of every image without a result, sorted.
    public var failures: [Failure] = []
    /// Rows written to images.csv, regions.csv, dendrites.csv, branches.csv.
    public var imageRows = 0, regionRows = 0, dendriteRows = 0, branchRows = 0

    /// One failed image.
    public struct Failure: Sendable, Equatable {
        /// Relative path.
        public var file: String
        /// One-line reason.
        public var error: String
    }

    /// Inputs of the recorded run that no shard has analysed or failed (merge with a run record
    /// only), sorted; non-empty means the result is incomplete.
    public var missing: [String] = []

    /// Exit status when a merge is incomplete: some inputs of the run have no record yet.
    public static let incompleteExitStatus: Int32 = 3

    /// Exit status of docs/REFERENCE.md §2: 0 when everything was analysed, 1 when some images
    /// failed, ``incompleteExitStatus`` (3) when a merge lacks inputs of its run (before failures).
    public var exitStatus: Int32 { !missing.isEmpty ? Self.incompleteExitStatus : failures.isEmpty ? 0 : 1 }
}

/// Runs batches.
public enum BatchRunner {
    /// Version string folded into the settings hash by default.
    public static let defaultToolVersion = "dendrometer 0.1.0"

    /// Output layout inside the batch folder.
    public enum Layout {
        /// `json/<rel>.json`: the record (written last; its presence means done).
        public static func json(_ rel: String) -> String { "json/\(rel).json" }
        /// `json/<rel>.branches.csv`: the image's skeleton branch table.
        public static func branches(_ rel: String) -> String { "json/\(rel).branches.csv" }
        /// `overlays/<rel>.png`.
        public static func overlay(_ rel: String) -> String { "overlays/\(rel).png" }
        /// `masks/<rel>.<name>.tif` for `--save-masks` (phase, mask, skeleton, depth).
        public static func masks(_ rel: String) -> [String] {
            MaskExport.maskNames.map { "masks/\(rel).\($0).tif" }
        }
        /// `failures/<rel>.txt`: input hash, settings hash, reason (one per line).
        public static func failure(_ rel: String) -> String { "failures/\(rel).txt" }
    }

    /// The settings hash input for `configuration` (everything that changes results), without per-image parts.
    public static func settingsFingerprint(_ c: BatchConfiguration) -> String {
        let o = c.analysis
        // Every parameter (sorted keys: the same set always gives the same text).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let parameters = (try? encoder.encode(ParameterFile.tree(of: o.parameters))).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        var parts = [c.toolVersion, "phase=\(o.phase)", "anode=\(o.anode?.rawValue ?? "auto")", "regions=\(o.regions)",
                     "parameters=\(parameters)", "micrograph=\(c.micrograph)"]
        // Only a non-default overlay enters the hash, so existing output folders stay current.
        if c.overlay != .full { parts.append("overlay=\(c.overlay.rawValue)") }
        if c.saveMasks { parts.append("save-masks") }
        switch o.segmentation {
        case .automatic: parts.append("segmentation=automatic")
        case .model(let model, _):
            var h = FNV1a64()
            model.serialized().withUnsafeBytes { h.combine($0) }
            parts.append("model=\(h.hex)")
        case .mask(let mask):
            var h = FNV1a64()
            mask.mask.bits.withUnsafeBytes { h.combine($0) }
            parts.append("mask=\(mask.mask.width)x\(mask.mask.height):\(h.hex)")
        }
        for (element, map) in o.edxMaps.sorted(by: { $0.key < $1.key }) {
            var h = FNV1a64()
            map.pixels.withUnsafeBytes { h.combine($0) }
            parts.append("edx:\(element)=\(map.width)x\(map.height):\(h.hex)")
        }
        return parts.joined(separator: "|")
    }

    /// Analyses `items` (or this shard of them) into `configuration.outputDirectory`,
    /// then rebuilds `images.csv`, `regions.csv`, `branches.csv` and `failures.csv`
    /// from the per-image records of these items. A failing image never stops the others.
    ///
    /// With ``BatchConfiguration/runRecord``, the run record is written first when absent, and
    /// checked against these items and shard count when present.
    ///
    /// - Returns: counts and failures; `exitStatus` is 1 when any image failed.
    /// - Throws: ``BatchError/noImages`` when `items` is empty; ``BatchError/badArgument(_:)`` when
    ///   the run record holds another shard count or other inputs; otherwise only when the output
    ///   folder cannot be written.
    public static func run(_ items: [BatchItem], configuration c: BatchConfiguration) throws(BatchError) -> BatchOutcome {
        // Finding nothing at all is a mistake (a wrong path, a link not followed), never a green run.
        guard !items.isEmpty else { throw .noImages }
        if let record = c.runRecord {
            _ = try BatchRun.establish(BatchRun(shards: c.shard?.count ?? 1, inputs: items.map(\.relativePath)), at: record)
        }
        let mine = items.filter { c.shard?.contains($0.relativePath) ?? true }
        let out = c.outputDirectory
        // json/ even for a shard that received no image: an empty shard is a valid output to merge.
        do throws(OutputFolderError) { try OutputFolder.create("\(out)/json") } catch {
            throw .writeFailed(out, error.reason)
        }
        let lock = try OutputLock.acquire(directory: out, name: c.shard.map { "shard-\($0.index)-of-\($0.count)" } ?? "batch")
        defer { lock.release() }
        // Half-written files of a batch killed before it could rename them.
        AtomicFile.removeStaleTemporaries(under: out)
        let jobs = max(1, min(c.jobs, max(1, mine.count)))
        let savedThreads = Concurrency.maximumThreads
        Concurrency.maximumThreads = kernelThreads(jobs: jobs)
        defer { Concurrency.maximumThreads = savedThreads }
        if c.progress != .silent {
            let scope = c.shard.map { "\(mine.count) in shard \($0) of \(items.count) inputs" } ?? "\(items.count) inputs"
            FileHandle.standardError.write(Data(("dendrometer: batch: \(scope); \(jobs) worker\(jobs == 1 ? "" : "s") × "
                + "\(Concurrency.maximumThreads) kernel thread\(Concurrency.maximumThreads == 1 ? "" : "s") "
                + "(CPUs: \(CPUAllotment.explanation))\n").utf8))
        }

        let base = settingsFingerprint(c)
        let state = RunState(total: mine.count, style: c.progress)
        // Largest files first (longest-processing-time-first scheduling): the last
        // image in flight is a small one, so workers finish together. Outputs do
        // not depend on the order.
        let sizes = mine.map { ((try? FileManager.default.attributesOfItem(atPath: $0.path))?[.size] as? NSNumber)?.intValue ?? 0 }
        let order = mine.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        for _ in 0 ..< jobs {
            state.group.enter()
            let t = Thread {
                while let k = state.next() {
                    let i = order[k]
                    let started = Date()
                    let status = process(mine[i], base: base, configuration: c)
                    state.finished(mine[i].relativePath, status, seconds: Date().timeIntervalSince(started))
                }
                state.group.leave()
            }
            t.stackSize = 8 << 20
            t.start()
        }
        state.group.wait()
        state.endProgress()
        // The tables hold every record in the folder (this run's and earlier runs' on other inputs:
        // nothing a previous batch wrote disappears from them); the outcome is this run's.
        let recorded = BatchTables.recordedPaths(in: out)
        let all = Array(Set(recorded).union(mine.map(\.relativePath)))
        var outcome = try BatchTables.rebuild(directory: out, relativePaths: all)
        let ours = Set(mine.map(\.relativePath))
        outcome.failures = outcome.failures.filter { ours.contains($0.file) }
        outcome.total = mine.count
        outcome.analysed = state.analysed
        outcome.skipped = state.skipped
        return outcome
    }

    /// Kernel threads per image when `jobs` images are analysed at once: the CPUs this process
    /// may use (``CPUAllotment/count``) shared among them, at least 1.
    public static func kernelThreads(jobs: Int) -> Int { max(1, CPUAllotment.count / max(1, jobs)) }

    /// What happened to one image.
    enum Status: Sendable { case analysed, skipped, skippedFailure(String), failed(String) }

    /// Analyses one image unless its record is current. Never throws: errors become failure records.
    static func process(_ item: BatchItem, base: String, configuration c: BatchConfiguration) -> Status {
        let out = c.outputDirectory
        if let w = c.isolation, item.problem == nil { return processInWorker(item, isolation: w, base: base, out: out) }
        let rel = item.relativePath
        let jsonPath = "\(out)/\(Layout.json(rel))", failurePath = "\(out)/\(Layout.failure(rel))"
        if let problem = item.problem {
            // Never a permanent skip: the next run looks again (the folder may have been fixed).
            return recordFailure(problem, rel: rel, input: "", settings: Self.retryMarker, out: out)
        }
        let inputHash: String, settingsHash: String
        do { (inputHash, settingsHash) = try hashes(of: item, base: base) } catch {
            return recordFailure(error.description.oneLine(removingPrefix: item.path), rel: rel, input: "", settings: retryMarker, out: out)
        }
        if c.resume {
            if let data = FileManager.default.contents(atPath: jsonPath),
               let doc = try? JSONDocument.parse(String(decoding: data, as: UTF8.self)),
               doc["input_hash"]?.stringValue == inputHash, doc["settings_hash"]?.stringValue == settingsHash,
               FileManager.default.fileExists(atPath: "\(out)/\(Layout.branches(rel))") {
                return .skipped
            }
            if let data = FileManager.default.contents(atPath: failurePath) {
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if lines.count >= 3, lines[0] == inputHash, lines[1] == settingsHash { return .skippedFailure(lines[2]) }
            }
        }
        do {
            var options = c.analysis
            var mopts = c.micrograph
            if let v = item.manifestValue("pixel_size") {
                do { mopts.calibration.userPixelSize = try PixelSize.parsingPixelSize(v) } catch {
                    throw ItemError("manifest pixel_size: expected a length with a unit such as 0.25um, got '\(v)'")
                }
            }
            if let v = item.manifestValue("anode") {
                if v == "auto" { options.anode = nil } else {
                    guard let side = AnodeSide(rawValue: v) else { throw ItemError("manifest anode: expected auto, bottom, top, left or right, got '\(v)'") }
                    options.anode = side
                }
            }
            if let v = item.manifestValue("phase") {
                guard let p = PhaseChoice(argument: v) else { throw ItemError("manifest phase: expected auto, bright, dark or edx:ELEMENT, got '\(v)'") }
                options.phase = p
            }
            for (element, map) in item.edx {
                do { options.edxMaps[element] = try ImageFile.read(map, options: mopts.read).image.asFloat() } catch {
                    throw ItemError("EDX map \(element): \(error.description)")
                }
            }
            if let file = item.manifestValue("model") {
                do { options.segmentation = .model(try TrainedModelSegmenter.loadModel(file), name: file) } catch {
                    throw ItemError("manifest model \(error)")
                }
            }
            if let file = item.manifestValue("mask") {
                var labels = [Int]()
                if let text = item.manifestValue("mask_label") {
                    let parsed = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                    guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                        throw ItemError("manifest mask_label: expected label values separated by commas, e.g. 2,5; got '\(text)'")
                    }
                    labels = parsed.map { $0! }
                }
                options.segmentation = .mask(try ExternalMask.read(file, labels: labels, maximumPixels: mopts.read.maximumPixels))
            }
            let micrograph = try Micrograph.open(item.path, options: mopts)
            ProcessMemory.fitLargeBuffers(toFieldPixels: micrograph.image.width * micrograph.image.height)
            let result = try DendriteAnalysis.run(micrograph, options: options)
            let manifest = Dictionary(item.manifest, uniquingKeysWith: { a, _ in a })
            let doc = BatchDocument(report: AnalysisReport(result, manifest: manifest), relativePath: rel,
                                    inputHash: inputHash, settingsHash: settingsHash, manifestColumns: item.manifest.map(\.0))
            let text = try ReportJSON.encode(doc)
            do {
                try AtomicFile.write(text: SkeletonBranchTable.csv(result.branches, pixelSize: result.micrograph.calibration.pixelSize), to: "\(out)/\(Layout.branches(rel))")
                let overlayPath = "\(out)/\(Layout.overlay(rel))"
                if c.overlay == .none {
                    try? FileManager.default.removeItem(atPath: overlayPath)   // one from an earlier run would be stale
                } else {
                    try OverlayRenderer.write(result, to: overlayPath, size: c.overlay)
                }
                if c.saveMasks {
                    ProcessMemory.returnFreedMemory()   // as `analyze --save-masks` does
                    let stem = "\(out)/masks/\(rel)"
                    try FileManager.default.createDirectory(atPath: (stem as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try MaskExport.write(result, directory: (stem as NSString).deletingLastPathComponent, stem: (stem as NSString).lastPathComponent)
                }
                try AtomicFile.write(text: text + "\n", to: jsonPath)
            } catch {
                // The output could not be written (full disk, read-only folder): not the image's
                // fault, so the record does not carry its hashes and a later run tries again.
                return recordFailure("\(error)".oneLine(removingPrefix: item.path), rel: rel, input: inputHash,
                                     settings: Self.retryMarker, out: out)
            }
            try? FileManager.default.removeItem(atPath: failurePath)
            return .analysed
        } catch let e as ImageIOError {
            return recordFailure(e.reason.oneLine(removingPrefix: item.path), rel: rel, input: inputHash, settings: settingsHash, out: out)
        } catch {
            return recordFailure("\(error)".oneLine(removingPrefix: item.path), rel: rel, input: inputHash, settings: settingsHash, out: out)
        }
    }

    /// Settings line of a failure that is the environment's, not the input's (a write error, an
    /// unreadable folder): it never matches a settings hash, so resume retries the image.
    static let retryMarker = "retry"
    /// The image's content hash and the hash of everything that shapes its result (the run's
    /// settings `base`, its manifest values, its EDX maps', model's and mask's contents).
    static func hashes(of item: BatchItem, base: String) throws(BatchError) -> (input: String, settings: String) {
        var settings = FNV1a64()
        settings.combine(base)
        for (k, v) in item.manifest { settings.combine("|m:\(k)=\(v)") }
        let input = try FNV1a64.hash(fileAt: item.path)
        for (element, map) in item.edx.sorted(by: { $0.key < $1.key }) {
            settings.combine("|edx:\(element)=\(try FNV1a64.hash(fileAt: map))")
        }
        for column in Manifest.fileColumns.sorted() {
            if let file = item.manifestValue(column) { settings.combine("|\(column)#=\(try FNV1a64.hash(fileAt: file))") }
        }
        return (input, settings.hex)
    }

    /// The worker side of isolation: analyses the item whose relative path is `relativePath`
    /// in this process (no lock, no tables; the parent does those) and returns the exit status
    /// the parent expects. `threads`: the kernel threads the parent gave each image (default: this
    /// process's CPUs shared by `--jobs`).
    public static func runWorker(_ items: [BatchItem], relativePath: String, configuration c: BatchConfiguration,
                                 threads: Int? = nil) throws(BatchError) -> Int32 {
        guard let item = items.first(where: { $0.relativePath == relativePath }) else {
            throw .badArgument("--worker-item \(relativePath): no such input in this batch")
        }
        var inProcess = c
        inProcess.isolation = nil
        // A worker is one of the parent's --jobs: it gets its share of the CPUs.
        Concurrency.maximumThreads = max(1, threads ?? kernelThreads(jobs: c.jobs))
        return WorkerIsolation.exitStatus(process(item, base: settingsFingerprint(inProcess), configuration: inProcess)).rawValue
    }

    static func recordFailure(_ reason: String, rel: String, input: String, settings: String, out: String) -> Status {
        try? FileManager.default.removeItem(atPath: "\(out)/\(Layout.json(rel))")
        try? AtomicFile.write(text: "\(input)\n\(settings)\n\(reason)\n", to: "\(out)/\(Layout.failure(rel))")
        return .failed(reason)
    }
}

struct ItemError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

extension String {
    /// The message on one line, without a leading `path: `.
    func oneLine(removingPrefix path: String) -> String {
        var s = self
        if s.hasPrefix(path + ": ") { s.removeFirst(path.count + 2) }
        return s.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
}

/// The per-image record: the analysis document plus batch keys.
struct BatchDocument: Encodable {
    let report: AnalysisReport
    let relativePath: String
    let inputHash: String
    let settingsHash: String
    let manifestColumns: [String]

    typealias Key = JSONKey


    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(relativePath, forKey: Key("relative_path"))
        try c.encode(inputHash, forKey: Key("input_hash"))
        try c.encode(settingsHash, forKey: Key("settings_hash"))
        if !manifestColumns.isEmpty { try c.encode(manifestColumns, forKey: Key("manifest_columns")) }
    }
}

/// Shared progress state of the worker threads.
final class RunState: @unchecked Sendable {
    let lock = NSLock()
    let group = DispatchGroup()
    let total: Int
    let terminal: Bool
    let silent: Bool
    let start = Date()
    var nextIndex = 0
    var done = 0
    var analysed = 0
    var skipped = 0

    init(total: Int, style: BatchProgressStyle) {
        self.total = total
        switch style {
        case .automatic: terminal = isatty(2) != 0; silent = false
        case .terminal: terminal = true; silent = false
        case .lines: terminal = false; silent = false
        case .silent: terminal = false; silent = true
        }
    }

    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextIndex < total else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func finished(_ file: String, _ status: BatchRunner.Status, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        let what: String
        switch status {
        case .analysed: analysed += 1; what = "ok"
        case .skipped: skipped += 1; what = "done before, skipped"
        case let .skippedFailure(r): skipped += 1; what = "failed before, skipped: \(r)"
        case let .failed(r): what = "failed: \(r)"
        }
        if silent { return }
        let line: String
        if terminal {
            let elapsed = Date().timeIntervalSince(start)
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let eta = rate > 0 ? Double(total - done) / rate : 0
            line = "\r\u{1B}[K[\(done)/\(total)] \(String(format: "%.1f", rate)) img/s ETA \(Self.duration(eta))  \(file)"
        } else {
            line = "dendrometer: [\(done)/\(total)] \(file): \(what) (\(String(format: "%.1f", seconds)) s)\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func endProgress() {
        if terminal && !silent && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(saturating: s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", t / 60 % 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }
}
