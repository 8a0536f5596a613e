/// What can stop a batch as a whole (a bad image never does: it becomes a failure row).
public enum BatchError: Error, Equatable, CustomStringConvertible {
    /// An input path, folder or glob that matched nothing.
    case noSuchInput(String)
    /// The manifest could not be used.
    case badManifest(String)
    /// A file could not be read.
    case unreadable(String, String)
    /// A per-image record in the output folder is damaged.
    case badRecord(String, String)
    /// An output could not be written.
    case writeFailed(String, String)
    /// `--shard I/N` or `--jobs` out of range.
    case badArgument(String)
    /// The inputs named no image at all.
    case noImages

    public var description: String {
        switch self {
        case let .noSuchInput(p): return "\(p): no such file or folder, and no file matches it"
        case let .badManifest(why): return "manifest: \(why)"
        case let .unreadable(p, why): return "\(p): cannot read: \(why)"
        case let .badRecord(p, why): return "\(p): \(why)"
        case let .writeFailed(p, why): return "\(p): cannot write: \(why)"
        case let .badArgument(why): return why
        case .noImages: return "found no image in the inputs (folders are searched recursively for .tif, .tiff, .png and .bmp files)"
        }
    }
}

/// A deterministic slice of the inputs: shard `index` of `count` (1-based).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based shard number, 1…count.
    public var index: Int
    /// Number of shards.
    public var count: Int

    /// Shard `index` of `count`.
    public init(index: Int, count: Int) throws(BatchError) {
        guard count >= 1, (1 ... count).contains(index) else {
            throw .badArgument("--shard expects I/N with 1 ≤ I ≤ N, got \(index)/\(count)")
        }
        self.index = index; self.count = count
    }

    /// Parses `I/N`, e.g. `2/8`.
    public init(parsing text: String) throws(BatchError) {
        let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1] else {
            throw .badArgument("--shard expects I/N (e.g. 2/8), got '\(text)'")
        }
        try self.init(index: i, count: n)
    }

    /// Whether the image with relative path `relativePath` belongs to this shard:
    /// FNV-1a 64 of the path's UTF-8 bytes mod `count` equals `index − 1`.
    public func contains(_ relativePath: String) -> Bool {
        var h = FNV1a64(); h.combine(relativePath)
        return Int(h.value % UInt64(count)) == index - 1
    }

    public var description: String { "\(index)/\(count)" }
}

import Foundation
