// FNV-1a 64-bit hash (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/):
// stable across runs, platforms and processes, unlike Swift's seeded `Hasher`.
import Foundation

/// FNV-1a 64-bit: content hashes for resume and stable shard assignment.
public struct FNV1a64: Sendable {
    /// The running hash.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// A fresh hash.
    public init() {}

    /// Mixes `bytes` in.
    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    /// Mixes the UTF-8 bytes of `text` in.
    public mutating func combine(_ text: String) {
        var t = text
        t.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
    }

    /// The hash as 16 lower-case hex digits.
    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// Hash of a string. Example: `FNV1a64.hash("")` = `cbf29ce484222325`, `FNV1a64.hash("a")` = `af63dc4c8601ec8c`.
    public static func hash(_ text: String) -> String {
        var h = FNV1a64(); h.combine(text); return h.hex
    }

    /// Hash of a file's bytes, read in 1 MiB chunks (memory bounded).
    /// - Throws: ``BatchError/unreadable(_:_:)``.
    public static func hash(fileAt path: String) throws(BatchError) -> String {
        // Opening a named pipe blocks and a device never ends: only regular files are hashed.
        if let kind = BatchInputs.specialFileKind(path) { throw .unreadable(path, "\(kind), not a regular file; skipped") }
        guard let fh = FileHandle(forReadingAtPath: path) else { throw .unreadable(path, "cannot open the file") }
        defer { try? fh.close() }
        var h = FNV1a64()
        while true {
            let chunk: Data
            do { chunk = try fh.read(upToCount: 1 << 20) ?? Data() } catch { throw .unreadable(path, error.localizedDescription) }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { h.combine($0) }
        }
        return h.hex
    }
}
