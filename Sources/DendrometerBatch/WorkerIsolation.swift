// A batch survives anything one image does: with isolation, each image is analysed by a
// child process of the same binary (the batch command's own arguments plus `--worker-item
// REL`), under an address-space limit and a time limit. A crash, a runaway allocation or a
// timeout then ends only that child, and becomes that image's failure row:
// - killed by a trap or a segfault: the input made the analysis fail; recorded with the
//   image's hashes, so a resume skips it until the file or the settings change;
// - SIGKILL (the kernel's out-of-memory killer, an operator), SIGABRT under a memory limit
//   (an allocation refused) or the time limit: the environment's doing; recorded without the
//   hashes, so a resume tries again.
// The child writes the image's record (or its failure record) itself and reports what it did
// through its exit status.
import CProcess
import Dendrometer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How (and whether) a batch runs each image in its own process.
public struct WorkerIsolation: Sendable, Equatable {
    /// The `dendrometer` executable to run.
    public var executable: String
    /// The batch command's arguments; the child adds `--worker-item REL`.
    public var arguments: [String]
    /// Longest an image may take, seconds.
    public var timeoutSeconds: Double
    /// Address-space limit of each child, bytes (nil: none).
    public var memoryLimitBytes: UInt64?

    /// Children run `executable arguments… --worker-item REL`.
    public init(executable: String, arguments: [String], timeoutSeconds: Double, memoryLimitBytes: UInt64?) {
        self.executable = executable
        self.arguments = arguments
        self.timeoutSeconds = timeoutSeconds
        self.memoryLimitBytes = memoryLimitBytes
    }

    /// The child's exit status for each outcome (anything else is a failure of the worker).
    public enum ExitStatus: Int32, Sendable {
        case analysed = 0, skipped = 10, skippedFailure = 11, failed = 12
    }

    /// The exit status a child reports for `status`.
    static func exitStatus(_ status: BatchRunner.Status) -> ExitStatus {
        switch status {
        case .analysed: .analysed
        case .skipped: .skipped
        case .skippedFailure: .skippedFailure
        case .failed: .failed
        }
    }

    /// Makes this process (a worker) end when its parent batch ends, even by `kill -9`.
    public static func dieWithParent() { _ = dm_die_with_parent() }

    /// Limits this process's address space to `bytes` (called by the child at its start).
    public static func limitMemory(to bytes: UInt64) {
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        _ = setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
    }
}

extension BatchRunner {
    /// Analyses `item` in a child process (see the file header).
    static func processInWorker(_ item: BatchItem, isolation w: WorkerIsolation, base: String, out: String) -> Status {
        let rel = item.relativePath
        let failurePath = "\(out)/\(Layout.failure(rel))"
        let child = Process()
        child.executableURL = URL(fileURLWithPath: w.executable)
        // Right after the subcommand (before a `--` the user may have given), in the `=` form, as a
        // relative path may start with "-" (a file named -x.tif).
        // The worker's kernel threads: this batch's share per image (as the start line says).
        let workerOptions = ["--worker-item=\(rel)", "--worker-threads=\(Concurrency.maximumThreads)"]
            + (w.memoryLimitBytes.map { ["--worker-memory-limit=\($0)"] } ?? [])
        child.arguments = Array(w.arguments.prefix(1)) + workerOptions + Array(w.arguments.dropFirst())
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        child.standardInput = FileHandle.nullDevice
        do { try child.run() } catch {
            return recordFailure("cannot start the worker process: \(error.localizedDescription)", rel: rel, input: "", settings: retryMarker, out: out)
        }
        let deadline = Date().addingTimeInterval(w.timeoutSeconds)
        var timedOut = false
        while child.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(child.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        child.waitUntilExit()
        if timedOut {
            return recordFailure(String(format: "timed out after %g s (raise it with --timeout)", w.timeoutSeconds),
                                 rel: rel, input: "", settings: retryMarker, out: out)
        }
        let code = child.terminationStatus
        if child.terminationReason == .uncaughtSignal {
            if code == SIGKILL {
                return recordFailure("the analysis was killed (SIGKILL: out of memory, or stopped from outside); a later run tries again",
                                     rel: rel, input: "", settings: retryMarker, out: out)
            }
            if code == SIGABRT, let limit = w.memoryLimitBytes {
                // An allocation refused under the limit aborts: the limit's doing, so a later run
                // (perhaps with a higher limit) tries again.
                return recordFailure(String(format: "the analysis stopped (SIGABRT), most likely at the memory limit of %.1f GB; raise it with --memory-limit", Double(limit) / 1e9),
                                     rel: rel, input: "", settings: retryMarker, out: out)
            }
            let memory = w.memoryLimitBytes.map { String(format: " (memory limit %.1f GB)", Double($0) / 1e9) } ?? ""
            // The input is at fault: its hashes are kept, so a resume skips it until the file or the
            // settings change.
            let h = try? hashes(of: item, base: base)
            return recordFailure("the analysis crashed (signal \(code))\(memory); please report this file", rel: rel,
                                 input: h?.input ?? "", settings: h?.settings ?? retryMarker, out: out)
        }
        switch WorkerIsolation.ExitStatus(rawValue: code) {
        case .analysed: return .analysed
        case .skipped: return .skipped
        case .skippedFailure, .failed:
            let reason = (FileManager.default.contents(atPath: failurePath).map { String(decoding: $0, as: UTF8.self) } ?? "")
                .split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).first.map(String.init) ?? "failed"
            return code == WorkerIsolation.ExitStatus.failed.rawValue ? .failed(reason) : .skippedFailure(reason)
        case nil:
            return recordFailure("the worker process ended with status \(code)", rel: rel, input: "", settings: retryMarker, out: out)
        }
    }
}
