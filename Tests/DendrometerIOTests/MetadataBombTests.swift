import DendrometerCore
@testable import DendrometerIO
import Foundation
import Testing

/// Metadata that claims or holds far more than any microscope writes costs neither memory nor
/// time (findings of tools/hostile_inputs.py).
@Suite("Metadata bombs")
struct MetadataBombTests {
    typealias B = DecompressionBombTests

    /// An 8×4 uncompressed 8-bit TIFF whose FEI Helios tag (34682, ASCII) holds `text`.
    static func tiff(feiTag text: [UInt8]) -> [UInt8] {
        let pixels = [UInt8](repeating: 128, count: 32)
        let offPixels = 8, offTag = offPixels + pixels.count, offIFD = offTag + text.count
        func entry(_ tag: UInt16, _ type: UInt16, _ count: UInt32, _ value: UInt32) -> [UInt8] {
            B.le16(tag) + B.le16(type) + B.le32(count) + (type == 3 ? B.le16(UInt16(value)) + [0, 0] : B.le32(value))
        }
        let entries = [entry(256, 3, 1, 8), entry(257, 3, 1, 4), entry(258, 3, 1, 8), entry(259, 3, 1, 1), entry(262, 3, 1, 1),
                       entry(273, 4, 1, UInt32(offPixels)), entry(277, 3, 1, 1), entry(278, 3, 1, 4), entry(279, 4, 1, 32),
                       entry(34682, 2, UInt32(text.count), UInt32(offTag))]
        return [0x49, 0x49, 42, 0] + B.le32(UInt32(offIFD)) + pixels + text
            + B.le16(UInt16(entries.count)) + entries.flatMap { $0 } + [0, 0, 0, 0]
    }

    @Test("a 2 MB FEI tag of line breaks is skipped with a warning; the image still reads")
    func hugeTag() throws {
        let path = BadInputTests().write(Self.tiff(feiTag: [UInt8](repeating: 13, count: 2 << 20) + [0]), "fei-bomb.tif")
        let loaded = try ImageFile.read(path)
        #expect(loaded.image.width == 8 && loaded.image.height == 4)
        #expect(loaded.metadata.textTags[34682] == nil)
        #expect(loaded.metadata.warnings.contains { $0.contains("metadata tag 34682 holds 2097153 bytes") }, "\(loaded.metadata.warnings)")
    }

    @Test("a header within the limit is kept, µ (0xB5) read as Latin-1")
    func normalTag() throws {
        let text = Array("[Scan]\r\nPixelWidth=5e-08\r\nUnit=\u{B5}m\r\n".unicodeScalars.map { UInt8($0.value) }) + [0]
        let path = BadInputTests().write(Self.tiff(feiTag: text), "fei.tif")
        let loaded = try ImageFile.read(path)
        #expect(loaded.metadata.textTags[34682] == "[Scan]\r\nPixelWidth=5e-08\r\nUnit=µm\r\n")
    }

    @Test("a PNG text chunk claiming 2³¹ − 1 bytes is not allocated: one clear error")
    func hugeTextChunk() {
        func chunk(_ type: String, _ body: [UInt8], length: UInt32? = nil) -> [UInt8] {
            B.be32(length ?? UInt32(body.count)) + Array(type.utf8) + body + [0, 0, 0, 0]
        }
        let ihdr = B.be32(8) + B.be32(4) + [8, 0, 0, 0, 0]
        let bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("tEXt", Array("Comment".utf8), length: 0x7FFF_FFFF)
        let path = BadInputTests().write(bytes, "text-bomb.png")
        let before = ProcessMemory.peakResidentBytes
        do {
            _ = try ImageFile.read(path)
            Issue.record("decoded")
        } catch {
            #expect(error.description.contains("chunk tEXt claims 2147483647 bytes but the file has"), "\(error)")
        }
        #expect(throws: ImageIOError.self) { _ = try PNGReader.readRGB(path) }
        if let before, let after = ProcessMemory.peakResidentBytes {
            #expect(after - before < 1 << 30, "peak RSS grew by \(after - before) bytes")
        }
    }
}
