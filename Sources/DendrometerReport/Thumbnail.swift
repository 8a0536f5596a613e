// Overlay thumbnails for report.html: area-averaging (box filter) downscale
// to at most 480 px wide, PNG-encoded and embedded as a base64 data URI.
// Box filter: each output pixel is the mean of the input pixels whose
// footprint [x·s, (x+1)·s) × [y·t, (y+1)·t) it covers (integer bounds).

import DendrometerCore
import DendrometerIO
import Foundation

/// Builds embedded thumbnails of overlay images.
enum Thumbnail {
    /// Largest thumbnail width, in px.
    static let maximumWidth = 480

    /// A `data:image/png;base64,…` URI for the image at `path`.
    ///
    /// A PNG at most `maxWidth` px wide is embedded as it is (colours kept).
    /// A wider PNG is read in colour (`PNGReader.readRGB`), each channel
    /// box-filtered down to `maxWidth` px wide (aspect kept) and re-encoded as an
    /// RGB PNG; other formats are reduced to gray first.
    static func dataURI(path: String, maxWidth: Int = maximumWidth) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError.missingFile(path) }
        return "data:image/png;base64," + Data(try reducedPNG(path: path, maxWidth: maxWidth) ?? [UInt8](data)).base64EncodedString()
    }

    /// The thumbnail of the image at `path` as PNG bytes, or nil when it is a PNG at most
    /// `maxWidth` px wide already (then the file itself is the thumbnail). Same reduction as
    /// ``dataURI(path:maxWidth:)``.
    static func reducedPNG(path: String, maxWidth: Int = maximumWidth) throws -> [UInt8]? {
        // Only the header is needed here; the file's bytes are not kept while it is decoded.
        let size: (width: Int, height: Int)?
        do {
            guard let data = FileManager.default.contents(atPath: path) else { throw ReportError.missingFile(path) }
            size = pngSize([UInt8](data.prefix(24)))
        }
        if let size, size.width <= maxWidth { return nil }
        // Colour PNGs (overlays) keep their colour: each channel is box-filtered where it lies in
        // the decoded samples (a 4096² overlay is decoded once, 48 MiB, and never copied).
        let samples: [UInt8], width: Int, height: Int, channels: Int
        if size != nil {
            let c = try PNGReader.readRGB(path)
            (samples, width, height, channels) = (c.rgb, c.width, c.height, 3)
        } else {
            let grey = toUInt8(try ImageFile.read(path).image)
            (samples, width, height, channels) = (grey.pixels, grey.width, grey.height, 1)
        }
        let outW = min(maxWidth, width)
        let outH = max(1, Int(saturating: (Double(height) * Double(outW) / Double(width)).rounded()))
        let small = boxDownscale(samples, width: width, height: height, channels: channels, toWidth: outW, height: outH)
        if channels == 3 { return try PNGWriter.encodeRGB(small, width: outW, height: outH, path: path) }
        var rgb = [UInt8](repeating: 0, count: 3 * outW * outH)
        for i in 0 ..< outW * outH { for k in 0 ..< 3 { rgb[3 * i + k] = small[i] } }
        return try PNGWriter.encodeRGB(rgb, width: outW, height: outH, path: path)
    }

    /// Width and height from a PNG's IHDR chunk, or `nil` when `bytes` is not a PNG.
    static func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 24, Array(bytes[0 ..< 8]) == signature else { return nil }
        func be32(_ o: Int) -> Int { bytes[o ..< o + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    /// Samples scaled to 0…255 (integer images by their bit depth, float images clamped to 0…1).
    static func toUInt8(_ image: AnyImage) -> Image<UInt8> {
        switch image {
        case .uint8(let i): return i
        case .uint16(let i):
            let scale = 255.0 / Double((1 << max(1, min(16, i.bitDepth))) - 1)
            return i.map(bitDepth: 8) { UInt8(saturating: min(255, (Double($0) * scale).rounded())) }
        case .float32(let i):
            return i.map(bitDepth: 8) { UInt8(saturating: min(255, max(0, Double($0) * 255).rounded())) }
        }
    }

    /// Box-filter downscale of `image` to `width` × `height` px (each ≤ the input's).
    ///
    /// Output pixel (x, y) averages input columns ⌊x·W/w⌋ ..< max(⌊x·W/w⌋+1, ⌊(x+1)·W/w⌋)
    /// and the same for rows, rounding to nearest. Example: a 4×1 row [0, 10, 20, 30]
    /// to 2×1 gives [5, 25]. Complexity O(W·H).
    static func boxDownscale(_ image: Image<UInt8>, width: Int, height: Int) -> [UInt8] {
        boxDownscale(image.pixels, width: image.width, height: image.height, channels: 1, toWidth: width, height: height)
    }

    /// The same box filter on `channels` interleaved samples per pixel (W × H px), each channel on
    /// its own; the result is interleaved the same way. Example: the 2×1 RGB row
    /// [0, 100, 7, 10, 200, 8] to 1×1 gives [5, 150, 8] (7.5 rounds to 8).
    static func boxDownscale(_ samples: [UInt8], width w: Int, height h: Int, channels: Int, toWidth width: Int, height: Int) -> [UInt8] {
        precondition(width >= 1 && height >= 1 && width <= w && height <= h && channels >= 1 && samples.count >= w * h * channels)
        let x0 = (0 ... width).map { $0 * w / width }, y0 = (0 ... height).map { $0 * h / height }
        var out = [UInt8](repeating: 0, count: width * height * channels)
        samples.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0 ..< height {
                    let ya = y0[oy], yb = max(ya + 1, y0[oy + 1])
                    for ox in 0 ..< width {
                        let xa = x0[ox], xb = max(xa + 1, x0[ox + 1])
                        let n = (yb - ya) * (xb - xa)
                        for c in 0 ..< channels {
                            var sum = 0
                            for y in ya ..< yb { for x in xa ..< xb { sum += Int(src[(y * w + x) * channels + c]) } }
                            dst[(oy * width + ox) * channels + c] = UInt8((sum + n / 2) / n)
                        }
                    }
                }
            }
        }
        return out
    }
}
