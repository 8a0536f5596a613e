// Parallel PNG encoding for large overlays.
//
// Method (as pigz, M. Adler, "pigz: parallel implementation of gzip", 2007):
// the filtered scanlines are cut into fixed runs of rows; each run is
// compressed on its own as raw deflate, the non-final runs closed with a
// sync flush (an empty stored block, byte aligned, BFINAL clear) and the
// last with Z_FINISH, so their concatenation is one valid deflate stream.
// It is wrapped as zlib (RFC 1950: header 0x78 0x01, Adler-32 trailer joined
// from the runs' checksums with `adler32_combine`) and stored in IDAT chunks
// between IHDR and IEND (PNG, ISO/IEC 15948:2004, §§ 5, 9, 10, 11.2). Runs
// are a fixed number of rows, so the bytes do not depend on the number of
// threads.
//
// Filters and strategy. Gray and RGB rows use filter type 2 (Up: the byte
// minus the byte above) with zlib's default matching. Palette rows are not
// filtered (filter type 0), as the PNG specification advises for indexed
// colour (§ 12.8: differences of palette indices mean nothing), and are
// deflated with matches only at distance 1, i.e. runs of one index (the
// anode layer, the dendrites' tint, the drawn lines), Huffman codes for the
// rest. A micrograph's grey noise leaves LZ77 little to find elsewhere, so
// the long match search costs time and gains nothing. Measured on the dense
// 4096² overlay (Python's zlib, level 1, one core): Up + default 12.93 MB in
// 402 ms, None + Z_RLE 11.35 MB in 140 ms. The runs-only deflate is this
// package's own (``RunLengthDeflate``, about twice zlib's Z_RLE speed, the
// same size); gray and RGB rows go to zlib.

import CZlibSystem
import DendrometerCore

/// Encodes 8-bit gray, RGB or palette images as PNG on all cores (Up filter and zlib level 1
/// for gray and RGB; no filter and ``RunLengthDeflate`` for palette indices).
enum ParallelPNGEncoder {
    /// Rows compressed together (the unit of parallel work).
    static let rowsPerRun = 128
    /// Largest IDAT chunk written, bytes.
    static let idatChunkBytes = 1 << 20

    /// PNG bytes of `samples` (row-major, `channels` = 1 gray or 3 RGB, 8-bit).
    ///
    /// - Throws: ``ImageIOError`` when zlib fails (out of memory).
    static func encode(_ samples: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int,
                       level: Int32, palette: [UInt8]? = nil, path: String) throws(ImageIOError) -> [UInt8] {
        let compressed = try compress(samples, width: width, height: height, channels: channels, level: level,
                                      palette: palette, path: path)
        var png = [UInt8]()
        png.reserveCapacity(compressed.fileBytes)
        compressed.forEachPiece { png.append(contentsOf: $0) }
        assert(png.count == compressed.fileBytes)
        return png
    }

    /// Writes the PNG of `samples` to `path` atomically, piece by piece: no copy of the whole
    /// file is held in memory, only the compressed runs (for a 4096² overlay ≈ 11 MB, where
    /// laying the file out in one array held three copies).
    ///
    /// - Throws: ``ImageIOError`` when zlib fails or the file cannot be written.
    static func write(_ samples: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int,
                      level: Int32, palette: [UInt8]? = nil, to path: String) throws(ImageIOError) {
        let compressed = try compress(samples, width: width, height: height, channels: channels, level: level,
                                      palette: palette, path: path)
        let file = try StreamedFile(path: path)
        do {
            try compressed.forEachPiece { (piece) throws(ImageIOError) in try file.write(piece) }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// `samples` filtered and deflated in runs of rows on all cores (the header's method).
    static func compress(_ samples: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int,
                         level: Int32, palette: [UInt8]?, path: String) throws(ImageIOError) -> CompressedPNG {
        precondition(channels == 1 || channels == 3, "gray or RGB only")
        precondition(palette == nil || (channels == 1 && palette!.count % 3 == 0 && (3 ... 768).contains(palette!.count)),
                     "a palette is 1–256 RGB entries for one index per pixel")
        precondition(samples.count >= width * height * channels)
        let rowBytes = width * channels
        let indexed = palette != nil
        let runs = (height + rowsPerRun - 1) / rowsPerRun
        var compressed = [[UInt8]](repeating: [], count: runs)
        var checksums = [(adler: UInt, length: Int)](repeating: (1, 0), count: runs)
        var failed = [Bool](repeating: false, count: runs)
        let src = samples.baseAddress!.assumingMemoryBound(to: UInt8.self)
        compressed.withUnsafeMutableBufferPointer { out in
            checksums.withUnsafeMutableBufferPointer { sums in
                failed.withUnsafeMutableBufferPointer { bad in
                    let outs = SendablePointer(out.baseAddress!), sumsP = SendablePointer(sums.baseAddress!)
                    let badP = SendablePointer(bad.baseAddress!), source = SendableConstPointer(src)
                    parallelBands(runs, minimumPerBand: 1) { range in
                        for run in range {
                            let y0 = run * rowsPerRun, y1 = min(height, y0 + rowsPerRun)
                            let scanlines = filtered(source.base, rowBytes: rowBytes, rows: y0 ..< y1,
                                                     filter: indexed ? .none : .up)
                            let adler = scanlines.withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) }
                            sumsP.base[run] = (adler, scanlines.count)
                            if indexed {
                                outs.base[run] = scanlines.withUnsafeBufferPointer { RunLengthDeflate.compress($0, final: run == runs - 1) }
                            } else if let bytes = deflateRaw(scanlines, level: level, strategy: Z_DEFAULT_STRATEGY, final: run == runs - 1) {
                                outs.base[run] = bytes
                            } else {
                                badP.base[run] = true
                            }
                        }
                    }
                }
            }
        }
        if failed.contains(true) { throw ImageIOError(.writeFailed("zlib could not compress the image (out of memory?)"), path: path) }
        var adler = checksums[0].adler
        for run in checksums.dropFirst() { adler = adler32_combine(adler, run.adler, off_t(run.length)) }
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
            + [8, palette != nil ? 3 : (channels == 3 ? 2 : 0), 0, 0, 0]   // bit depth, colour type, compression, filter, interlace
        return CompressedPNG(header: header, palette: palette, runs: compressed, adler32: UInt32(truncatingIfNeeded: adler))
    }

    /// A PNG whose image data is compressed (the runs of the header's method) but not yet laid
    /// out as a file: ``forEachPiece(_:)`` hands out the file's bytes in order.
    struct CompressedPNG {
        /// The IHDR chunk's data.
        var header: [UInt8]
        /// The PLTE chunk's data (RGB triples), for indexed colour.
        var palette: [UInt8]?
        /// The raw deflate runs; their concatenation is one deflate stream.
        var runs: [[UInt8]]
        /// Adler-32 of the filtered scanlines (the zlib trailer).
        var adler32: UInt32

        /// The zlib stream's length: 2 header bytes, the runs, 4 trailer bytes.
        var streamBytes: Int { runs.reduce(6) { $0 + $1.count } }

        /// The file's length, bytes.
        var fileBytes: Int {
            let idatChunks = max(1, (streamBytes + idatChunkBytes - 1) / idatChunkBytes)
            return 8 + (12 + header.count) + (palette.map { 12 + $0.count } ?? 0) + streamBytes + 12 * idatChunks + 12
        }

        /// Calls `body` with the file's bytes in order: signature, IHDR, PLTE, the zlib stream
        /// cut into IDAT chunks of ``ParallelPNGEncoder/idatChunkBytes`` (the last shorter), IEND.
        func forEachPiece<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
            // `withUnsafeBytes` rethrows untyped errors: the typed one is carried out by hand.
            func emit(_ bytes: [UInt8], _ range: Range<Int>? = nil) throws(E) {
                var failure: E?
                bytes.withUnsafeBytes { all in
                    do throws(E) { try body(range.map { UnsafeRawBufferPointer(rebasing: all[$0]) } ?? all) } catch { failure = error }
                }
                if let failure { throw failure }
            }
            func chunk(_ type: String, _ data: [UInt8]) throws(E) {
                let typeBytes = Array(type.utf8)
                try emit(bigEndian(UInt32(data.count)) + typeBytes + data)
                var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
                crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
                try emit(bigEndian(UInt32(truncatingIfNeeded: crc)))
            }
            try emit([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            try chunk("IHDR", header)
            if let palette { try chunk("PLTE", palette) }
            // The zlib stream as pieces; each IDAT chunk takes the next idatChunkBytes of it.
            let pieces = [[0x78, 0x01]] + runs + [bigEndian(adler32)]
            let idatType = Array("IDAT".utf8)
            var piece = 0, offset = 0, remaining = streamBytes
            repeat {
                let length = min(remaining, idatChunkBytes)
                try emit(bigEndian(UInt32(length)) + idatType)
                var crc = idatType.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
                var left = length
                while left > 0 {
                    let take = min(left, pieces[piece].count - offset)
                    if take > 0 {   // crc32 of a null buffer returns its initial value
                        crc = pieces[piece].withUnsafeBufferPointer { crc32(crc, $0.baseAddress! + offset, uInt(take)) }
                        try emit(pieces[piece], offset ..< offset + take)
                    }
                    offset += take; left -= take
                    if offset == pieces[piece].count { piece += 1; offset = 0 }
                }
                try emit(bigEndian(UInt32(truncatingIfNeeded: crc)))
                remaining -= length
            } while remaining > 0
            try chunk("IEND", [])
        }
    }

    /// PNG filter types this encoder writes (ISO/IEC 15948 § 9.2).
    enum RowFilter: UInt8 {
        /// Type 0: the row's bytes as they are.
        case none = 0
        /// Type 2: each byte minus the byte above it (the row above the image is zero).
        case up = 2
    }

    /// Scanlines `rows`, each its filter-type byte followed by the row filtered by `filter`.
    static func filtered(_ src: UnsafePointer<UInt8>, rowBytes: Int, rows: Range<Int>, filter: RowFilter) -> [UInt8] {
        let stride = rowBytes + 1
        return [UInt8](unsafeUninitializedCapacity: rows.count * stride) { dst, initialized in
            for (k, y) in rows.enumerated() {
                let line = dst.baseAddress! + k * stride
                line[0] = filter.rawValue
                let current = src + y * rowBytes
                if filter == .none || y == 0 {
                    (line + 1).initialize(from: current, count: rowBytes)
                } else {
                    let above = current - rowBytes
                    for x in 0 ..< rowBytes { line[1 + x] = current[x] &- above[x] }
                }
            }
            initialized = rows.count * stride
        }
    }

    /// Raw deflate of `data` with zlib's `strategy`; a sync flush ends a non-final run, Z_FINISH
    /// the final one.
    static func deflateRaw(_ data: [UInt8], level: Int32, strategy: Int32, final: Bool) -> [UInt8]? {
        var z = z_stream()
        guard dm_deflate_init_raw(&z, level, strategy) == Z_OK else { return nil }
        defer { deflateEnd(&z) }
        let bound = Int(deflateBound(&z, uLong(data.count))) + 16
        var out = [UInt8](repeating: 0, count: bound)
        var ok = false
        data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                z.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                z.avail_in = uInt(input.count)
                z.next_out = output.baseAddress
                z.avail_out = uInt(output.count)
                let rc = deflate(&z, final ? Z_FINISH : Z_SYNC_FLUSH)
                ok = final ? rc == Z_STREAM_END : rc == Z_OK && z.avail_in == 0
            }
        }
        guard ok else { return nil }
        // A copy of the exact length: removing the tail would keep the bound's capacity, and
        // the runs are held until the file is written.
        return Array(out[0 ..< Int(z.total_out)])
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
