import DendrometerCore
import Foundation

/// An image read from disk: its pixels (one gray channel) and what the file
/// said about itself.
public struct LoadedImage: Sendable {
    /// The pixels of the chosen page, reduced to one gray channel.
    public var image: AnyImage
    /// Format, layout, raw metadata tags and sidecars, for calibration.
    public var metadata: SourceMetadata
}

/// Entry points for reading images of any supported format.
///
/// The format is recognised from the content (TIFF/BigTIFF, PNG, BMP), never
/// from the extension. Every failure is an ``ImageIOError`` naming the file;
/// nothing is printed and nothing aborts.
public enum ImageFile {
    /// Reads page `options.page` of the image at `path`, plus sidecar metadata.
    ///
    /// ```swift
    /// let loaded = try ImageFile.read("cell3_bse.tif")
    /// loaded.image.width          // 1536
    /// loaded.metadata.textTags[34682]  // FEI INI text, if any
    /// ```
    public static func read(_ path: String, options: ReadOptions = ReadOptions()) throws(ImageIOError) -> LoadedImage {
        let (image, meta) = try load(path, options: options, decodePixels: true)
        return LoadedImage(image: image!, metadata: meta)
    }

    /// Reads only the header and metadata (no pixel decoding for TIFF), for `inspect`.
    public static func readMetadata(_ path: String, options: ReadOptions = ReadOptions()) throws(ImageIOError) -> SourceMetadata {
        try load(path, options: options, decodePixels: false).1
    }

    private static func load(_ path: String, options: ReadOptions, decodePixels: Bool) throws(ImageIOError) -> (AnyImage?, SourceMetadata) {
        let head = try FileBytes.head(of: path, count: 8)
        guard let format = ImageFormatSniffer.format(of: head) else {
            throw ImageIOError(.unrecognizedFormat(ImageFormatSniffer.describe(head)), path: path)
        }
        var image: AnyImage?
        var meta: SourceMetadata
        switch format {
        case .tiff, .bigtiff:
            (image, meta) = try TIFFReader.read(path: path, options: options, format: format, decodePixels: decodePixels)
        case .png:
            try requireFirstPage(options, path: path)
            let data = try FileBytes.all(of: path)
            (image, meta) = try PNGCodec.read(data: data, path: path, options: options)
        case .bmp:
            try requireFirstPage(options, path: path)
            let data = try FileBytes.all(of: path)
            (image, meta) = try BMPReader.read(data: data, path: path, options: options)
        }
        if options.readSidecars { meta.sidecars = Sidecars.find(for: path) }
        return (image, meta)
    }

    private static func requireFirstPage(_ options: ReadOptions, path: String) throws(ImageIOError) {
        if options.page != 0 { throw ImageIOError(.pageOutOfRange(requested: options.page, available: 1), path: path) }
    }
}

/// Metadata sidecars written by microscopes next to the image.
enum Sidecars {
    /// Largest sidecar read, in bytes; larger files are not metadata.
    static let maximumBytes = 1 << 20

    /// `<stem>.txt` (JEOL, Hitachi) and `<stem>.hdr` (TESCAN) beside `path`,
    /// keyed by lower-case extension, decoded as Latin-1.
    static func find(for path: String) -> [String: String] {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension()
        var found: [String: String] = [:]
        for ext in ["txt", "hdr"] {
            for candidate in [stem.appendingPathExtension(ext), stem.appendingPathExtension(ext.uppercased())] {
                guard candidate.path != url.path,
                      let attrs = try? FileManager.default.attributesOfItem(atPath: candidate.path),
                      (attrs[.type] as? FileAttributeType) == .typeRegular,
                      let size = attrs[.size] as? Int, size <= maximumBytes,
                      let data = FileManager.default.contents(atPath: candidate.path) else { continue }
                found[ext] = String(data.map { Character(Unicode.Scalar($0)) })
                break
            }
        }
        return found
    }
}

/// Small helpers that turn file-system failures into ``ImageIOError``s.
enum FileBytes {
    /// Checks that `path` is a readable, non-empty regular file and returns its first bytes.
    static func head(of path: String, count: Int) throws(ImageIOError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageIOError(.notFound, path: path)
        }
        if isDirectory.boolValue { throw ImageIOError(.isDirectory, path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImageIOError(.unreadable("permission denied or not a regular file"), path: path)
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: count) ?? Data() } catch {
            throw ImageIOError(.unreadable(error.localizedDescription), path: path)
        }
        if data.isEmpty { throw ImageIOError(.empty, path: path) }
        return [UInt8](data)
    }

    /// The whole file.
    static func all(of path: String) throws(ImageIOError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageIOError(.unreadable("could not read the file"), path: path)
        }
        return [UInt8](data)
    }
}
