/// Why an image file could not be read or written. Every case names the file;
/// `description` is the one line a user sees after `dendrometer: `.
public struct ImageIOError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, independent of the file.
    public enum Kind: Equatable, Sendable {
        /// No file at the path.
        case notFound
        /// The path is a directory.
        case isDirectory
        /// The file exists but holds no bytes.
        case empty
        /// The operating system refused to read or write it.
        case unreadable(String)
        /// The content is not TIFF, PNG or BMP.
        case unrecognizedFormat(String)
        /// The file is damaged or cut short; the decoder's own words.
        case corrupt(String)
        /// Dimensions beyond the configured pixel cap, or absurd.
        case tooLarge(width: Int, height: Int, limit: Int)
        /// A valid file using a layout Dendrometer does not handle.
        case unsupported(String)
        /// The requested page does not exist.
        case pageOutOfRange(requested: Int, available: Int)
        /// Writing failed.
        case writeFailed(String)
    }

    /// The file concerned, as the user named it.
    public var path: String
    /// What went wrong.
    public var kind: Kind

    /// An error about `path`.
    public init(_ kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }

    /// The reason alone, without the file name.
    public var reason: String {
        switch kind {
        case .notFound: "no such file"
        case .isDirectory: "is a directory, expected an image file"
        case .empty: "file is empty (0 bytes)"
        case .unreadable(let why): "cannot read file: \(why)"
        case .unrecognizedFormat(let magic): "not a TIFF, PNG or BMP image (file starts with \(magic))"
        case .corrupt(let why): "corrupt or truncated image: \(why)"
        case .tooLarge(let w, let h, let limit):
            "image is \(w)×\(h) = \(w * h) pixels, above the limit of \(limit) pixels (raise it with --max-pixels)"
        case .unsupported(let what): "unsupported image layout: \(what)"
        case .pageOutOfRange(let p, let n): "page \(p) requested, but the file has \(n) page\(n == 1 ? "" : "s") (0-based)"
        case .writeFailed(let why): "cannot write: \(why)"
        }
    }

    /// `FILE: reason`, the line printed by the command-line tool.
    public var description: String { "\(path): \(reason)" }
}

extension Array {
    /// `withUnsafeBytes` with a typed error (the standard one rethrows `any Error`).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ImageIOError) -> R) throws(ImageIOError) -> R {
        try withUnsafeBufferPointer { (buffer) throws(ImageIOError) in try body(UnsafeRawBufferPointer(buffer)) }
    }
}
