import DendrometerCore
@testable import DendrometerIO
import Foundation
import Testing

/// Headers that claim more pixels than their data can hold are refused before any raster
/// buffer exists (validate, then allocate), whatever `maximumPixels` allows.
@Suite("Decompression bombs")
struct DecompressionBombTests {
    func write(_ bytes: [UInt8], _ name: String) -> String { BadInputTests().write(bytes, name) }

    static func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    /// A PNG whose IHDR claims `width × height` of `depth`-bit `colour`, with a few bytes of IDAT.
    static func png(width: UInt32, height: UInt32, depth: UInt8, colour: UInt8) -> [UInt8] {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let t = Array(type.utf8)
            // CRCs are not checked before the size test; a wrong one would be a corruption error too.
            return be32(UInt32(body.count)) + t + body + [0, 0, 0, 0]
        }
        let ihdr = be32(width) + be32(height) + [depth, colour, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", [0x78, 0x9C, 3, 0, 0, 0, 0, 1]) + chunk("IEND", [])
    }

    @Test("a 69-byte PNG claiming 2·10⁹ × 1 RGBA16 or 40000² gray: refused, naming the claim", arguments: [
        (UInt32(2_000_000_000), UInt32(1), UInt8(16), UInt8(6)), (40_000, 40_000, 8, 0),
    ])
    func pngBomb(_ w: UInt32, _ h: UInt32, _ depth: UInt8, _ colour: UInt8) {
        let path = write(Self.png(width: w, height: h, depth: depth, colour: colour), "bomb.png")
        do {
            _ = try ImageFile.read(path, options: ReadOptions(maximumPixels: 3_000_000_000))
            Issue.record("a bomb was decoded")
        } catch {
            #expect(error.description.contains("the header claims \(w)×\(h) pixels"), "\(error)")
        }
    }

    @Test("a 2 KB deflate-tiled TIFF claiming 4000² pixels: refused before allocation")
    func tiffBomb() {
        let w: UInt32 = 4000, tile: UInt32 = 256
        let tiles = Int((w + tile - 1) / tile) * Int((w + tile - 1) / tile)       // 16 × 16 = 256
        let payload: [UInt8] = [0x78, 0x9C, 3, 0, 0, 0, 0, 1]                        // an empty zlib stream
        let offOffsets = 8 + payload.count, offCounts = offOffsets + 4 * tiles, offIFD = offCounts + 4 * tiles
        func entry(_ tag: UInt16, _ type: UInt16, _ count: UInt32, _ value: UInt32) -> [UInt8] {
            Self.le16(tag) + Self.le16(type) + Self.le32(count) + (type == 3 ? Self.le16(UInt16(value)) + [0, 0] : Self.le32(value))
        }
        var bytes: [UInt8] = [0x49, 0x49, 42, 0] + Self.le32(UInt32(offIFD)) + payload
        for _ in 0 ..< tiles { bytes += Self.le32(8) }
        for _ in 0 ..< tiles { bytes += Self.le32(UInt32(payload.count)) }
        let entries = [entry(256, 4, 1, w), entry(257, 4, 1, w), entry(258, 3, 1, 8), entry(259, 3, 1, 8), entry(262, 3, 1, 1),
                       entry(277, 3, 1, 1), entry(322, 4, 1, tile), entry(323, 4, 1, tile),
                       entry(324, 4, UInt32(tiles), UInt32(offOffsets)), entry(325, 4, UInt32(tiles), UInt32(offCounts))]
        bytes += Self.le16(UInt16(entries.count)) + entries.flatMap { $0 } + [0, 0, 0, 0]
        let path = write(bytes, "bomb.tif")
        do {
            _ = try ImageFile.read(path, options: ReadOptions(maximumPixels: 3_000_000_000))
            Issue.record("a bomb was decoded")
        } catch {
            #expect(error.description.contains("the header claims 4000×4000 pixels"), "\(error)")
            #expect(error.description.contains("deflate expands at most 1032-fold"), "\(error)")
        }
    }

    @Test("fuzz finding: a 32² tiled TIFF whose tiles claim 268 million × 16 px (a 6.4 GB buffer) is refused")
    func hugeTile() {
        // The fuzzer's 365-byte file, reduced to its essence: width and length 32, 8-bit gray,
        // TileWidth 0x10000010, TileLength 16, one tile offset and byte count.
        func entry(_ tag: UInt16, _ type: UInt16, _ value: UInt32) -> [UInt8] {
            Self.le16(tag) + Self.le16(type) + Self.le32(1) + (type == 3 ? Self.le16(UInt16(value)) + [0, 0] : Self.le32(value))
        }
        let entries = [entry(256, 4, 32), entry(257, 4, 32), entry(258, 3, 8), entry(259, 3, 1), entry(262, 3, 1), entry(277, 3, 1),
                       entry(322, 4, 0x1000_0010), entry(323, 4, 16), entry(324, 4, 8), entry(325, 4, 1024)]
        let bytes: [UInt8] = [0x49, 0x49, 42, 0] + Self.le32(1032) + [UInt8](repeating: 0, count: 1024)
            + Self.le16(UInt16(entries.count)) + entries.flatMap { $0 } + [0, 0, 0, 0]
        let path = write(bytes, "tile.tif")
        do {
            _ = try ImageFile.read(path)
            Issue.record("a 268-million-pixel tile was accepted")
        } catch {
            #expect(error.description.contains("tile size 268435472×16 is implausible for a 32×32 image"), "\(error)")
        }
    }

    @Test("the default pixel cap follows this machine's memory: an analysis of that many pixels fits in half of it")
    func defaultCap() {
        let half = ProcessInfo.processInfo.physicalMemory / 2
        #expect(UInt64(ReadOptions.defaultMaximumPixels) * UInt64(ReadOptions.analysisBytesPerPixel) <= half)
        #expect(ReadOptions.defaultMaximumPixels <= 2_000_000_000)
    }
}
