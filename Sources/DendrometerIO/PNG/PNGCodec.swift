// PNG decoding and encoding through libpng (via the setjmp-safe C shim).
// 16-bit samples are kept exact (no gamma or colour management); low bit
// depths are scaled to 8 bits by libpng; palette images are expanded and
// reduced to BT.601 luma like TIFF; alpha is ignored.

import CPNG
import DendrometerCore

enum PNGCodec {
    /// Largest expansion of a deflate stream (RFC 1951: a 258-byte match costs at least 2 bits).
    static let deflateMaximumRatio = 1032
    /// Allowance for zlib and chunk overhead in that bound, bytes.
    static let deflateSlackBytes = 4096

    /// Validate, then allocate: deflate expands at most ``deflateMaximumRatio``-fold, so a file
    /// must hold at least that fraction of its filtered rows, counted at 1 bit per pixel (the
    /// least any PNG stores). A header claiming more than its data can hold is refused before
    /// any buffer is made (a 69-byte file claiming 2·10⁹ × 1 RGBA16 pixels).
    /// The same check straight from the IHDR chunk (bytes 16 … 23, big-endian width and height),
    /// before libpng sees the file: libpng allocates and clears a whole row while reading the
    /// header, 16 GB for a claimed 2·10⁹-pixel RGBA16 row.
    static func checkHeaderAgainstData(_ data: [UInt8], path: String) throws(ImageIOError) {
        guard data.count >= 24 else { return }  // too short for a header: libpng reports it
        func be32(_ i: Int) -> Int { Int(data[i]) << 24 | Int(data[i + 1]) << 16 | Int(data[i + 2]) << 8 | Int(data[i + 3]) }
        try checkDataCanHold(width: be32(16), height: be32(20), fileBytes: data.count, path: path)
    }

    /// Every chunk's length (4 bytes, big-endian, before its type) must fit in the bytes the file
    /// has left: libpng allocates a text chunk's claimed length before reading it, so a 105-byte
    /// file claiming a 2 GB `tEXt` cost 2 GB. Walks the chunk list up to IEND; O(chunks).
    static func checkChunkLengths(_ data: [UInt8], path: String) throws(ImageIOError) {
        var offset = 8   // after the signature
        while offset + 8 <= data.count {
            let length = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            let type = String(decoding: data[offset + 4 ..< offset + 8].map { (0x20 ... 0x7E).contains($0) ? $0 : 0x3F }, as: UTF8.self)
            if type == "IEND" { return }   // nothing after it is read
            let left = data.count - offset - 12   // after this chunk's length, type and CRC
            guard length <= left else {
                throw ImageIOError(.corrupt("chunk \(type) claims \(length) bytes but the file has \(max(0, left)) left"), path: path)
            }
            offset += 12 + length
        }
    }

    static func checkDataCanHold(width: Int, height: Int, fileBytes: Int, path: String) throws(ImageIOError) {
        let leastStoredBytes = height * ((width + 7) / 8 + 1)
        guard leastStoredBytes / deflateMaximumRatio <= fileBytes + deflateSlackBytes else {
            throw ImageIOError(.corrupt("the header claims \(width)×\(height) pixels, but the file's \(fileBytes) bytes cannot hold them (deflate expands at most \(deflateMaximumRatio)-fold)"), path: path)
        }
    }

    /// Decodes a PNG held in `data`.
    static func read(data: [UInt8], path: String, options: ReadOptions) throws(ImageIOError) -> (AnyImage, SourceMetadata) {
        var status = dm_png_status()
        var info = dm_png_info()
        try checkHeaderAgainstData(data, path: path)
        try checkChunkLengths(data, path: path)
        let maxDimension = UInt32(clamping: min(options.maximumPixels, Int(UInt32.max)))
        // First pass: header only, to check the size before allocating.
        let probe = data.withUnsafeBufferPointer {
            dm_png_decode($0.baseAddress, $0.count, &status, &info, nil, 0, maxDimension)
        }
        if probe == -1 { throw ImageIOError(.corrupt(message(of: &status)), path: path) }
        let width = Int(info.width), height = Int(info.height)
        guard width > 0, height > 0 else {
            throw ImageIOError(.corrupt("image has zero width or height"), path: path)
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= options.maximumPixels else {
            throw ImageIOError(.tooLarge(width: width, height: height, limit: options.maximumPixels), path: path)
        }
        try checkDataCanHold(width: width, height: height, fileBytes: data.count, path: path)
        let storedDepth = Int(info.bit_depth)
        let colorType = Int(info.color_type)
        let channels = Int(info.channels)
        let bytesPerSample = storedDepth == 16 ? 2 : 1
        let byteCount = pixels * channels * bytesPerSample
        var raw = [UInt8](repeating: 0, count: byteCount)
        let rc = raw.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer {
                dm_png_decode($0.baseAddress, $0.count, &status, &info, out.baseAddress, out.count, maxDimension)
            }
        }
        guard rc == 0 else { throw ImageIOError(.corrupt(rc == -2 ? "decoded size mismatch" : message(of: &status)), path: path) }

        let outChannels = Int(info.channels), depth = Int(info.bit_depth)
        let colour = outChannels >= 3
        var meta = SourceMetadata(
            format: .png, path: path, width: width, height: height,
            storedSampleFormat: storedDepth == 16 ? "uint16" : "uint8", storedBitsPerSample: storedDepth,
            samplesPerPixel: channels, compression: "deflate",
            photometric: colorType == 3 ? "palette" : (colour ? "rgb" : "minisblack"))
        if status.warning_count > 0 {
            let w = withUnsafeBytes(of: status.last_warning) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            meta.warnings.append("libpng: \(w)")
        }
        if outChannels == 2 || outChannels == 4 { meta.warnings.append("alpha channel ignored") }

        if depth == 16 {
            var gray = [UInt16](repeating: 0, count: pixels)
            raw.withUnsafeBytes { src in
                let s = src.bindMemory(to: UInt16.self)
                for i in 0 ..< pixels {
                    if colour {
                        let r = Int(s[i * outChannels]), g = Int(s[i * outChannels + 1]), b = Int(s[i * outChannels + 2])
                        gray[i] = UInt16((r * 299 + g * 587 + b * 114 + 500) / 1000)
                    } else {
                        gray[i] = s[i * outChannels]
                    }
                }
            }
            return (.uint16(Image(width: width, height: height, pixels: gray, bitDepth: 16)), meta)
        }
        if outChannels == 1 {
            return (.uint8(Image(width: width, height: height, pixels: raw, bitDepth: 8)), meta)
        }
        var gray = [UInt8](repeating: 0, count: pixels)
        for i in 0 ..< pixels {
            if colour {
                let r = Int(raw[i * outChannels]), g = Int(raw[i * outChannels + 1]), b = Int(raw[i * outChannels + 2])
                gray[i] = UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
            } else {
                gray[i] = raw[i * outChannels]
            }
        }
        return (.uint8(Image(width: width, height: height, pixels: gray, bitDepth: 8)), meta)
    }

    /// Decodes to interleaved 8-bit RGB: gray replicated, alpha dropped, 16-bit → high byte.
    static func readRGB(data: [UInt8], path: String, options: ReadOptions) throws(ImageIOError) -> (rgb: [UInt8], width: Int, height: Int) {
        var status = dm_png_status()
        var info = dm_png_info()
        try checkHeaderAgainstData(data, path: path)
        try checkChunkLengths(data, path: path)
        let maxDimension = UInt32(clamping: min(options.maximumPixels, Int(UInt32.max)))
        let probe = data.withUnsafeBufferPointer { dm_png_decode($0.baseAddress, $0.count, &status, &info, nil, 0, maxDimension) }
        if probe == -1 { throw ImageIOError(.corrupt(message(of: &status)), path: path) }
        let width = Int(info.width), height = Int(info.height)
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, pixels <= options.maximumPixels else {
            throw ImageIOError(.tooLarge(width: width, height: height, limit: options.maximumPixels), path: path)
        }
        try checkDataCanHold(width: width, height: height, fileBytes: data.count, path: path)
        let channels = Int(info.channels), bytes = Int(info.bit_depth) == 16 ? 2 : 1
        var raw = [UInt8](repeating: 0, count: pixels * channels * bytes)
        let rc = raw.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { dm_png_decode($0.baseAddress, $0.count, &status, &info, out.baseAddress, out.count, maxDimension) }
        }
        guard rc == 0 else { throw ImageIOError(.corrupt(message(of: &status)), path: path) }
        // 8-bit RGB (and palette, which the decoder expands) is already the answer: no copy.
        if channels == 3 && bytes == 1 { return (raw, width, height) }
        var rgb = [UInt8](repeating: 0, count: 3 * pixels)
        for i in 0 ..< pixels {
            for c in 0 ..< 3 {
                let source = channels >= 3 ? c : 0
                // Host little-endian 16-bit samples: the high byte is the second.
                rgb[3 * i + c] = raw[(i * channels + source) * bytes + bytes - 1]
            }
        }
        return (rgb, width, height)
    }

    /// Encodes interleaved 8- or 16-bit samples (`channels` 1, 3 or 4) as PNG bytes.
    static func encode(samples: UnsafeRawBufferPointer, width: Int, height: Int, channels: Int, bitDepth: Int,
                       compression: PNGCompression = .small, path: String) throws(ImageIOError) -> [UInt8] {
        precondition(samples.count >= width * height * channels * (bitDepth / 8))
        if compression == .fast && bitDepth == 8 && (channels == 1 || channels == 3) && width > 0 && height > 0 {
            return try ParallelPNGEncoder.encode(samples, width: width, height: height, channels: channels,
                                                 level: Int32(compression.zlibLevel), path: path)
        }
        var status = dm_png_status()
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        let rc = dm_png_encode(samples.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(width), UInt32(height),
                               Int32(channels), Int32(bitDepth), Int32(compression.zlibLevel), compression.filters,
                               &status, &out, &size)
        guard rc == 0, let out else { throw ImageIOError(.writeFailed(message(of: &status)), path: path) }
        defer { dm_png_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }

    private static func message(of status: inout dm_png_status) -> String {
        let m = withUnsafeBytes(of: status.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        return m.isEmpty ? "libpng could not decode the file" : m
    }
}
