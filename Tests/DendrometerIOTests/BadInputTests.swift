import DendrometerCore
@testable import DendrometerIO
import Foundation
import Testing

/// Bad input gets one clear error naming the file, never a crash, a stray
/// message or a huge allocation.
@Suite("Bad input")
struct BadInputTests {
    func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = temporaryDirectory() + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    @Test func missingFile() {
        #expect(throws: ImageIOError(.notFound, path: "/nonexistent/x.tif")) { _ = try ImageFile.read("/nonexistent/x.tif") }
    }

    @Test func directory() {
        let dir = temporaryDirectory()
        #expect(throws: ImageIOError(.isDirectory, path: dir)) { _ = try ImageFile.read(dir) }
    }

    @Test func emptyFile() {
        let path = write([], "empty.tif")
        #expect(throws: ImageIOError(.empty, path: path)) { _ = try ImageFile.read(path) }
    }

    @Test("text renamed to .tif is recognised as not an image")
    func notAnImage() {
        let path = write(Array("hello world".utf8), "fake.tif")
        #expect(throws: ImageIOError(.unrecognizedFormat("\"hello wo\""), path: path)) { _ = try ImageFile.read(path) }
        #expect(ImageIOError(.unrecognizedFormat("\"hello wo\""), path: path).description
            == "\(path): not a TIFF, PNG or BMP image (file starts with \"hello wo\")")
    }

    @Test("a TIFF cut in half is refused as corrupt", arguments: [TIFFCompression.none, .deflate])
    func truncatedTIFF(_ compression: TIFFCompression) throws {
        let dir = temporaryDirectory()
        let image = pattern(UInt8.self, width: 64, height: 64) { UInt8(truncatingIfNeeded: $0) }
        // IFD written after the data by libtiff: cutting the file keeps the header but loses strips or the IFD.
        try TIFFWriter.write(image, to: "\(dir)/whole.tif", options: TIFFWriteOptions(compression: compression, rowsPerStrip: 8))
        let bytes = [UInt8](FileManager.default.contents(atPath: "\(dir)/whole.tif")!)
        for cut in [12, bytes.count / 2, bytes.count - 40] {
            let path = write(Array(bytes.prefix(cut)), "cut\(cut).tif")
            #expect(throws: ImageIOError.self) { _ = try ImageFile.read(path) }
        }
    }

    @Test("an uncompressed strip whose StripByteCounts is shorter than its rows is refused, not read past")
    func shortStripByteCount() throws {
        func entry(_ tag: UInt16, _ type: UInt16, count: UInt32 = 1, _ value: UInt32) -> [UInt8] {
            withUnsafeBytes(of: tag.littleEndian, Array.init) + withUnsafeBytes(of: type.littleEndian, Array.init)
                + withUnsafeBytes(of: count.littleEndian, Array.init) + withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        func longs(_ v: [UInt32]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }
        // 4 × 4 px 8-bit gray in two uncompressed strips of 2 rows (8 bytes each) at bytes 138 and 146;
        // the first claims 5 bytes. (libtiff itself re-estimates a short count when there is one strip.)
        var bytes: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 9, 0]
        bytes += entry(256, 3, 4) + entry(257, 3, 4) + entry(258, 3, 8) + entry(259, 3, 1) + entry(262, 3, 1)
        bytes += entry(273, 4, count: 2, 122) + entry(277, 3, 1) + entry(278, 3, 2) + entry(279, 4, count: 2, 130)
        bytes += [0, 0, 0, 0]
        #expect(bytes.count == 122)
        bytes += longs([138, 146]) + longs([5, 8]) + (0 ..< 16).map { UInt8($0) }
        let path = write(bytes, "short-strip.tif")
        #expect(throws: ImageIOError(.corrupt("strip 0 stores 5 bytes, its rows need 8"), path: path)) {
            _ = try ImageFile.read(path)
        }
    }

    @Test("a header claiming 100000 × 100000 px is refused before allocating")
    func absurdDimensions() throws {
        // Minimal little-endian TIFF: 8-byte header, IFD with 6 entries, no pixel data.
        func entry(_ tag: UInt16, _ type: UInt16, _ value: UInt32) -> [UInt8] {
            withUnsafeBytes(of: tag.littleEndian, Array.init) + withUnsafeBytes(of: type.littleEndian, Array.init)
                + withUnsafeBytes(of: UInt32(1).littleEndian, Array.init) + withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        var bytes: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 6, 0]
        bytes += entry(256, 4, 100_000) + entry(257, 4, 100_000) + entry(258, 3, 8)
        bytes += entry(262, 3, 1) + entry(273, 4, 200) + entry(279, 4, 10)
        bytes += [0, 0, 0, 0]
        let path = write(bytes, "huge.tif")
        #expect(throws: ImageIOError(.tooLarge(width: 100_000, height: 100_000, limit: ReadOptions.defaultMaximumPixels), path: path)) {
            _ = try ImageFile.read(path)
        }
    }

    @Test("truncated PNG and BMP are refused as corrupt")
    func truncatedPNGAndBMP() throws {
        let dir = temporaryDirectory()
        try PNGWriter.write(pattern(UInt8.self, width: 50, height: 50) { UInt8(truncatingIfNeeded: $0) }, to: "\(dir)/a.png")
        let png = [UInt8](FileManager.default.contents(atPath: "\(dir)/a.png")!)
        let cutPNG = write(Array(png.prefix(png.count / 2)), "cut.png")
        #expect(throws: ImageIOError.self) { _ = try ImageFile.read(cutPNG) }
        let bmp = PNGAndBMPTests.bmp(width: 3, height: 2, bitsPerPixel: 24, palette: [], rowsBottomUp: [[1, 2, 3], [4, 5, 6]])
        let cutBMP = write(Array(bmp.prefix(bmp.count - 6)), "cut.bmp")
        #expect(throws: ImageIOError.self) { _ = try ImageFile.read(cutBMP) }
    }

    @Test("the pixel cap is configurable")
    func pixelCap() throws {
        let dir = temporaryDirectory()
        try TIFFWriter.write(Image<UInt8>(width: 100, height: 100), to: "\(dir)/a.tif")
        #expect(throws: ImageIOError(.tooLarge(width: 100, height: 100, limit: 9999), path: "\(dir)/a.tif")) {
            _ = try ImageFile.read("\(dir)/a.tif", options: ReadOptions(maximumPixels: 9999))
        }
    }

    @Test("format comes from content: a PNG named .tif is read as PNG")
    func contentNotExtension() throws {
        let dir = temporaryDirectory()
        try PNGWriter.write(Image<UInt8>(width: 3, height: 3, fill: 7), to: "\(dir)/really-png.tif")
        let loaded = try ImageFile.read("\(dir)/really-png.tif")
        #expect(loaded.metadata.format == .png)
    }
}
