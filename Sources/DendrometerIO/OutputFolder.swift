// Output folders, created with a reason a scientist can act on when that fails.
//
// Foundation reports a failed `createDirectory` as "The operation could not be
// completed. (NSCocoaErrorDomain error 512.)" when a file stands where a folder
// is needed. The reason is found by looking at the path itself: the nearest part
// of it that exists is a file, or a folder this process may not write in.
import Foundation

/// Creates output folders, and says why one cannot be made.
public enum OutputFolder {
    /// Creates `path` and any missing parent folders (nothing to do when it exists), and checks
    /// that files can be written in it.
    ///
    /// - Throws: a reason naming the part of the path that is in the way, e.g.
    ///   "out/run1: /data/out is a file, not a folder" or
    ///   "/data/out: no permission to write in /data".
    public static func create(_ path: String) throws(OutputFolderError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw OutputFolderError(path: path, reason: reason(creating: path, fallback: error.localizedDescription))
        }
        if access(path, W_OK) != 0 { throw OutputFolderError(path: path, reason: "no permission to write in \(path)") }
    }

    /// Why `path` cannot be created as a folder: the nearest existing part of the path is a file,
    /// or a folder without write permission; else `fallback` (the system's message).
    ///
    /// ```swift
    /// // "/tmp/x" is a file:  reason(creating: "/tmp/x/out", …) == "/tmp/x is a file, not a folder"
    /// ```
    public static func reason(creating path: String, fallback: String) -> String {
        var probe = URL(fileURLWithPath: path).standardizedFileURL
        while true {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: probe.path, isDirectory: &isFolder) {
                if !isFolder.boolValue { return "\(probe.path) is a file, not a folder" }
                if access(probe.path, W_OK) != 0 { return "no permission to write in \(probe.path)" }
                return fallback
            }
            let parent = probe.deletingLastPathComponent()
            if parent.path == probe.path { return fallback }
            probe = parent
        }
    }
}

/// An output folder that could not be created or written: `PATH: reason`.
public struct OutputFolderError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The folder asked for.
    public var path: String
    /// What stands in the way.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
