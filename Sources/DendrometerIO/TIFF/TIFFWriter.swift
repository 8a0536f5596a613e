// TIFF encoding through libtiff: strips or tiles, contiguous or separate
// planes, little- or big-endian, classic or BigTIFF, uncompressed, LZW,
// Deflate or PackBits. Calibrated images carry an ImageJ-style calibration
// (ImageDescription `unit=micron`, XResolution = pixels per µm, ResolutionUnit
// none) so Fiji opens masks and overlays in µm.

import DendrometerCore

/// Compression schemes the writer offers.
public enum TIFFCompression: Int, Sendable, CaseIterable {
    case none = 1
    case lzw = 5
    case deflate = 8
    case packbits = 32773
}

/// How to lay out a TIFF file.
public struct TIFFWriteOptions: Sendable, Equatable {
    /// Compression of every strip or tile.
    public var compression: TIFFCompression
    /// Tile edge in px (multiple of 16), or nil for strips.
    public var tileSize: Int?
    /// Rows per strip (nil: libtiff's ~8 kB default).
    public var rowsPerStrip: Int?
    /// Write big-endian (Motorola) byte order instead of little-endian.
    public var bigEndian: Bool
    /// Write BigTIFF (64-bit offsets).
    public var bigTIFF: Bool
    /// Store colour samples in separate planes (PlanarConfiguration 2).
    public var separatePlanes: Bool
    /// Extra ASCII tags by number, e.g. an FEI INI block in 34682, a Zeiss
    /// CZ_SEM record in 34118 or an ImageDescription (270), written on every page.
    public var textTags: [Int: String]
    /// Deflate effort, 1 (fastest) … 9 (smallest), for `.deflate`; nil keeps libtiff's default (6).
    /// Any level decodes the same samples; it only trades time for file size.
    public var deflateLevel: Int?

    /// Options; defaults are little-endian, uncompressed strips.
    public init(compression: TIFFCompression = .none, tileSize: Int? = nil, rowsPerStrip: Int? = nil,
                bigEndian: Bool = false, bigTIFF: Bool = false, separatePlanes: Bool = false,
                textTags: [Int: String] = [:], deflateLevel: Int? = nil) {
        self.compression = compression; self.tileSize = tileSize; self.rowsPerStrip = rowsPerStrip
        self.bigEndian = bigEndian; self.bigTIFF = bigTIFF; self.separatePlanes = separatePlanes
        self.textTags = textTags; self.deflateLevel = deflateLevel
    }
}

/// A raster exactly as TIFF stores it, for writing any layout (gray, RGB,
/// palette; 1–64 bits; unsigned, signed or float).
public struct TIFFRaster: Sendable {
    /// How samples are interpreted.
    public enum SampleKind: Int, Sendable { case unsigned = 1, signed = 2, float = 3 }
    /// What the samples mean.
    public enum Photometric: Sendable, Equatable {
        case minIsWhite, minIsBlack, rgb
        /// Indexed colour with a 16-bit colour map of 2^bitsPerSample entries per channel.
        case palette(red: [UInt16], green: [UInt16], blue: [UInt16])
    }
    /// Columns, px.
    public var width: Int
    /// Rows, px.
    public var height: Int
    /// Samples per pixel (1 gray, 2 gray + alpha, 3 RGB, 4 RGBA).
    public var samplesPerPixel: Int
    /// Bits per sample (1, 2, 4, 8, 16, 32, 64).
    public var bitsPerSample: Int
    /// Sample interpretation.
    public var sampleKind: SampleKind
    /// Colour interpretation.
    public var photometric: Photometric
    /// Rows packed as TIFF contiguous data: `ceil(width × samplesPerPixel × bitsPerSample / 8)`
    /// bytes per row, multi-byte samples in host byte order.
    public var bytes: [UInt8]

    /// A raster; `bytes` must hold `height` packed rows.
    public init(width: Int, height: Int, samplesPerPixel: Int = 1, bitsPerSample: Int, sampleKind: SampleKind = .unsigned,
                photometric: Photometric = .minIsBlack, bytes: [UInt8]) {
        self.width = width; self.height = height; self.samplesPerPixel = samplesPerPixel
        self.bitsPerSample = bitsPerSample; self.sampleKind = sampleKind; self.photometric = photometric
        self.bytes = bytes
        precondition(bytes.count >= height * rowBytes, "raster needs \(height * rowBytes) bytes, got \(bytes.count)")
    }

    /// Bytes of one packed row.
    public var rowBytes: Int { (width * samplesPerPixel * bitsPerSample + 7) / 8 }

    /// A 32-bit float gray raster of `width` × `height` px: every sample `fill`, then `body`
    /// writes samples in place (row-major, `width` a row). No image is kept beside the raster's
    /// own bytes: a 4096² map needs 64 MiB once, not twice.
    public static func float32(width: Int, height: Int, fill: Float,
                               _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> TIFFRaster {
        var bytes = [UInt8](repeating: 0, count: width * height * MemoryLayout<Float>.stride)
        bytes.withUnsafeMutableBytes { raw in
            raw.withMemoryRebound(to: Float.self) { samples in
                samples.update(repeating: fill)
                body(samples)
            }
        }
        return TIFFRaster(width: width, height: height, bitsPerSample: 32, sampleKind: .float, bytes: bytes)
    }

    /// A gray raster holding `image`'s samples.
    public init<P: PixelSample>(_ image: Image<P>) {
        let bytes = image.pixels.withUnsafeBytes { Array($0) }
        self.init(width: image.width, height: image.height, bitsPerSample: P.storageBits,
                  sampleKind: P.self == Float.self ? .float : .unsigned, bytes: bytes)
    }
}

/// Writes TIFF files.
public enum TIFFWriter {
    /// Writes `image` as a one-page gray TIFF, atomically. With a calibration,
    /// the file carries ImageJ's `unit=micron` and XResolution so Fiji shows µm.
    public static func write<P: PixelSample>(_ image: Image<P>, to path: String, calibration: Calibration? = nil,
                                              options: TIFFWriteOptions = TIFFWriteOptions()) throws(ImageIOError) {
        try write(pages: [TIFFRaster(image)], to: path, calibration: calibration, options: options)
    }

    /// Writes one or more pages, atomically.
    public static func write(pages: [TIFFRaster], to path: String, calibration: Calibration? = nil,
                             options: TIFFWriteOptions = TIFFWriteOptions()) throws(ImageIOError) {
        guard !pages.isEmpty else { throw ImageIOError(.writeFailed("no pages to write"), path: path) }
        try AtomicFile.write(to: path) { (temp) throws(ImageIOError) in
            var mode = "w" + (options.bigEndian ? "b" : "l")
            if options.bigTIFF { mode += "8" }
            let tif = try TIFFHandle(path: temp, mode: mode, maxSingleAllocation: 0)
            for page in pages {
                try writePage(page, tif, calibration: calibration, options: options, path: path)
            }
        }
    }

    private static func writePage(_ r: TIFFRaster, _ tif: borrowing TIFFHandle, calibration: Calibration?,
                                  options: TIFFWriteOptions, path: String) throws(ImageIOError) {
        guard r.width > 0, r.height > 0 else { throw ImageIOError(.writeFailed("cannot write an empty image"), path: path) }
        let planar = options.separatePlanes && r.samplesPerPixel > 1 && r.bitsPerSample % 8 == 0
        tif.set(Tag.imageWidth, u32: UInt32(r.width))
        tif.set(Tag.imageLength, u32: UInt32(r.height))
        tif.set(Tag.bitsPerSample, u16: r.bitsPerSample)
        tif.set(Tag.samplesPerPixel, u16: r.samplesPerPixel)
        tif.set(Tag.sampleFormat, u16: r.sampleKind.rawValue)
        tif.set(Tag.compression, u16: options.compression.rawValue)
        if options.compression == .deflate, let level = options.deflateLevel {
            tif.set(Tag.zipQuality, u16: min(9, max(1, level)))   // a codec pseudo-tag: after the compression
        }
        tif.set(Tag.planarConfig, u16: planar ? 2 : 1)
        tif.set(Tag.software, string: "Dendrometer")
        switch r.photometric {
        case .minIsWhite: tif.set(Tag.photometric, u16: 0)
        case .minIsBlack: tif.set(Tag.photometric, u16: 1)
        case .rgb: tif.set(Tag.photometric, u16: 2)
        case .palette: tif.set(Tag.photometric, u16: 3)
        }
        if case .palette(let red, let green, let blue) = r.photometric {
            try setColorMap(tif, red, green, blue, bits: r.bitsPerSample, path: path)
        }
        let colour = r.photometric == .rgb ? 3 : 1
        if r.samplesPerPixel > colour {
            tif.setExtraSamples([UInt16](repeating: 2, count: r.samplesPerPixel - colour)) // unassociated alpha
        }
        for (tag, text) in options.textTags.sorted(by: { $0.key < $1.key }) {
            if tag == Int(Tag.imageDescription) {
                tif.set(Tag.imageDescription, string: text)
            } else if !tif.setCustom(UInt32(tag), ascii: text) {
                throw ImageIOError(.writeFailed("libtiff refused tag \(tag)"), path: path)
            }
        }
        if let pixelSize = calibration?.pixelSize {
            tif.set(Tag.imageDescription, string: "ImageJ=1.54f\nunit=micron\n")
            tif.set(Tag.xResolution, rational: 1 / pixelSize.widthMicrometres)
            tif.set(Tag.yResolution, rational: 1 / pixelSize.heightMicrometres)
            tif.set(Tag.resolutionUnit, u16: 1)
        }
        let planes = planar ? r.samplesPerPixel : 1
        let bytesPerSample = r.bitsPerSample / 8
        // Bytes of one row of one plane.
        let planeRowBytes = planar ? r.width * bytesPerSample : r.rowBytes
        func planeRow(_ y: Int, _ p: Int, into dst: UnsafeMutableRawBufferPointer, at offset: Int) {
            r.bytes.withUnsafeBytes { src in
                let row = src.baseAddress! + y * r.rowBytes
                if !planar {
                    dst.baseAddress!.advanced(by: offset).copyMemory(from: row, byteCount: r.rowBytes)
                } else {
                    for x in 0 ..< r.width {
                        (dst.baseAddress! + offset + x * bytesPerSample)
                            .copyMemory(from: row + (x * r.samplesPerPixel + p) * bytesPerSample, byteCount: bytesPerSample)
                    }
                }
            }
        }
        if let tile = options.tileSize {
            guard tile > 0, tile % 16 == 0 else {
                throw ImageIOError(.writeFailed("tile size must be a positive multiple of 16, got \(tile)"), path: path)
            }
            tif.set(Tag.tileWidth, u32: UInt32(tile))
            tif.set(Tag.tileLength, u32: UInt32(tile))
            let tileRowBytes = planar ? tile * bytesPerSample : (tile * r.samplesPerPixel * r.bitsPerSample + 7) / 8
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: tileRowBytes * tile, alignment: 16)
            defer { buffer.deallocate() }
            let rowScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: planeRowBytes, alignment: 16)
            defer { rowScratch.deallocate() }
            for p in 0 ..< planes {
                for ty in stride(from: 0, to: r.height, by: tile) {
                    for tx in stride(from: 0, to: r.width, by: tile) {
                        buffer.initializeMemory(as: UInt8.self, repeating: 0)
                        for y in ty ..< min(ty + tile, r.height) {
                            planeRow(y, p, into: rowScratch, at: 0)
                            let bitsPerPixel = planar ? r.bitsPerSample : r.samplesPerPixel * r.bitsPerSample
                            let startBit = tx * bitsPerPixel
                            let cols = min(tile, r.width - tx)
                            // Byte-aligned copy when possible; sub-byte tiles need tile widths that keep alignment (16 px does for 1–8 bits).
                            let byteStart = startBit / 8
                            let byteCount = (cols * bitsPerPixel + 7) / 8
                            (buffer.baseAddress! + (y - ty) * tileRowBytes)
                                .copyMemory(from: rowScratch.baseAddress! + byteStart, byteCount: byteCount)
                        }
                        let index = Int(tif.tileIndex(x: tx, y: ty, plane: p))
                        guard tif.writeTile(index, UnsafeRawBufferPointer(buffer)) else {
                            throw ImageIOError(.writeFailed(tif.firstError ?? "tile write failed"), path: path)
                        }
                    }
                }
            }
        } else {
            let rps = max(1, min(r.height, options.rowsPerStrip ?? tif.defaultStripRows(0)))
            tif.set(Tag.rowsPerStrip, u32: UInt32(rps))
            let strips = (r.height + rps - 1) / rps
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: planeRowBytes * rps, alignment: 16)
            defer { buffer.deallocate() }
            for p in 0 ..< planes {
                for s in 0 ..< strips {
                    let y0 = s * rps, rows = min(rps, r.height - y0)
                    for y in y0 ..< y0 + rows { planeRow(y, p, into: buffer, at: (y - y0) * planeRowBytes) }
                    guard tif.writeStrip(p * strips + s, UnsafeRawBufferPointer(rebasing: buffer[0 ..< rows * planeRowBytes])) else {
                        throw ImageIOError(.writeFailed(tif.firstError ?? "strip write failed"), path: path)
                    }
                }
            }
        }
        guard tif.writeDirectory(), tif.errorCount == 0 else {
            throw ImageIOError(.writeFailed(tif.firstError ?? "directory write failed"), path: path)
        }
    }

    private static func setColorMap(_ tif: borrowing TIFFHandle, _ r: [UInt16], _ g: [UInt16], _ b: [UInt16],
                                     bits: Int, path: String) throws(ImageIOError) {
        let n = 1 << bits
        guard r.count == n, g.count == n, b.count == n else {
            throw ImageIOError(.writeFailed("colour map needs \(n) entries per channel"), path: path)
        }
        tif.setColorMap(r, g, b)
    }
}
