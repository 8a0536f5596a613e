// Scratch files and folders for tests, removed when the test process exits.
//
// Tests write images, tables and reports to the system's temporary directory. Each
// test names its own fresh folder (a UUID in the name), so tests running in parallel
// never share one; every path handed out is remembered and removed, with its
// contents, when the process exits — a test run leaves nothing behind in /tmp, also
// when a test fails half-way.
import Foundation

/// Fresh temporary folders and file paths that are removed when the test process exits.
public enum Scratch {
    /// A fresh, empty folder `<tmp>/<prefix>-<UUID>`, created now and removed at exit.
    ///
    /// ```swift
    /// let dir = Scratch.directory("dm-io")   // "/tmp/dm-io-6F1C…"
    /// ```
    public static func directory(_ prefix: String) -> String {
        let path = Scratch.path(prefix)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A path `<tmp>/<prefix>-<UUID><suffix>` for a file the test writes; removed at exit.
    ///
    /// ```swift
    /// let zip = Scratch.file("dm-rois", suffix: ".zip")
    /// ```
    public static func file(_ prefix: String, suffix: String = "") -> String {
        Scratch.path(prefix, suffix: suffix)
    }

    private static func path(_ prefix: String, suffix: String = "") -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)").path
        registry.add(path)
        return path
    }

    private static let registry = Registry()

    /// The paths handed out, removed by an `atexit` handler installed with the first one.
    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: [String] = []
        private var installed = false

        func add(_ path: String) {
            lock.lock()
            defer { lock.unlock() }
            paths.append(path)
            if !installed {
                installed = true
                atexit { Scratch.registry.removeAll() }
            }
        }

        func removeAll() {
            lock.lock()
            let all = paths
            paths = []
            lock.unlock()
            for path in all { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
