import Foundation

/// Writes files so that readers (and a re-run after a crash) never see a
/// half-written file: data goes to a temporary file in the same directory,
/// which is then renamed over the destination.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating parent directories.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(ImageIOError) {
        try write(to: path) { (temp) throws(ImageIOError) in
            guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else {
                throw ImageIOError(.writeFailed(OutputFolder.reason(creating: (temp as NSString).deletingLastPathComponent,
                                                                    fallback: "cannot create \(temp)")), path: path)
            }
        }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(text: String, to path: String) throws(ImageIOError) {
        try write(Array(text.utf8), to: path)
    }

    /// Calls `produce` with a temporary path in the destination's directory,
    /// then renames the temporary file to `path`. The temporary file is removed
    /// if `produce` fails.
    public static func write(to path: String, _ produce: (String) throws(ImageIOError) -> Void) throws(ImageIOError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do throws(OutputFolderError) { try OutputFolder.create(dir.path) } catch {
            throw ImageIOError(.writeFailed("cannot create directory \(dir.path): \(error.reason)"), path: path)
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent)\(temporaryMarker)\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        do {
            try produce(temp)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
        if rename(temp, path) != 0 {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temp)
            throw ImageIOError(.writeFailed("cannot rename temporary file: \(why)"), path: path)
        }
    }

    /// What temporary names carry between the destination's name and the writer's pid:
    /// `.NAME.tmp-PID-RANDOM`.
    static let temporaryMarker = ".tmp-"

    /// Removes, anywhere under `directory`, the temporary files of writers that no longer run
    /// (a process killed between writing and renaming, e.g. by `kill -9`); a running writer's
    /// files are left alone. Returns how many were removed. Symbolic links are not followed.
    @discardableResult
    public static func removeStaleTemporaries(under directory: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var removed = 0
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard name.hasPrefix("."), let marker = name.range(of: temporaryMarker, options: .backwards) else { continue }
            let tail = name[marker.upperBound...].split(separator: "-")
            guard tail.count == 2, let pid = Int32(tail[0]), UInt32(tail[1]) != nil else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: directory + "/" + relative)) != nil { removed += 1 }
        }
        return removed
    }
}

/// A file written piece by piece and published atomically: the pieces go to a temporary file
/// beside `path` (named as ``AtomicFile``'s, so a dead writer's leftovers are cleaned the same way),
/// which ``commit()`` renames over `path`; ``discard()`` removes it. For tables too large to
/// build in memory (a merge of thousands of images). Writes are buffered (1 MiB).
public final class StreamedFile {
    /// The destination.
    public let path: String
    let temporary: String
    let handle: FileHandle
    var buffer: [UInt8] = []
    /// Bytes buffered before a write to the file.
    static let bufferBytes = 1 << 20

    /// Creates the temporary file (and the destination's directory).
    public init(path: String) throws(ImageIOError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do throws(OutputFolderError) { try OutputFolder.create(dir.path) } catch {
            throw ImageIOError(.writeFailed("cannot create directory \(dir.path): \(error.reason)"), path: path)
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent)\(AtomicFile.temporaryMarker)\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        guard FileManager.default.createFile(atPath: temp, contents: nil), let handle = FileHandle(forWritingAtPath: temp) else {
            throw ImageIOError(.writeFailed(OutputFolder.reason(creating: dir.path, fallback: "cannot create \(temp)")), path: path)
        }
        self.path = path; self.temporary = temp; self.handle = handle
    }

    /// Appends UTF-8 `text`.
    public func write(_ text: String) throws(ImageIOError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferBytes { try flush() }
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ImageIOError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferBytes { try flush() }
    }

    func flush() throws(ImageIOError) {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: Data(buffer)) } catch {
            throw ImageIOError(.writeFailed("\(error.localizedDescription)"), path: path)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, closes the file and renames it over `path`.
    public func commit() throws(ImageIOError) {
        try flush()
        try? handle.close()
        if rename(temporary, path) != 0 {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ImageIOError(.writeFailed("cannot rename temporary file: \(why)"), path: path)
        }
    }

    /// Closes and removes the temporary file; `path` is left as it was.
    public func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
    }
}
