import CZlibSystem
import DendrometerCore
@testable import DendrometerIO
import DendrometerTestSupport
import Foundation
import Testing

/// A fresh temporary directory per test, removed when the tests end.
func temporaryDirectory() -> String {
    Scratch.directory("dendrometer-io")
}

/// A deterministic test pattern of any sample type.
func pattern<P: PixelSample>(_ type: P.Type, width: Int = 37, height: Int = 23, seed: UInt64 = 1, _ make: (UInt64) -> P) -> Image<P> {
    var rng = SplitMix64(seed: seed)
    return Image(width: width, height: height, pixels: (0 ..< width * height).map { _ in make(rng.next()) })
}

struct TIFFLayoutCase: CustomStringConvertible, Sendable {
    var options: TIFFWriteOptions
    var description: String {
        "\(options.compression) \(options.tileSize.map { "tiles \($0)" } ?? "strips") \(options.bigEndian ? "BE" : "LE")\(options.bigTIFF ? " BigTIFF" : "")"
    }
    static let all: [TIFFLayoutCase] = TIFFCompression.allCases.flatMap { c in
        [nil, 16].flatMap { tile in
            [false, true].flatMap { be in
                [false, true].map { big in
                    TIFFLayoutCase(options: TIFFWriteOptions(compression: c, tileSize: tile, rowsPerStrip: tile == nil ? 5 : nil,
                                                              bigEndian: be, bigTIFF: big))
                }
            }
        }
    }
}

@Suite("TIFF write → read round trips")
struct TIFFRoundTripTests {
    @Test("8-, 16-bit and float32 gray survive every layout exactly", arguments: TIFFLayoutCase.all)
    func grayLayouts(_ layout: TIFFLayoutCase) throws {
        let dir = temporaryDirectory()
        let u8 = pattern(UInt8.self) { UInt8(truncatingIfNeeded: $0) }
        let u16 = pattern(UInt16.self) { UInt16(truncatingIfNeeded: $0) }
        let f32 = pattern(Float.self) { Float(Int64(bitPattern: $0) % 100_000) / 7 }
        try TIFFWriter.write(u8, to: "\(dir)/u8.tif", options: layout.options)
        try TIFFWriter.write(u16, to: "\(dir)/u16.tif", options: layout.options)
        try TIFFWriter.write(f32, to: "\(dir)/f32.tif", options: layout.options)
        #expect(try ImageFile.read("\(dir)/u8.tif").image == .uint8(u8))
        #expect(try ImageFile.read("\(dir)/u16.tif").image == .uint16(u16))
        #expect(try ImageFile.read("\(dir)/f32.tif").image == .float32(f32))
        let meta = try ImageFile.readMetadata("\(dir)/u16.tif")
        #expect(meta.format == (layout.options.bigTIFF ? .bigtiff : .tiff))
        #expect(meta.isTiled == (layout.options.tileSize != nil))
    }

    @Test("RGB, contiguous and planar, reduces to BT.601 luma", arguments: [false, true])
    func rgb(separatePlanes: Bool) throws {
        let dir = temporaryDirectory()
        // Pixels: gray (90,90,90) → 90; pure red 200 → 0.299·200 = 59.8 → 60;
        // pure green 200 → 117.4 → 117; pure blue 200 → 22.8 → 23.
        let bytes: [UInt8] = [90, 90, 90, 200, 0, 0, 0, 200, 0, 0, 0, 200]
        let raster = TIFFRaster(width: 4, height: 1, samplesPerPixel: 3, bitsPerSample: 8, photometric: .rgb, bytes: bytes)
        try TIFFWriter.write(pages: [raster], to: "\(dir)/rgb.tif",
                             options: TIFFWriteOptions(compression: .lzw, separatePlanes: separatePlanes))
        #expect(try ImageFile.read("\(dir)/rgb.tif").image == .uint8(Image(width: 4, height: 1, pixels: [90, 60, 117, 23])))
    }

    @Test("16-bit RGB keeps 16-bit precision: (1000, 1000, 1000) → 1000, red 60000 → 17940")
    func rgb16() throws {
        let dir = temporaryDirectory()
        let samples: [UInt16] = [1000, 1000, 1000, 60000, 0, 0]
        let raster = TIFFRaster(width: 2, height: 1, samplesPerPixel: 3, bitsPerSample: 16, photometric: .rgb,
                                bytes: samples.withUnsafeBytes { Array($0) })
        try TIFFWriter.write(pages: [raster], to: "\(dir)/rgb16.tif", options: TIFFWriteOptions(tileSize: 16))
        #expect(try ImageFile.read("\(dir)/rgb16.tif").image == .uint16(Image(width: 2, height: 1, pixels: [1000, 17940])))
    }

    @Test("gray + alpha keeps the gray sample and warns that alpha is ignored")
    func grayAlpha() throws {
        let dir = temporaryDirectory()
        let raster = TIFFRaster(width: 2, height: 1, samplesPerPixel: 2, bitsPerSample: 8, bytes: [10, 255, 200, 0])
        try TIFFWriter.write(pages: [raster], to: "\(dir)/ga.tif", options: TIFFWriteOptions(compression: .packbits, separatePlanes: true))
        let loaded = try ImageFile.read("\(dir)/ga.tif")
        #expect(loaded.image == .uint8(Image(width: 2, height: 1, pixels: [10, 200])))
        #expect(loaded.metadata.warnings.contains { $0.contains("alpha") })
    }

    @Test("4-bit palette maps indices through the colour map")
    func palette4() throws {
        let dir = temporaryDirectory()
        // Gray ramp colour map: entry i = i·17·257 (16-bit), i.e. 8-bit i·17.
        let ramp = (0 ..< 16).map { UInt16($0 * 17 * 257) }
        // Indices 0, 15, 3, 8 packed two per byte (high nibble first).
        let raster = TIFFRaster(width: 4, height: 1, bitsPerSample: 4,
                                photometric: .palette(red: ramp, green: ramp, blue: ramp), bytes: [0x0F, 0x38])
        try TIFFWriter.write(pages: [raster], to: "\(dir)/pal.tif")
        let loaded = try ImageFile.read("\(dir)/pal.tif")
        #expect(loaded.image == .uint8(Image(width: 4, height: 1, pixels: [0, 255, 51, 136])))
        #expect(loaded.metadata.photometric == "palette")
    }

    @Test("1-bit MinIsWhite is inverted so that phase = 1 means bright")
    func bilevelMinIsWhite() throws {
        let dir = temporaryDirectory()
        // Bits 1,0,1,1,0,0,0,0 → after inversion 0,1,0,0,1,1,1,1.
        let raster = TIFFRaster(width: 8, height: 1, bitsPerSample: 1, photometric: .minIsWhite, bytes: [0b1011_0000])
        try TIFFWriter.write(pages: [raster], to: "\(dir)/bw.tif")
        let loaded = try ImageFile.read("\(dir)/bw.tif")
        #expect(loaded.image == .uint8(Image(width: 8, height: 1, pixels: [0, 1, 0, 0, 1, 1, 1, 1], bitDepth: 1)))
        #expect(loaded.metadata.storedSampleFormat == "bool")
    }

    @Test("12-bit packed samples unpack big-endian: 0xABC, 0x123")
    func packed12() throws {
        let dir = temporaryDirectory()
        let raster = TIFFRaster(width: 2, height: 1, bitsPerSample: 12, bytes: [0xAB, 0xC1, 0x23])
        try TIFFWriter.write(pages: [raster], to: "\(dir)/p12.tif")
        #expect(try ImageFile.read("\(dir)/p12.tif").image == .uint16(Image(width: 2, height: 1, pixels: [0xABC, 0x123], bitDepth: 12)))
    }

    @Test("signed int16 and float64 become float32 with their values")
    func signedAndDouble() throws {
        let dir = temporaryDirectory()
        let ints: [Int16] = [-32768, -1, 0, 32767]
        try TIFFWriter.write(pages: [TIFFRaster(width: 4, height: 1, bitsPerSample: 16, sampleKind: .signed,
                                                bytes: ints.withUnsafeBytes { Array($0) })], to: "\(dir)/i16.tif",
                             options: TIFFWriteOptions(bigEndian: true))
        #expect(try ImageFile.read("\(dir)/i16.tif").image == .float32(Image(width: 4, height: 1, pixels: [-32768, -1, 0, 32767])))
        let doubles: [Double] = [-1.5, 0, 2.25, 1e6]
        try TIFFWriter.write(pages: [TIFFRaster(width: 2, height: 2, bitsPerSample: 64, sampleKind: .float,
                                                bytes: doubles.withUnsafeBytes { Array($0) })], to: "\(dir)/f64.tif",
                             options: TIFFWriteOptions(compression: .deflate))
        let loaded = try ImageFile.read("\(dir)/f64.tif")
        #expect(loaded.image == .float32(Image(width: 2, height: 2, pixels: [-1.5, 0, 2.25, 1e6])))
        #expect(loaded.metadata.storedSampleFormat == "float64")
    }

    @Test("a float32 raster filled in place reads back sample for sample (NaN too); deflate level 1 and 9 decode the same, 9 smaller")
    func floatRasterFilledInPlaceAndDeflateLevels() throws {
        let dir = temporaryDirectory()
        let w = 256, h = 128
        func value(_ x: Int, _ y: Int) -> Float { (x ^ y) % 5 == 0 ? .nan : Float((x * 7 + y * 3) % 61) * 0.25 }
        let raster = TIFFRaster.float32(width: w, height: h, fill: .nan) { samples in
            for y in 0 ..< h { for x in 0 ..< w { samples[y * w + x] = value(x, y) } }
        }
        var sizes = [Int]()
        for level in [1, 9] {
            let path = "\(dir)/depth\(level).tif"
            try TIFFWriter.write(pages: [raster], to: path, options: TIFFWriteOptions(compression: .deflate, deflateLevel: level))
            guard case .float32(let back) = try ImageFile.read(path).image else { Issue.record("not read as float32"); return }
            #expect(back.width == w && back.height == h)
            var mismatches = 0
            for y in 0 ..< h { for x in 0 ..< w {
                let a = back.pixels[y * w + x], b = value(x, y)
                if !(a == b || (a.isNaN && b.isNaN)) { mismatches += 1 }
            } }
            #expect(mismatches == 0)
            sizes.append(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
        }
        #expect(sizes[1] < sizes[0], "level 1: \(sizes[0]) bytes, level 9: \(sizes[1]) bytes")
    }

    @Test("multi-page: each page reads back; a missing page is a clear error")
    func multiPage() throws {
        let dir = temporaryDirectory()
        let pages = (0 ..< 3).map { p in Image<UInt8>(width: 5, height: 4, fill: UInt8(10 * (p + 1))) }
        try TIFFWriter.write(pages: pages.map(TIFFRaster.init), to: "\(dir)/multi.tif")
        for p in 0 ..< 3 {
            let loaded = try ImageFile.read("\(dir)/multi.tif", options: ReadOptions(page: p))
            #expect(loaded.image == .uint8(pages[p]))
            #expect(loaded.metadata.pageCount == 3 && loaded.metadata.pageIndex == p)
        }
        #expect(throws: ImageIOError(.pageOutOfRange(requested: 3, available: 3), path: "\(dir)/multi.tif")) {
            _ = try ImageFile.read("\(dir)/multi.tif", options: ReadOptions(page: 3))
        }
    }
}

@Suite("PNG and BMP")
struct PNGAndBMPTests {
    @Test("8- and 16-bit gray PNG round trip exactly")
    func pngGray() throws {
        let dir = temporaryDirectory()
        let u8 = pattern(UInt8.self) { UInt8(truncatingIfNeeded: $0) }
        let u16 = pattern(UInt16.self) { UInt16(truncatingIfNeeded: $0) }
        try PNGWriter.write(u8, to: "\(dir)/a.png")
        try PNGWriter.write(u16, to: "\(dir)/b.png")
        #expect(try ImageFile.read("\(dir)/a.png").image == .uint8(u8))
        #expect(try ImageFile.read("\(dir)/b.png").image == .uint16(u16))
        #expect(try ImageFile.read("\(dir)/b.png").metadata.storedBitsPerSample == 16)
    }

    @Test("RGB PNG reduces to BT.601 luma")
    func pngRGB() throws {
        let dir = temporaryDirectory()
        try PNGWriter.writeRGB([90, 90, 90, 200, 0, 0], width: 2, height: 1, to: "\(dir)/c.png")
        #expect(try ImageFile.read("\(dir)/c.png").image == .uint8(Image(width: 2, height: 1, pixels: [90, 60])))
    }

    @Test("fast RGB PNGs (deflated in parallel runs of rows) decode exactly with libpng",
          arguments: [(1, 1), (7, 5), (33, 300), (130, 257)])
    func fastRGB(size: (Int, Int)) throws {
        let (w, h) = size
        let dir = temporaryDirectory()
        var rng = SplitMix64(seed: UInt64(w * 1000 + h))
        // Smooth ramps (long matches) in the top half, noise (literals) below.
        let rgb = (0 ..< 3 * w * h).map { i -> UInt8 in
            i / (3 * w) < h / 2 ? UInt8(truncatingIfNeeded: i / 3 % w) : UInt8(truncatingIfNeeded: rng.next())
        }
        try PNGWriter.writeRGB(rgb, width: w, height: h, compression: .fast, to: "\(dir)/f.png")
        let back = try PNGReader.readRGB("\(dir)/f.png")
        #expect(back.width == w && back.height == h)
        #expect(back.rgb == rgb)
    }

    @Test("indexed PNGs (parallel runs, rows unfiltered, run-length deflate) decode exactly, every row filter type 0",
          arguments: [(1, 1), (9, 4), (130, 300)])
    func fastIndexed(size: (Int, Int)) throws {
        let (w, h) = size
        let dir = temporaryDirectory()
        var rng = SplitMix64(seed: UInt64(w * 1000 + h))
        // Long runs of one index (a layer, a tint) in the top third, noise over 40 entries below.
        let indices = (0 ..< w * h).map { (i: Int) -> UInt8 in
            let row: Int = i / w
            return row < h / 3 ? UInt8(row % 3) : UInt8(rng.next() % 40)
        }
        var palette = [UInt8]()
        for k in 0 ..< 40 { palette += [UInt8(k * 6), UInt8(255 - k * 6), UInt8(k * 3)] }
        try PNGWriter.writeIndexed(indices, palette: palette, width: w, height: h, to: "\(dir)/i.png")
        let back = try PNGReader.readRGB("\(dir)/i.png")
        #expect(back.width == w && back.height == h)
        var expected = [UInt8]()
        for index in indices { expected += palette[3 * Int(index) ..< 3 * Int(index) + 3] }
        #expect(back.rgb == expected)
        // The filter byte that starts each of the h scanlines of the inflated IDAT stream.
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/i.png")))
        var stream = [UInt8](), at = 8
        while at + 8 <= png.count {
            let length: Int = png[at ..< at + 4].reduce(0) { (sum: Int, byte: UInt8) in sum << 8 | Int(byte) }
            if String(decoding: png[at + 4 ..< at + 8], as: UTF8.self) == "IDAT" { stream += png[at + 8 ..< at + 8 + length] }
            at += 12 + length
        }
        var raw = [UInt8](repeating: 0xFF, count: h * (w + 1))
        var rawLength = uLongf(raw.count)
        #expect(uncompress(&raw, &rawLength, stream, uLong(stream.count)) == Z_OK)
        #expect(Int(rawLength) == raw.count)
        #expect((0 ..< h).allSatisfy { raw[$0 * (w + 1)] == 0 })
    }

    @Test("a fast PNG written piece by piece to its file equals the one laid out in memory, IDAT chunks of 1 MiB spanning runs")
    func streamedEqualsInMemory() throws {
        // Noise is incompressible: 700 × 600 RGB deflates to more than 1 MiB, so the zlib stream
        // fills a whole IDAT chunk, whose end falls inside a run of rows, and starts a second.
        let (w, h) = (700, 600)
        var rng = SplitMix64(seed: 7)
        let rgb = (0 ..< 3 * w * h).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let dir = temporaryDirectory()
        try PNGWriter.writeRGB(rgb, width: w, height: h, compression: .fast, to: "\(dir)/s.png")
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/s.png")))
        let inMemory = try PNGWriter.encodeRGB(rgb, width: w, height: h, compression: .fast)
        #expect(written == inMemory)
        var idatLengths = [Int](), at = 8
        while at + 8 <= written.count {
            let length: Int = written[at ..< at + 4].reduce(0) { (sum: Int, byte: UInt8) in sum << 8 | Int(byte) }
            if String(decoding: written[at + 4 ..< at + 8], as: UTF8.self) == "IDAT" { idatLengths.append(length) }
            at += 12 + length
        }
        #expect(at == written.count)
        #expect(idatLengths.count == 2 && idatLengths[0] == 1 << 20)
        #expect(try PNGReader.readRGB("\(dir)/s.png").rgb == rgb)
    }

    @Test("fast gray PNG (parallel path) decodes exactly")
    func fastGray() throws {
        let dir = temporaryDirectory()
        let image = Image<UInt8>(width: 41, height: 270, pixels: (0 ..< 41 * 270).map { UInt8(truncatingIfNeeded: $0 * 7 / 5) })
        let bytes = try image.pixels.withBytes { (raw) throws(ImageIOError) in
            try PNGCodec.encode(samples: raw, width: 41, height: 270, channels: 1, bitDepth: 8, compression: .fast, path: "g.png")
        }
        #expect(FileManager.default.createFile(atPath: "\(dir)/g.png", contents: Data(bytes)))
        #expect(try ImageFile.read("\(dir)/g.png").image == .uint8(image))
    }

    /// A hand-built BMP: 8-bit palette or 24-bit, bottom-up rows padded to 4 bytes.
    static func bmp(width: Int, height: Int, bitsPerPixel: Int, palette: [[UInt8]], rowsBottomUp: [[UInt8]]) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0 ..< 4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let rowBytes = ((width * bitsPerPixel + 31) / 32) * 4
        let offset = 14 + 40 + 4 * palette.count
        var out: [UInt8] = [0x42, 0x4D] + le32(offset + rowBytes * height) + [0, 0, 0, 0] + le32(offset)
        out += le32(40) + le32(width) + le32(height) + le16(1) + le16(bitsPerPixel) + le32(0) + le32(rowBytes * height)
        out += le32(2835) + le32(2835) + le32(palette.count) + le32(0)
        for p in palette { out += p }
        for row in rowsBottomUp { out += row + [UInt8](repeating: 0, count: rowBytes - row.count) }
        return out
    }

    @Test("8-bit palette BMP, bottom-up rows")
    func bmpPalette() throws {
        let dir = temporaryDirectory()
        // Palette (B, G, R, 0): 0 black, 1 white, 2 gray 128. Top row [1, 2, 0], bottom row [0, 0, 1].
        let data = Self.bmp(width: 3, height: 2, bitsPerPixel: 8,
                            palette: [[0, 0, 0, 0], [255, 255, 255, 0], [128, 128, 128, 0]],
                            rowsBottomUp: [[0, 0, 1], [1, 2, 0]])
        #expect(FileManager.default.createFile(atPath: "\(dir)/p.bmp", contents: Data(data)))
        let loaded = try ImageFile.read("\(dir)/p.bmp")
        #expect(loaded.image == .uint8(Image(width: 3, height: 2, pixels: [255, 128, 0, 0, 0, 255])))
        #expect(loaded.metadata.format == .bmp)
    }

    @Test("24-bit BMP: B, G, R order; red 200 → 60")
    func bmp24() throws {
        let dir = temporaryDirectory()
        let data = Self.bmp(width: 2, height: 1, bitsPerPixel: 24, palette: [], rowsBottomUp: [[0, 0, 200, 50, 50, 50]])
        #expect(FileManager.default.createFile(atPath: "\(dir)/c.bmp", contents: Data(data)))
        #expect(try ImageFile.read("\(dir)/c.bmp").image == .uint8(Image(width: 2, height: 1, pixels: [60, 50])))
    }
}

@Suite("Vendor tags")
struct VendorTagWriteTests {
    @Test("text tags unknown to libtiff (FEI 34682) are written and read back byte for byte")
    func feiTag() throws {
        let dir = temporaryDirectory()
        let ini = "[Scan]\r\nPixelWidth=2.5e-007\r\n[Image]\r\nResolutionY=4\r\n"
        try TIFFWriter.write(Image<UInt8>(width: 4, height: 6), to: "\(dir)/fei.tif",
                             options: TIFFWriteOptions(textTags: [34682: ini, 270: "hello"]))
        let meta = try ImageFile.readMetadata("\(dir)/fei.tif")
        #expect(meta.textTags[34682] == ini)
        #expect(meta.textTags[270] == "hello")
    }
}

@Suite("PNG colour reading")
struct PNGColourTests {
    @Test("RGB PNG read back in colour exactly; gray PNG replicated")
    func rgb() throws {
        let dir = temporaryDirectory()
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
        try PNGWriter.writeRGB(rgb, width: 2, height: 2, to: "\(dir)/c.png")
        let back = try PNGReader.readRGB("\(dir)/c.png")
        #expect(back.rgb == rgb && back.width == 2 && back.height == 2)
        try PNGWriter.write(Image<UInt8>(width: 1, height: 1, pixels: [77]), to: "\(dir)/g.png")
        #expect(try PNGReader.readRGB("\(dir)/g.png").rgb == [77, 77, 77])
        try PNGWriter.write(Image<UInt16>(width: 1, height: 1, pixels: [0xABCD]), to: "\(dir)/g16.png")
        #expect(try PNGReader.readRGB("\(dir)/g16.png").rgb == [0xAB, 0xAB, 0xAB])
    }
}
