import CPNG
import DendrometerCore

/// How hard the PNG encoder works: lossless either way.
public enum PNGCompression: Sendable {
    /// zlib level 6 with libpng's adaptive row filters: small files, slow
    /// (≈ 15 MB/s of pixels); for data images.
    case small
    /// zlib level 1 with the Up row filter, 8-bit gray and RGB compressed on
    /// all cores in runs of rows (``ParallelPNGEncoder``): files ≈ 6 % larger,
    /// ≈ 15× faster; for large overlays written once per analysis.
    case fast

    var zlibLevel: Int { self == .small ? 6 : 1 }
    var filters: Int32 { self == .small ? Int32(PNG_FILTER_NONE | PNG_FILTER_SUB | PNG_FILTER_UP | PNG_FILTER_AVG | PNG_FILTER_PAETH) : Int32(PNG_FILTER_UP) }
}

/// Writes PNG files (8/16-bit gray, 8-bit RGB), atomically.
public enum PNGWriter {
    /// Writes an 8-bit gray image.
    public static func write(_ image: Image<UInt8>, to path: String) throws(ImageIOError) {
        let bytes = try image.pixels.withBytes { (raw) throws(ImageIOError) in
            try PNGCodec.encode(samples: raw, width: image.width, height: image.height, channels: 1, bitDepth: 8, path: path)
        }
        try AtomicFile.write(bytes, to: path)
    }

    /// Writes a 16-bit gray image, values unchanged.
    public static func write(_ image: Image<UInt16>, to path: String) throws(ImageIOError) {
        let bytes = try image.pixels.withBytes { (raw) throws(ImageIOError) in
            try PNGCodec.encode(samples: raw, width: image.width, height: image.height, channels: 1, bitDepth: 16, path: path)
        }
        try AtomicFile.write(bytes, to: path)
    }

    /// Writes interleaved 8-bit RGB (`rgb.count == 3 × width × height`).
    public static func writeRGB(_ rgb: [UInt8], width: Int, height: Int, compression: PNGCompression = .small,
                                to path: String) throws(ImageIOError) {
        if compression == .fast {
            guard width > 0, height > 0, rgb.count == 3 * width * height else {
                throw ImageIOError(.writeFailed("expected \(3 * width * height) RGB bytes for \(width)×\(height), got \(rgb.count)"), path: path)
            }
            // Streamed to the file: the encoded bytes are never held whole.
            return try rgb.withBytes { (raw) throws(ImageIOError) in
                try ParallelPNGEncoder.write(raw, width: width, height: height, channels: 3,
                                             level: Int32(PNGCompression.fast.zlibLevel), to: path)
            }
        }
        let bytes = try encodeRGB(rgb, width: width, height: height, compression: compression, path: path)
        try AtomicFile.write(bytes, to: path)
    }

    /// Writes 8-bit indexed colour: one palette index per pixel (`indices.count == width × height`)
    /// and the palette as RGB triples (1–256 entries), compressed on all cores at
    /// ``PNGCompression/fast``'s level, rows unfiltered and runs of one index matched
    /// (``ParallelPNGEncoder``). Every index must name a palette entry.
    public static func writeIndexed(_ indices: [UInt8], palette: [UInt8], width: Int, height: Int,
                                    to path: String) throws(ImageIOError) {
        let entries = palette.count / 3
        guard width > 0, height > 0, indices.count == width * height else {
            throw ImageIOError(.writeFailed("expected \(width * height) palette indices for \(width)×\(height), got \(indices.count)"), path: path)
        }
        guard palette.count % 3 == 0, (1 ... 256).contains(entries) else {
            throw ImageIOError(.writeFailed("a palette has 1 to 256 RGB entries, got \(palette.count) bytes"), path: path)
        }
        if entries < 256, let bad = indices.first(where: { Int($0) >= entries }) {
            throw ImageIOError(.writeFailed("palette index \(bad) but only \(entries) entries"), path: path)
        }
        try indices.withBytes { (raw) throws(ImageIOError) in
            try ParallelPNGEncoder.write(raw, width: width, height: height, channels: 1,
                                         level: Int32(PNGCompression.fast.zlibLevel), palette: palette, to: path)
        }
    }

    /// PNG bytes of interleaved 8-bit RGB, e.g. for embedding in HTML.
    public static func encodeRGB(_ rgb: [UInt8], width: Int, height: Int, compression: PNGCompression = .small,
                                 path: String = "<memory>") throws(ImageIOError) -> [UInt8] {
        guard width > 0, height > 0, rgb.count == 3 * width * height else {
            throw ImageIOError(.writeFailed("expected \(3 * width * height) RGB bytes for \(width)×\(height), got \(rgb.count)"), path: path)
        }
        return try rgb.withBytes { (raw) throws(ImageIOError) in
            try PNGCodec.encode(samples: raw, width: width, height: height, channels: 3, bitDepth: 8,
                                compression: compression, path: path)
        }
    }
}

/// Reads PNG files keeping their colour (for thumbnails of overlays); the
/// analysis itself reads gray through ``ImageFile/read(_:options:)``.
public enum PNGReader {
    /// Interleaved 8-bit RGB of the PNG at `path` (gray replicated, alpha dropped, 16-bit scaled to 8).
    public static func readRGB(_ path: String, options: ReadOptions = ReadOptions()) throws(ImageIOError) -> (rgb: [UInt8], width: Int, height: Int) {
        let head = try FileBytes.head(of: path, count: 8)
        guard ImageFormatSniffer.format(of: head) == .png else {
            throw ImageIOError(.unsupported("colour reading is for PNG files only"), path: path)
        }
        return try PNGCodec.readRGB(data: try FileBytes.all(of: path), path: path, options: options)
    }
}
