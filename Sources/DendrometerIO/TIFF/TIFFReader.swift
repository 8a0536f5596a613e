// TIFF decoding through libtiff.
//
// Layouts: strips and tiles, contiguous and separate planes, classic TIFF and
// BigTIFF, every codec libtiff was built with (LZW, Deflate, PackBits, JPEG,
// ...), 1–64-bit unsigned/signed integer and 32/64-bit float samples, either
// byte order (libtiff swaps 16/32/64-bit samples to host order). Colour is
// reduced to one gray channel: palette through the colour map, RGB through
// ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B, exact for gray-in-RGB files),
// alpha and other extra samples are ignored, MinIsWhite is inverted so that
// bright always means a high value. Exotic photometrics (YCbCr without JPEG,
// CMYK, CIELab) go through libtiff's RGBA interface.

import DendrometerCore
import Foundation

/// The layout of the current TIFF directory, read before any pixel is decoded.
struct TIFFLayout {
    var width: Int
    var height: Int
    var bitsPerSample: Int
    var samplesPerPixel: Int
    var extraSamples: Int
    /// 1 unsigned, 2 signed, 3 IEEE float.
    var sampleFormat: Int
    var photometric: Int
    var compression: Int
    /// 1 contiguous, 2 separate planes.
    var planar: Int
    var tiled: Bool
    var rowsPerStrip: Int
    var tileWidth: Int
    var tileHeight: Int
    var maxSampleValue: Int?

    /// numpy-style name of the stored sample type (`uint8`, `int16`, `float64`, `bool`).
    var storedSampleFormatName: String {
        switch sampleFormat {
        case 2: return "int\(bitsPerSample)"
        case 3: return "float\(bitsPerSample)"
        default:
            if bitsPerSample == 1 { return "bool" }
            if bitsPerSample <= 8 { return "uint8" }
            if bitsPerSample <= 16 { return "uint16" }
            if bitsPerSample <= 32 { return "uint32" }
            return "uint64"
        }
    }

    /// Colour channels that carry the image (extra samples excluded).
    var colorChannels: Int { max(1, samplesPerPixel - extraSamples) }
}

enum TIFFReader {
    /// Largest number of TIFF pages counted before giving up (guards endless chains).
    static let pageCountLimit = 65_536

    /// Reads page `options.page` of the TIFF at `path`.
    static func read(path: String, options: ReadOptions, format: SourceMetadata.Format,
                     decodePixels: Bool) throws(ImageIOError) -> (AnyImage?, SourceMetadata) {
        let maxAlloc = max(64 << 20, min(options.maximumPixels, Int.max / 16) * 8)
        // "m": read(2) instead of mapping the file. Uncompressed strips are then read
        // straight into the image (1.5× faster than copying out of a mapping), and a
        // file truncated while it is read fails with an error instead of SIGBUS.
        let tif = try TIFFHandle(path: path, mode: "rm", maxSingleAllocation: maxAlloc)
        let pages = tif.countDirectories(limit: pageCountLimit)
        guard options.page >= 0, options.page < pages else {
            throw ImageIOError(.pageOutOfRange(requested: options.page, available: pages), path: path)
        }
        if options.page > 0, !tif.setDirectory(options.page) {
            throw ImageIOError(.corrupt(tif.firstError ?? "page \(options.page) cannot be read"), path: path)
        }
        if tif.errorCount > 0 {
            throw ImageIOError(.corrupt(tif.firstError ?? "unreadable directory"), path: path)
        }
        var layout = try readLayout(tif, path: path)
        try validate(layout, path: path, options: options)

        var meta = SourceMetadata(
            format: format, path: path, width: layout.width, height: layout.height,
            pageCount: pages, pageIndex: options.page,
            storedSampleFormat: layout.storedSampleFormatName, storedBitsPerSample: layout.bitsPerSample,
            samplesPerPixel: layout.samplesPerPixel, compression: compressionName(layout.compression),
            photometric: photometricName(layout.photometric), isTiled: layout.tiled)
        readMetadataTags(tif, into: &meta)

        guard decodePixels else { return (nil, meta) }
        try checkDataCanHold(tif, layout: layout, path: path)

        // JPEG-compressed YCbCr: let the codec convert to RGB, then read as RGB.
        if layout.compression == 7 && layout.photometric == 6 {
            tif.requestRGBFromJPEG()
            layout.photometric = 2
        }
        let image: AnyImage
        if needsRGBAInterface(layout) {
            image = try decodeThroughRGBA(tif, layout: layout, path: path)
            meta.warnings.append("\(photometricName(layout.photometric)) colour converted to gray through libtiff's RGBA interface (8-bit)")
        } else {
            image = try decode(tif, layout: layout, path: path)
        }
        if tif.errorCount > 0 {
            throw ImageIOError(.corrupt(tif.firstError ?? "decoding failed"), path: path)
        }
        if tif.warningCount > 0, let w = tif.lastWarning {
            meta.warnings.append("libtiff: \(w)\(tif.warningCount > 1 ? " (and \(tif.warningCount - 1) more warnings)" : "")")
        }
        if layout.extraSamples > 0 {
            meta.warnings.append("\(layout.extraSamples) extra sample(s) per pixel (alpha) ignored")
        }
        return (image, meta)
    }

    // MARK: - Layout

    private static func readLayout(_ tif: borrowing TIFFHandle, path: String) throws(ImageIOError) -> TIFFLayout {
        guard let w = tif.u32(Tag.imageWidth), let h = tif.u32(Tag.imageLength) else {
            throw ImageIOError(.corrupt("missing ImageWidth or ImageLength"), path: path)
        }
        let bps = Int(tif.u16Defaulted(Tag.bitsPerSample) ?? 1)
        let spp = Int(tif.u16Defaulted(Tag.samplesPerPixel) ?? 1)
        let fmt = Int(tif.u16Defaulted(Tag.sampleFormat) ?? 1)
        let compression = Int(tif.u16Defaulted(Tag.compression) ?? 1)
        let planar = Int(tif.u16Defaulted(Tag.planarConfig) ?? 1)
        let photometric = Int(tif.u16(Tag.photometric) ?? (spp >= 3 ? 2 : 1))
        let tiled = tif.isTiled
        let rps = Int(min(tif.u32(Tag.rowsPerStrip) ?? h, h))
        let maxSample = tif.u16(Tag.maxSampleValue).map(Int.init)
        return TIFFLayout(
            width: Int(w), height: Int(h), bitsPerSample: bps, samplesPerPixel: spp,
            extraSamples: min(tif.extraSampleCount, max(0, spp - 1)), sampleFormat: fmt,
            photometric: photometric, compression: compression, planar: planar, tiled: tiled,
            rowsPerStrip: max(1, rps),
            tileWidth: Int(tif.u32(Tag.tileWidth) ?? 0), tileHeight: Int(tif.u32(Tag.tileLength) ?? 0),
            maxSampleValue: maxSample)
    }

    /// Tiles up to this many pixels (4096²) are accepted whatever the image size.
    static let largestTileForAnyImage = 4096 * 4096

    private static func validate(_ l: TIFFLayout, path: String, options: ReadOptions) throws(ImageIOError) {
        guard l.width > 0, l.height > 0 else {
            throw ImageIOError(.corrupt("image has zero width or height (\(l.width)×\(l.height))"), path: path)
        }
        let (pixels, overflow) = l.width.multipliedReportingOverflow(by: l.height)
        guard !overflow, pixels <= options.maximumPixels else {
            throw ImageIOError(.tooLarge(width: l.width, height: l.height, limit: options.maximumPixels), path: path)
        }
        guard (1 ... 16).contains(l.samplesPerPixel) else {
            throw ImageIOError(.unsupported("\(l.samplesPerPixel) samples per pixel (expected 1 to 16)"), path: path)
        }
        guard [1, 2, 3].contains(l.sampleFormat) else {
            throw ImageIOError(.unsupported("sample format \(l.sampleFormat) (expected unsigned, signed or float)"), path: path)
        }
        if l.sampleFormat == 3 {
            guard l.bitsPerSample == 32 || l.bitsPerSample == 64 else {
                throw ImageIOError(.unsupported("\(l.bitsPerSample)-bit floating-point samples (expected 32 or 64)"), path: path)
            }
        } else {
            guard (1 ... 32).contains(l.bitsPerSample) else {
                throw ImageIOError(.unsupported("\(l.bitsPerSample) bits per sample (expected 1 to 32)"), path: path)
            }
        }
        guard l.planar == 1 || l.planar == 2 else {
            throw ImageIOError(.corrupt("invalid PlanarConfiguration \(l.planar)"), path: path)
        }
        if l.photometric == 3 && l.bitsPerSample > 16 {
            throw ImageIOError(.unsupported("palette image with \(l.bitsPerSample) bits per index"), path: path)
        }
        if l.tiled && (l.tileWidth <= 0 || l.tileHeight <= 0) {
            throw ImageIOError(.corrupt("tiled image with tile size \(l.tileWidth)×\(l.tileHeight)"), path: path)
        }
        // A tile may exceed the image (a 256² tile for a 32² image is fine), but one buffer is
        // allocated per tile: a tile of millions of pixels for a small image is a corrupt header.
        if l.tiled {
            let (tile, overflow) = l.tileWidth.multipliedReportingOverflow(by: l.tileHeight)
            guard !overflow, tile <= max(largestTileForAnyImage, 4 * pixels) else {
                throw ImageIOError(.corrupt("tile size \(l.tileWidth)×\(l.tileHeight) is implausible for a \(l.width)×\(l.height) image"), path: path)
            }
        }
    }

    /// Largest expansion of the stored data under each compression, samples bytes per stored byte
    /// (deflate 1032 by RFC 1951; LZW's 12-bit codes at most 4096 bytes each; PackBits 128 bytes
    /// per 2; JPEG bounded generously). Unknown codecs are not bounded here (the pixel cap is).
    static func maximumExpansion(compression: Int) -> Int? {
        switch compression {
        case 1: 1
        case 32773: 64
        case 8, 32946: 1032
        case 5: 4096
        case 7, 6: 8192
        default: nil
        }
    }

    /// Validate, then allocate: the strips or tiles the file actually holds (their stated byte
    /// counts, never more than the file) must be able to expand to the raster's stored samples
    /// (width × bits per sample × samples per pixel, per row). A 152-byte file claiming 40000²
    /// pixels is refused before a buffer is made.
    private static func checkDataCanHold(_ tif: borrowing TIFFHandle, layout l: TIFFLayout, path: String) throws(ImageIOError) {
        guard let ratio = maximumExpansion(compression: l.compression) else { return }
        let chunks = l.tiled ? tif.tileCount : tif.stripCount
        var stored = 0
        for i in 0 ..< chunks {
            stored = stored.addingReportingOverflow(tif.storedByteCount(i)).partialValue
            if stored < 0 { stored = .max; break }
        }
        let fileBytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? .max
        let available = min(stored, fileBytes)
        let rowBits = l.width.multipliedReportingOverflow(by: l.bitsPerSample * l.samplesPerPixel)
        let least = l.height.multipliedReportingOverflow(by: (rowBits.partialValue + 7) / 8)
        let slack = 4096
        guard !rowBits.overflow, !least.overflow, least.partialValue / ratio <= available + slack else {
            throw ImageIOError(.corrupt("the header claims \(l.width)×\(l.height) pixels, but the file holds only \(available) bytes of image data (\(compressionName(l.compression)) expands at most \(ratio)-fold)"), path: path)
        }
    }

    private static func readMetadataTags(_ tif: borrowing TIFFHandle, into meta: inout SourceMetadata) {
        for tag in MetadataTag.all {
            guard let raw = tif.bytes(UInt32(tag)), !raw.isEmpty else { continue }
            guard raw.count <= MetadataTag.maximumBytes else {
                meta.warnings.append("metadata tag \(tag) holds \(raw.count) bytes, more than any microscope header "
                                     + "(limit \(MetadataTag.maximumBytes)): ignored")
                continue
            }
            meta.binaryTags[tag] = raw
            var end = raw.count
            while end > 0 && raw[end - 1] == 0 { end -= 1 }
            meta.textTags[tag] = latin1String(raw[..<end])
        }
        if let x = tif.float(Tag.xResolution) {
            let y = tif.float(Tag.yResolution) ?? x
            let unit = Int(tif.u16Defaulted(Tag.resolutionUnit) ?? 2)
            meta.resolution = TIFFResolution(x: Double(x), y: Double(y), unit: unit)
        }
    }

    /// `bytes` read as ISO 8859-1 (every byte one character; vendor headers write µ as 0xB5).
    static func latin1String(_ bytes: ArraySlice<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 8)
        for b in bytes {
            if b < 0x80 { utf8.append(b) } else { utf8.append(0xC0 | b >> 6); utf8.append(0x80 | b & 0x3F) }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private static func needsRGBAInterface(_ l: TIFFLayout) -> Bool {
        switch l.photometric {
        case 0, 1, 3: return false
        case 2: return l.colorChannels < 3
        default: return true // YCbCr without JPEG, CMYK, CIELab, LogLuv...
        }
    }

    // MARK: - Decoding

    /// Output sample type chosen from the stored layout.
    private enum OutputKind { case u8, u16, f32 }

    private static func outputKind(_ l: TIFFLayout) -> OutputKind {
        if l.photometric == 3 { return .u8 }
        if l.sampleFormat != 1 { return .f32 }
        if l.bitsPerSample <= 8 { return .u8 }
        if l.bitsPerSample <= 16 { return .u16 }
        return .f32
    }

    private static func decode(_ tif: borrowing TIFFHandle, layout l: TIFFLayout, path: String) throws(ImageIOError) -> AnyImage {
        let kind = outputKind(l)
        var bitDepth = l.bitsPerSample
        if let m = l.maxSampleValue, kind == .u16, m > 0, m < (1 << l.bitsPerSample) - 1 {
            bitDepth = max(9, Int.bitWidth - (m.leadingZeroBitCount)) // e.g. 4095 → 12 bits
        }
        if l.photometric == 3 { bitDepth = 8 }
        let count = l.width * l.height
        if let fast = try decodeGrayStripsDirectly(tif, l, path: path, bitDepth: bitDepth) { return fast }
        let converter = try SampleConverter(layout: l, palette: l.photometric == 3 ? paletteLuminance(tif, l, path: path) : nil)
        switch kind {
        case .u8:
            var out = [UInt8](repeating: 0, count: count)
            try out.withUnsafeMutableBufferPointer { (dst) throws(ImageIOError) in
                try decodeChunks(tif, l, path: path, converter: converter) { row, x0, values in
                    let base = row * l.width + x0
                    for i in 0 ..< values.count { dst[base + i] = UInt8(clamping: Int(saturating: values[i].rounded())) }
                }
            }
            return .uint8(Image(width: l.width, height: l.height, pixels: out, bitDepth: min(8, bitDepth)))
        case .u16:
            var out = [UInt16](repeating: 0, count: count)
            try out.withUnsafeMutableBufferPointer { (dst) throws(ImageIOError) in
                try decodeChunks(tif, l, path: path, converter: converter) { row, x0, values in
                    let base = row * l.width + x0
                    for i in 0 ..< values.count { dst[base + i] = UInt16(clamping: Int(saturating: values[i].rounded())) }
                }
            }
            return .uint16(Image(width: l.width, height: l.height, pixels: out, bitDepth: bitDepth))
        case .f32:
            var out = [Float](repeating: 0, count: count)
            try out.withUnsafeMutableBufferPointer { (dst) throws(ImageIOError) in
                try decodeChunks(tif, l, path: path, converter: converter) { row, x0, values in
                    let base = row * l.width + x0
                    for i in 0 ..< values.count { dst[base + i] = Float(values[i]) }
                }
            }
            return .float32(Image(width: l.width, height: l.height, pixels: out, bitDepth: 32))
        }
    }

    /// Fast path for the most common SEM layout: one 8- or 16-bit unsigned gray
    /// sample per pixel in strips. Strips are decoded straight into the output
    /// buffer (no intermediate copy); returns nil for other layouts.
    private static func decodeGrayStripsDirectly(_ tif: borrowing TIFFHandle, _ l: TIFFLayout, path: String,
                                                 bitDepth: Int) throws(ImageIOError) -> AnyImage? {
        guard !l.tiled, l.samplesPerPixel == 1, l.sampleFormat == 1, l.photometric == 1,
              l.bitsPerSample == 8 || l.bitsPerSample == 16 else { return nil }
        let bytesPerSample = l.bitsPerSample / 8
        let rowBytes = l.width * bytesPerSample
        guard tif.stripSize == l.rowsPerStrip * rowBytes || tif.stripCount == 1 else { return nil }
        func fill(_ raw: UnsafeMutableRawBufferPointer) throws(ImageIOError) {
            let strips = (l.height + l.rowsPerStrip - 1) / l.rowsPerStrip
            for s in 0 ..< strips {
                let y0 = s * l.rowsPerStrip
                let rows = min(l.rowsPerStrip, l.height - y0)
                let dst = UnsafeMutableRawBufferPointer(rebasing: raw[(y0 * rowBytes) ..< ((y0 + rows) * rowBytes)])
                try checkStoredBytes(tif, l, index: s, needed: rows * rowBytes, what: "strip \(s)", path: path)
                let got = tif.readStrip(s, into: dst)
                if got < 0 || tif.errorCount > 0 {
                    throw ImageIOError(.corrupt(tif.firstError ?? "strip \(s) cannot be decoded"), path: path)
                }
                if got < rows * rowBytes {
                    throw ImageIOError(.corrupt("strip \(s) holds \(got) bytes, expected \(rows * rowBytes)"), path: path)
                }
            }
        }
        // Every byte is written by the strips (or the read throws), so the pixels
        // start uninitialised: no zero fill of a buffer that is overwritten at once.
        func decoded<T: PixelSample>(_: T.Type) throws(ImageIOError) -> [T] {
            let n = l.width * l.height
            return try [T](unsafeUninitializedCapacity: n) { (buf, initialized) throws(ImageIOError) in
                adviseHugePages(UnsafeMutableRawPointer(buf.baseAddress), byteCount: n * MemoryLayout<T>.stride)
                try fill(UnsafeMutableRawBufferPointer(buf))
                initialized = n
            }
        }
        if l.bitsPerSample == 8 {
            return .uint8(Image(width: l.width, height: l.height, pixels: try decoded(UInt8.self), bitDepth: 8))
        }
        return .uint16(Image(width: l.width, height: l.height, pixels: try decoded(UInt16.self), bitDepth: bitDepth))
    }

    /// For uncompressed data, refuses a strip or tile whose stored byte count is
    /// smaller than the bytes its rows need: read(2)-based libtiff would read
    /// past it into whatever follows in the file.
    private static func checkStoredBytes(_ tif: borrowing TIFFHandle, _ l: TIFFLayout, index: Int, needed: Int,
                                         what: String, path: String) throws(ImageIOError) {
        guard l.compression == 1 else { return }
        let stored = tif.storedByteCount(index)
        if stored < needed {
            throw ImageIOError(.corrupt("\(what) stores \(stored) bytes, its rows need \(needed)"), path: path)
        }
    }

    /// Luminance (0–255) of each colour-map entry.
    private static func paletteLuminance(_ tif: borrowing TIFFHandle, _ l: TIFFLayout, path: String) throws(ImageIOError) -> [Double] {
        let entries = 1 << l.bitsPerSample
        guard let map = tif.colorMap(entries: entries) else {
            throw ImageIOError(.corrupt("palette image without a ColorMap"), path: path)
        }
        return (0 ..< entries).map { i in
            let r = Double(map.r[i]), g = Double(map.g[i]), b = Double(map.b[i])
            return (0.299 * r + 0.587 * g + 0.114 * b) / 257.0
        }
    }

    /// Walks every strip or tile, decodes it and hands each row segment, reduced
    /// to gray values, to `store(row, firstColumn, values)`.
    private static func decodeChunks(
        _ tif: borrowing TIFFHandle, _ l: TIFFLayout, path: String, converter: SampleConverter,
        store: (Int, Int, UnsafeBufferPointer<Double>) -> Void
    ) throws(ImageIOError) {
        let planes = l.planar == 2 ? (l.photometric == 2 ? 3 : 1) : 1
        let samplesInChunk = l.planar == 2 ? 1 : l.samplesPerPixel
        let chunkWidth = l.tiled ? l.tileWidth : l.width
        let chunkHeight = l.tiled ? l.tileHeight : l.rowsPerStrip
        let (bitsPerRow, o1) = chunkWidth.multipliedReportingOverflow(by: samplesInChunk * l.bitsPerSample)
        guard !o1 else { throw ImageIOError(.corrupt("row size overflows"), path: path) }
        let rowBytes = (bitsPerRow + 7) / 8
        let chunkBytes = l.tiled ? tif.tileSize : tif.stripSize
        guard chunkBytes > 0, chunkBytes >= rowBytes else {
            throw ImageIOError(.corrupt("invalid strip/tile size \(chunkBytes) bytes"), path: path)
        }
        guard chunkBytes <= Int(Int32.max) else {
            throw ImageIOError(.unsupported("strip or tile of \(chunkBytes) bytes"), path: path)
        }
        // One scratch chunk per plane (separate planes are combined row by row).
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes * planes, alignment: 16)
        defer { scratch.deallocate() }
        let rowValues = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunkWidth)
        defer { rowValues.deallocate() }
        let channelScratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunkWidth * max(3, samplesInChunk))
        defer { channelScratch.deallocate() }

        let chunksAcross = l.tiled ? (l.width + l.tileWidth - 1) / l.tileWidth : 1
        let chunksDown = (l.height + chunkHeight - 1) / chunkHeight
        let stripsPerPlane = chunksDown
        for cy in 0 ..< chunksDown {
            for cx in 0 ..< chunksAcross {
                let y0 = cy * chunkHeight, x0 = cx * chunkWidth
                let rows = min(chunkHeight, l.height - y0)
                let cols = min(chunkWidth, l.width - x0)
                for p in 0 ..< planes {
                    let buf = UnsafeMutableRawBufferPointer(rebasing: scratch[(p * chunkBytes) ..< ((p + 1) * chunkBytes)])
                    let what = l.tiled ? "tile at (\(x0), \(y0))" : "strip \(cy)"
                    let index = l.tiled ? tif.tileIndex(x: x0, y: y0, plane: p) : p * stripsPerPlane + cy
                    let needed = (rows - 1) * rowBytes + (cols * samplesInChunk * l.bitsPerSample + 7) / 8
                    try checkStoredBytes(tif, l, index: index, needed: needed, what: what, path: path)
                    let got = l.tiled ? tif.readTile(index, into: buf) : tif.readStrip(index, into: buf)
                    if got < 0 || tif.errorCount > 0 {
                        throw ImageIOError(.corrupt(tif.firstError ?? "\(what) cannot be decoded"), path: path)
                    }
                    if got < needed {
                        throw ImageIOError(.corrupt("\(what) holds \(got) bytes, expected \(needed)"), path: path)
                    }
                }
                for r in 0 ..< rows {
                    let out = UnsafeMutableBufferPointer(rebasing: rowValues[0 ..< cols])
                    converter.convertRow(scratch: UnsafeRawBufferPointer(scratch), chunkBytes: chunkBytes,
                                         rowOffset: r * rowBytes, columns: cols,
                                         channelScratch: channelScratch, into: out)
                    store(y0 + r, x0, UnsafeBufferPointer(out))
                }
            }
        }
    }

    /// Decodes through `TIFFReadRGBAImageOriented` and keeps 8-bit luma.
    private static func decodeThroughRGBA(_ tif: borrowing TIFFHandle, layout l: TIFFLayout, path: String) throws(ImageIOError) -> AnyImage {
        let (ok, why) = tif.rgbaSupported()
        guard ok else {
            throw ImageIOError(.unsupported(why.isEmpty ? "photometric \(photometricName(l.photometric))" : why), path: path)
        }
        let count = l.width * l.height
        let rgba = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
        defer { rgba.deallocate() }
        guard tif.readRGBA(width: l.width, height: l.height, into: rgba), tif.errorCount == 0 else {
            throw ImageIOError(.corrupt(tif.firstError ?? "RGBA decoding failed"), path: path)
        }
        var out = [UInt8](repeating: 0, count: count)
        for i in 0 ..< count {
            let p = rgba[i] // ABGR packed, R in the low byte
            let r = Int(p & 0xFF), g = Int((p >> 8) & 0xFF), b = Int((p >> 16) & 0xFF)
            out[i] = UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
        }
        return .uint8(Image(width: l.width, height: l.height, pixels: out, bitDepth: 8))
    }
}

/// Turns one row of decoded TIFF bytes into gray values.
struct SampleConverter {
    let layout: TIFFLayout
    let palette: [Double]?
    let invert: Bool
    let maxValue: Double

    init(layout: TIFFLayout, palette: [Double]?) throws(ImageIOError) {
        self.layout = layout
        self.palette = palette
        self.invert = layout.photometric == 0
        self.maxValue = layout.sampleFormat == 1 ? Double((UInt64(1) << UInt64(layout.bitsPerSample)) - 1) : 1
    }

    /// Reads sample `index` (in units of samples from the row start) of a row.
    @inline(__always)
    private func sample(_ row: UnsafeRawPointer, _ index: Int) -> Double {
        let bps = layout.bitsPerSample
        switch (bps, layout.sampleFormat) {
        case (8, 1): return Double(row.load(fromByteOffset: index, as: UInt8.self))
        case (8, 2): return Double(row.load(fromByteOffset: index, as: Int8.self))
        case (16, 1): return Double(row.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
        case (16, 2): return Double(row.loadUnaligned(fromByteOffset: index * 2, as: Int16.self))
        case (32, 1): return Double(row.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
        case (32, 2): return Double(row.loadUnaligned(fromByteOffset: index * 4, as: Int32.self))
        case (32, 3): return Double(row.loadUnaligned(fromByteOffset: index * 4, as: Float.self))
        case (64, 3): return row.loadUnaligned(fromByteOffset: index * 8, as: Double.self)
        default:
            // Packed big-endian bit stream (1, 2, 4, 12, 24... bits).
            var value: UInt64 = 0
            let bitStart = index * bps
            for b in 0 ..< bps {
                let bit = bitStart + b
                let byte = row.load(fromByteOffset: bit >> 3, as: UInt8.self)
                value = (value << 1) | UInt64((byte >> (7 - UInt8(bit & 7))) & 1)
            }
            if layout.sampleFormat == 2 && bps < 64 && (value >> UInt64(bps - 1)) & 1 == 1 {
                return Double(Int64(bitPattern: value | (~UInt64(0) << UInt64(bps))))
            }
            return Double(value)
        }
    }

    /// Converts `columns` pixels starting at `rowOffset` in each plane's chunk.
    func convertRow(scratch: UnsafeRawBufferPointer, chunkBytes: Int, rowOffset: Int, columns: Int,
                    channelScratch: UnsafeMutableBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        let l = layout
        let base = scratch.baseAddress!
        let rgb = l.photometric == 2 && l.colorChannels >= 3
        if l.planar == 2 {
            let p0 = base + rowOffset
            if rgb {
                let p1 = base + chunkBytes + rowOffset, p2 = base + 2 * chunkBytes + rowOffset
                for x in 0 ..< columns {
                    out[x] = 0.299 * sample(p0, x) + 0.587 * sample(p1, x) + 0.114 * sample(p2, x)
                }
            } else {
                for x in 0 ..< columns { out[x] = sample(p0, x) }
            }
        } else {
            let row = base + rowOffset
            let spp = l.samplesPerPixel
            if rgb {
                for x in 0 ..< columns {
                    out[x] = 0.299 * sample(row, x * spp) + 0.587 * sample(row, x * spp + 1) + 0.114 * sample(row, x * spp + 2)
                }
            } else {
                for x in 0 ..< columns { out[x] = sample(row, x * spp) }
            }
        }
        if let palette {
            let last = palette.count - 1
            for x in 0 ..< columns { out[x] = palette[min(last, max(0, Int(saturating: out[x])))] }
        } else if invert {
            for x in 0 ..< columns { out[x] = maxValue - out[x] }
        }
    }
}
