// Uncompressed Windows BMP (BITMAPINFOHEADER and later headers), as written by
// JEOL microscopes: 1/4/8-bit palette, 16/24/32-bit colour (BI_RGB or
// BI_BITFIELDS), bottom-up or top-down rows. RLE-compressed BMPs are refused.
// Colour is reduced to gray with BT.601 luma, like TIFF and PNG.

import DendrometerCore

enum BMPReader {
    static func read(data: [UInt8], path: String, options: ReadOptions) throws(ImageIOError) -> (AnyImage, SourceMetadata) {
        func u16(_ o: Int) -> Int { Int(data[o]) | Int(data[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func i32(_ o: Int) -> Int { Int(Int32(bitPattern: UInt32(u32(o)))) }
        guard data.count >= 26 else { throw ImageIOError(.corrupt("BMP header is truncated (\(data.count) bytes)"), path: path) }
        let pixelOffset = u32(10)
        let headerSize = u32(14)
        guard headerSize >= 40, data.count >= 14 + headerSize else {
            throw ImageIOError(.unsupported("BMP info header of \(headerSize) bytes (expected 40 or more)"), path: path)
        }
        let width = i32(18), signedHeight = i32(22)
        let height = abs(signedHeight)
        let topDown = signedHeight < 0
        let bpp = u16(28), compression = u32(30)
        let paletteCount = u32(46)
        guard width > 0, height > 0 else { throw ImageIOError(.corrupt("image has zero or negative width/height"), path: path) }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= options.maximumPixels else {
            throw ImageIOError(.tooLarge(width: width, height: height, limit: options.maximumPixels), path: path)
        }
        guard [1, 4, 8, 16, 24, 32].contains(bpp) else {
            throw ImageIOError(.unsupported("BMP with \(bpp) bits per pixel"), path: path)
        }
        guard compression == 0 || compression == 3 else {
            throw ImageIOError(.unsupported("compressed BMP (compression \(compression)); only uncompressed BMP is read"), path: path)
        }
        let rowBytes = ((width * bpp + 31) / 32) * 4
        guard pixelOffset >= 14 + headerSize, pixelOffset + rowBytes * height <= data.count else {
            throw ImageIOError(.corrupt("pixel data is truncated: need \(rowBytes * height) bytes at offset \(pixelOffset), file has \(data.count)"), path: path)
        }
        // Palette: 4 bytes per entry (B, G, R, reserved) right after the info header.
        var lut = [UInt8]()
        if bpp <= 8 {
            let entries = paletteCount == 0 ? 1 << bpp : min(paletteCount, 1 << bpp)
            let start = 14 + headerSize
            guard start + entries * 4 <= pixelOffset else { throw ImageIOError(.corrupt("palette is truncated"), path: path) }
            lut = (0 ..< (1 << bpp)).map { i in
                guard i < entries else { return 0 }
                let b = Int(data[start + 4 * i]), g = Int(data[start + 4 * i + 1]), r = Int(data[start + 4 * i + 2])
                return UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
            }
        }
        // Channel masks for 16/32-bit pixels.
        var masks = bpp == 16 ? [0x7C00, 0x03E0, 0x001F] : [0xFF0000, 0x00FF00, 0x0000FF]
        if compression == 3 {
            guard data.count >= 66 || (headerSize == 40 && data.count >= 66) else { throw ImageIOError(.corrupt("bit-field masks are truncated"), path: path) }
            masks = [u32(54), u32(58), u32(62)]
        }
        func channel(_ v: Int, _ mask: Int) -> Int {
            guard mask != 0 else { return 0 }
            let shift = mask.trailingZeroBitCount
            let maxv = mask >> shift
            return ((v & mask) >> shift) * 255 / maxv
        }
        var out = [UInt8](repeating: 0, count: pixels)
        for y in 0 ..< height {
            let srcRow = pixelOffset + (topDown ? y : height - 1 - y) * rowBytes
            let dst = y * width
            switch bpp {
            case 8:
                for x in 0 ..< width { out[dst + x] = lut[Int(data[srcRow + x])] }
            case 1, 4:
                for x in 0 ..< width {
                    let bit = x * bpp
                    let byte = Int(data[srcRow + bit / 8])
                    let index = (byte >> (8 - bpp - bit % 8)) & ((1 << bpp) - 1)
                    out[dst + x] = lut[index]
                }
            case 24:
                for x in 0 ..< width {
                    let o = srcRow + 3 * x
                    let b = Int(data[o]), g = Int(data[o + 1]), r = Int(data[o + 2])
                    out[dst + x] = UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
                }
            default: // 16 or 32 with masks
                for x in 0 ..< width {
                    let v = bpp == 16 ? u16(srcRow + 2 * x) : u32(srcRow + 4 * x)
                    let r = channel(v, masks[0]), g = channel(v, masks[1]), b = channel(v, masks[2])
                    out[dst + x] = UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
                }
            }
        }
        let meta = SourceMetadata(format: .bmp, path: path, width: width, height: height,
                                  storedSampleFormat: "uint8", storedBitsPerSample: bpp <= 8 ? bpp : 8,
                                  samplesPerPixel: bpp <= 8 ? 1 : 3, compression: "none",
                                  photometric: bpp <= 8 ? "palette" : "rgb")
        return (.uint8(Image(width: width, height: height, pixels: out, bitDepth: 8)), meta)
    }
}
