// The record of a sharded run (`batch --run FILE`): the shard count and every input's relative
// path, written once, when the first task of the run starts. Later tasks (and resubmissions of
// any subset of them) take the shard count from it, and `merge --run FILE` compares what the
// shards hold against it, so an incomplete run is never published as complete.
import Dendrometer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a sharded run covers: fixed when its first task starts.
public struct BatchRun: Sendable, Equatable {
    /// Number of shards the inputs are split into (≥ 1).
    public var shards: Int
    /// Relative paths of every input of the run (the keys of `json/<path>.json`), sorted by bytes.
    public var inputs: [String]

    /// The first line of a run record (its format).
    public static let formatLine = "dendrometer run 1"

    /// A run of `shards` shards over `inputs` (sorted here).
    public init(shards: Int, inputs: [String]) {
        self.shards = shards
        self.inputs = inputs.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The record's text: `dendrometer run 1`, `shards N`, `inputs M`, then one relative path per
    /// line (a path with a line break cannot be recorded; ``establish(_:at:)`` refuses it).
    /// Line-based so a job script can read the shard count with `sed -n 's/^shards //p'`.
    public var text: String {
        ([Self.formatLine, "shards \(shards)", "inputs \(inputs.count)"] + inputs).joined(separator: "\n") + "\n"
    }

    /// Parses a record's text.
    /// - Throws: ``BatchError/badRecord(_:_:)`` naming `path` and what was expected.
    public static func parse(_ text: String, path: String) throws(BatchError) -> BatchRun {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count >= 3, lines[0] == formatLine else {
            throw .badRecord(path, "expected a run record starting with '\(formatLine)', got '\(lines.first ?? "")'")
        }
        guard lines[1].hasPrefix("shards "), let n = Int(lines[1].dropFirst(7)), n >= 1 else {
            throw .badRecord(path, "expected 'shards N' with N ≥ 1 on line 2, got '\(lines[1])'")
        }
        guard lines[2].hasPrefix("inputs "), let m = Int(lines[2].dropFirst(7)), m == lines.count - 3 else {
            throw .badRecord(path, "expected 'inputs M' on line 3 followed by M paths, got '\(lines[2])' and \(lines.count - 3) paths (a record cut short?)")
        }
        return BatchRun(shards: n, inputs: Array(lines.dropFirst(3)))
    }

    /// Reads the record at `path`.
    public static func read(_ path: String) throws(BatchError) -> BatchRun {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path, "no run record there") }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// The run recorded at `path`, writing `proposed` there first when there is none yet.
    /// Exclusive: the record is written to a temporary file and hard-linked into place, so when
    /// several tasks start at once exactly one record wins and all of them read it.
    /// - Throws: ``BatchError/badArgument(_:)`` when `proposed` differs from the recorded run
    ///   (another shard count, or inputs added or gone since the run started).
    public static func establish(_ proposed: BatchRun, at path: String) throws(BatchError) -> BatchRun {
        if let bad = proposed.inputs.first(where: { $0.contains("\n") || $0.contains("\r") }) {
            throw .badArgument("\(bad): a file name with a line break cannot be part of a recorded run; rename it")
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            do throws(OutputFolderError) { try OutputFolder.create(dir) } catch {
                throw .writeFailed(dir, error.reason)
            }
        }
        if !FileManager.default.fileExists(atPath: path) {
            let temp = "\(path).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
            guard FileManager.default.createFile(atPath: temp, contents: Data(proposed.text.utf8)) else {
                throw .writeFailed(path, "cannot create \(temp)")
            }
            let linked = link(temp, path) == 0
            let why = errno
            unlink(temp)
            if !linked && why != EEXIST { throw .writeFailed(path, String(cString: strerror(why))) }
        }
        let recorded = try read(path)
        guard recorded.shards == proposed.shards else {
            throw .badArgument("\(path): this run was started with \(recorded.shards) shards, got --shard …/\(proposed.shards); "
                + "give --shard I/\(recorded.shards) (the job script reads it from the record), or use a new output folder")
        }
        if recorded.inputs != proposed.inputs {
            let was = Set(recorded.inputs), now = Set(proposed.inputs)
            let added = proposed.inputs.filter { !was.contains($0) }, gone = recorded.inputs.filter { !now.contains($0) }
            let example = (added.first.map { "new: \($0)" } ?? gone.first.map { "gone: \($0)" }) ?? ""
            throw .badArgument("\(path): the inputs changed since this run started (\(added.count) new, \(gone.count) gone; \(example)); "
                + "finish it with the same inputs, or start a new output folder")
        }
        return recorded
    }
}
