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
// deflated with Z_RLE: matches only at distance 1, i.e. runs of one index
// (the anode layer, the dendrites' tint, the drawn lines), Huffman codes for
// the rest. A micrograph's grey noise leaves LZ77 little to find elsewhere,
// so the long match search costs time and gains nothing. Measured on the
// dense 4096² overlay (Python's zlib, level 1, one core): Up + default
// 12.93 MB in 402 ms, None + Z_RLE 11.35 MB in 140 ms.

import CZlibSystem
import DendrometerCore

/// Encodes 8-bit gray, RGB or palette images as PNG on all cores (zlib level 1; Up filter for
/// gray and RGB, no filter and run-length matching for palette indices).
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
                            if let bytes = deflateRaw(scanlines, level: level, strategy: indexed ? Z_RLE : Z_DEFAULT_STRATEGY,
                                                      final: run == runs - 1) {
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

        var stream = [UInt8]()
        stream.reserveCapacity(compressed.reduce(6) { $0 + $1.count })
        stream += [0x78, 0x01]
        for run in compressed { stream += run }
        stream += bigEndian(UInt32(truncatingIfNeeded: adler))

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(stream.count + stream.count / idatChunkBytes * 12 + 64)
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
            + [8, palette != nil ? 3 : (channels == 3 ? 2 : 0), 0, 0, 0]   // bit depth, colour type, compression, filter, interlace
        appendChunk("IHDR", header[...], to: &png)
        if let palette { appendChunk("PLTE", palette[...], to: &png) }
        var offset = 0
        repeat {
            let end = min(stream.count, offset + idatChunkBytes)
            appendChunk("IDAT", stream[offset ..< end], to: &png)
            offset = end
        } while offset < stream.count
        appendChunk("IEND", [][...], to: &png)
        return png
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
        out.removeLast(out.count - Int(z.total_out))
        return out
    }

    /// Appends one PNG chunk: length, type, data, CRC-32 of type and data.
    static func appendChunk(_ type: String, _ data: ArraySlice<UInt8>, to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png += bigEndian(UInt32(data.count))
        png += typeBytes
        png += data
        var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        png += bigEndian(UInt32(truncatingIfNeeded: crc))
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
