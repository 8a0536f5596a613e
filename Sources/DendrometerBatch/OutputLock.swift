// One batch per output folder: a lock file `<out>/.dendrometer-<name>.lock` holding the
// owner's pid and host, created exclusively (O_CREAT | O_EXCL). A second batch on the same
// folder refuses with one line naming the owner; a lock left by a process that no longer
// runs on this host is taken over. Shards of one array job use one lock each, so they may
// share a folder.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A held output-folder lock; ``release()`` removes it.
struct OutputLock {
    let path: String

    /// This machine's host name.
    static var host: String { ProcessInfo.processInfo.hostName }

    /// Takes the lock `name` in `directory`.
    ///
    /// - Throws: ``BatchError/badArgument(_:)`` when a live process (or one on another host,
    ///   whose liveness cannot be checked) holds it.
    static func acquire(directory: String, name: String) throws(BatchError) -> OutputLock {
        let path = "\(directory)/.dendrometer-\(name).lock"
        let me = "\(getpid()) \(host)\n"
        for _ in 0 ..< 2 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 {
                _ = me.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                return OutputLock(path: path)
            }
            guard errno == EEXIST else { throw .writeFailed(path, String(cString: strerror(errno))) }
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let parts = text.split(whereSeparator: \.isWhitespace)
            let pid = parts.first.flatMap { Int32($0) }
            let owner = parts.count > 1 ? String(parts[1]) : "?"
            // Stale: written by this host, and that process is gone (or the file is unreadable junk).
            let stale = pid == nil || (owner == host && kill(pid!, 0) != 0 && errno == ESRCH)
            guard stale else {
                throw .badArgument("\(directory): another batch (pid \(pid.map(String.init) ?? "?") on \(owner)) is writing here; wait for it, or remove \(path) if it is not running")
            }
            unlink(path)
        }
        throw .writeFailed(path, "the lock file keeps reappearing")
    }

    /// Removes the lock file.
    func release() { unlink(path) }
}
