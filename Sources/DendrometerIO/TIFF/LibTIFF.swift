// The only file that talks to libtiff. Everything else in DendrometerIO sees
// Swift names: `TIFFHandle` (a scoped, non-copyable handle with per-handle
// diagnostics) and a few typed field accessors.

import CTIFF

/// An open libtiff handle whose errors and warnings are captured per handle.
/// Closed exactly once when the value goes out of scope.
struct TIFFHandle: ~Copyable {
    let raw: OpaquePointer
    /// Heap storage for the C diagnostics struct: libtiff keeps a pointer to it.
    private let diagnostics: UnsafeMutablePointer<dm_tiff_diagnostics>
    let path: String

    /// Opens `path` in libtiff `mode` ("r", "w", "w8" for BigTIFF, "wb"/"wl" for byte order).
    /// - Throws: ``ImageIOError`` with libtiff's first error message.
    init(path: String, mode: String, maxSingleAllocation: Int) throws(ImageIOError) {
        TIFFHandle.silenceGlobalHandlers
        let diag = UnsafeMutablePointer<dm_tiff_diagnostics>.allocate(capacity: 1)
        diag.initialize(to: dm_tiff_diagnostics())
        guard let tif = dm_tiff_open(path, mode, diag, tmsize_t(maxSingleAllocation)) else {
            let message = TIFFHandle.firstError(diag) ?? "libtiff could not open the file"
            diag.deallocate()
            throw ImageIOError(mode.hasPrefix("r") ? .corrupt(message) : .writeFailed(message), path: path)
        }
        self.raw = tif
        self.diagnostics = diag
        self.path = path
    }

    deinit {
        TIFFClose(raw)
        diagnostics.deallocate()
    }

    /// Libtiff's process-wide handlers print to stderr; silence them once.
    private static let silenceGlobalHandlers: Void = { dm_tiff_silence_global_handlers() }()

    private static func firstError(_ d: UnsafeMutablePointer<dm_tiff_diagnostics>) -> String? {
        guard d.pointee.error_count > 0 else { return nil }
        return withUnsafeBytes(of: d.pointee.first_error) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }

    /// Number of errors libtiff reported on this handle so far.
    var errorCount: Int { Int(diagnostics.pointee.error_count) }
    /// Number of warnings libtiff reported on this handle so far.
    var warningCount: Int { Int(diagnostics.pointee.warning_count) }
    /// libtiff's first error message on this handle.
    var firstError: String? { TIFFHandle.firstError(diagnostics) }
    /// libtiff's most recent warning message on this handle.
    var lastWarning: String? {
        guard diagnostics.pointee.warning_count > 0 else { return nil }
        return withUnsafeBytes(of: diagnostics.pointee.last_warning) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }
    /// Forgets errors reported so far (used while probing the page chain).
    func resetErrors(to count: Int, message: String?) {
        diagnostics.pointee.error_count = Int32(count)
        if count == 0 { diagnostics.pointee.first_error.0 = 0 }
    }

    // MARK: Directories

    /// Counts top-level directories, stopping at `limit` or at the first broken link
    /// (libtiff detects IFD loops). Leaves the handle on directory 0.
    func countDirectories(limit: Int) -> Int {
        let errorsBefore = errorCount
        var n = 1
        // A directory whose offset was already visited closes a loop: stop there
        // (libtiff's own loop check can admit one repeated directory).
        var seen: Set<UInt64> = [TIFFCurrentDirOffset(raw)]
        while n < limit && TIFFReadDirectory(raw) == 1 && seen.insert(TIFFCurrentDirOffset(raw)).inserted { n += 1 }
        resetErrors(to: errorsBefore, message: nil)
        _ = TIFFSetDirectory(raw, 0)
        resetErrors(to: errorsBefore, message: nil)
        return n
    }

    /// Makes directory `index` current; false if it cannot be read.
    func setDirectory(_ index: Int) -> Bool { TIFFSetDirectory(raw, tdir_t(index)) == 1 }

    // MARK: Fields

    func u32(_ tag: UInt32) -> UInt32? {
        var v: UInt32 = 0
        return dm_tiff_get_u32(raw, tag, &v) == 1 ? v : nil
    }
    func u16(_ tag: UInt32) -> UInt16? {
        var v: UInt16 = 0
        return dm_tiff_get_u16(raw, tag, &v) == 1 ? v : nil
    }
    func u16Defaulted(_ tag: UInt32) -> UInt16? {
        var v: UInt16 = 0
        return dm_tiff_get_u16_defaulted(raw, tag, &v) == 1 ? v : nil
    }
    func float(_ tag: UInt32) -> Float? {
        var v: Float = 0
        return dm_tiff_get_float(raw, tag, &v) == 1 ? v : nil
    }
    /// Raw bytes of a metadata tag (ASCII, BYTE, UNDEFINED...), if present.
    func bytes(_ tag: UInt32) -> [UInt8]? {
        var count: UInt32 = 0
        var data: UnsafeRawPointer?
        guard dm_tiff_get_raw_bytes(raw, tag, &count, &data) == 1, let data else { return nil }
        return Array(UnsafeRawBufferPointer(start: data, count: Int(count)))
    }
    /// The colour map as three arrays of `entries` 16-bit values.
    func colorMap(entries: Int) -> (r: [UInt16], g: [UInt16], b: [UInt16])? {
        var r: UnsafePointer<UInt16>?, g: UnsafePointer<UInt16>?, b: UnsafePointer<UInt16>?
        guard dm_tiff_get_colormap(raw, &r, &g, &b) == 1, let r, let g, let b else { return nil }
        return (Array(UnsafeBufferPointer(start: r, count: entries)),
                Array(UnsafeBufferPointer(start: g, count: entries)),
                Array(UnsafeBufferPointer(start: b, count: entries)))
    }
    /// Number of extra samples (alpha or unspecified) per pixel.
    var extraSampleCount: Int {
        var n: UInt16 = 0
        var kinds: UnsafePointer<UInt16>?
        return dm_tiff_get_extrasamples(raw, &n, &kinds) == 1 ? Int(n) : 0
    }
    var isTiled: Bool { TIFFIsTiled(raw) != 0 }
    var isBigTIFF: Bool { TIFFIsBigTIFF(raw) != 0 }
    /// Asks the JPEG codec to deliver RGB instead of YCbCr.
    func requestRGBFromJPEG() { _ = dm_tiff_set_colormode_rgb(raw) }

    // MARK: Strips and tiles

    var stripSize: Int { Int(TIFFStripSize64(raw)) }
    var tileSize: Int { Int(TIFFTileSize64(raw)) }
    var stripCount: Int { Int(TIFFNumberOfStrips(raw)) }
    var tileCount: Int { Int(TIFFNumberOfTiles(raw)) }

    /// Bytes the file stores for strip or tile `index` (StripByteCounts /
    /// TileByteCounts); 0 when the entry is missing or unreadable.
    func storedByteCount(_ index: Int) -> Int { Int(clamping: TIFFGetStrileByteCount(raw, UInt32(index))) }

    /// Decodes strip `index` into `buffer`; returns the number of bytes, or -1.
    func readStrip(_ index: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        Int(TIFFReadEncodedStrip(raw, UInt32(index), buffer.baseAddress, tmsize_t(buffer.count)))
    }
    /// Decodes tile `index` into `buffer`; returns the number of bytes, or -1.
    func readTile(_ index: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        Int(TIFFReadEncodedTile(raw, UInt32(index), buffer.baseAddress, tmsize_t(buffer.count)))
    }
    /// Index of the tile containing (x, y) in sample plane `plane`.
    func tileIndex(x: Int, y: Int, plane: Int) -> Int {
        Int(TIFFComputeTile(raw, UInt32(x), UInt32(y), 0, UInt16(plane)))
    }
    /// Whether libtiff's RGBA interface can decode the current directory, and why not.
    func rgbaSupported() -> (Bool, String) {
        var message = [CChar](repeating: 0, count: 1024)
        let ok = TIFFRGBAImageOK(raw, &message) == 1
        return (ok, String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    /// Decodes the whole directory through libtiff's RGBA interface, top row first.
    func readRGBA(width: Int, height: Int, into buffer: UnsafeMutablePointer<UInt32>) -> Bool {
        TIFFReadRGBAImageOriented(raw, UInt32(width), UInt32(height), buffer, ORIENTATION_TOPLEFT, 0) == 1
    }

    // MARK: Writing

    func set(_ tag: UInt32, u32 value: UInt32) { _ = dm_tiff_set_u32(raw, tag, value) }
    func set(_ tag: UInt32, u16 value: Int) { _ = dm_tiff_set_u16(raw, tag, Int32(value)) }
    func set(_ tag: UInt32, rational value: Double) { _ = dm_tiff_set_float(raw, tag, value) }
    func set(_ tag: UInt32, string value: String) { _ = dm_tiff_set_string(raw, tag, value) }
    /// Writes an ASCII vendor tag unknown to libtiff; false if libtiff refused it.
    func setCustom(_ tag: UInt32, ascii value: String) -> Bool { dm_tiff_set_custom_ascii(raw, tag, value) == 1 }
    func setExtraSamples(_ kinds: [UInt16]) {
        kinds.withUnsafeBufferPointer { _ = dm_tiff_set_extrasamples(raw, Int32(kinds.count), $0.baseAddress) }
    }
    func defaultStripRows(_ requested: Int) -> Int { Int(TIFFDefaultStripSize(raw, UInt32(requested))) }
    func writeStrip(_ index: Int, _ data: UnsafeRawBufferPointer) -> Bool {
        TIFFWriteEncodedStrip(raw, UInt32(index), UnsafeMutableRawPointer(mutating: data.baseAddress), tmsize_t(data.count)) >= 0
    }
    func writeTile(_ index: Int, _ data: UnsafeRawBufferPointer) -> Bool {
        TIFFWriteEncodedTile(raw, UInt32(index), UnsafeMutableRawPointer(mutating: data.baseAddress), tmsize_t(data.count)) >= 0
    }
    func writeDirectory() -> Bool { TIFFWriteDirectory(raw) == 1 }
}

/// TIFF tag numbers and codes used by the reader and writer.
enum Tag {
    static let imageWidth: UInt32 = 256
    static let imageLength: UInt32 = 257
    static let bitsPerSample: UInt32 = 258
    static let compression: UInt32 = 259
    static let photometric: UInt32 = 262
    static let imageDescription: UInt32 = 270
    static let samplesPerPixel: UInt32 = 277
    static let rowsPerStrip: UInt32 = 278
    static let maxSampleValue: UInt32 = 281
    static let xResolution: UInt32 = 282
    static let yResolution: UInt32 = 283
    static let planarConfig: UInt32 = 284
    static let resolutionUnit: UInt32 = 296
    static let software: UInt32 = 305
    static let predictor: UInt32 = 317
    static let tileWidth: UInt32 = 322
    static let tileLength: UInt32 = 323
    static let sampleFormat: UInt32 = 339
    /// libtiff's deflate level (TIFFTAG_ZIPQUALITY, a pseudo-tag: set, never written to the file).
    static let zipQuality: UInt32 = 65557
}

/// Human names for TIFF compression codes.
func compressionName(_ code: Int) -> String {
    switch code {
    case 1: "none"
    case 2: "ccitt-rle"
    case 3: "ccitt-g3"
    case 4: "ccitt-g4"
    case 5: "lzw"
    case 6: "ojpeg"
    case 7: "jpeg"
    case 8, 32946: "deflate"
    case 32773: "packbits"
    case 34925: "lzma"
    case 50000: "zstd"
    case 50001: "webp"
    default: "code \(code)"
    }
}

/// Human names for TIFF photometric interpretations.
func photometricName(_ code: Int) -> String {
    switch code {
    case 0: "miniswhite"
    case 1: "minisblack"
    case 2: "rgb"
    case 3: "palette"
    case 4: "mask"
    case 5: "separated"
    case 6: "ycbcr"
    case 8: "cielab"
    default: "code \(code)"
    }
}

extension TIFFHandle {
    /// Sets the ColorMap tag from three arrays of 16-bit entries.
    func setColorMap(_ r: [UInt16], _ g: [UInt16], _ b: [UInt16]) {
        r.withUnsafeBufferPointer { rp in
            g.withUnsafeBufferPointer { gp in
                b.withUnsafeBufferPointer { bp in
                    _ = dm_tiff_set_colormap(raw, rp.baseAddress, gp.baseAddress, bp.baseAddress)
                }
            }
        }
    }
}
