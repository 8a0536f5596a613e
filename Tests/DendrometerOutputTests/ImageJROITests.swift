import DendrometerCore
import Foundation
import Testing
@testable import DendrometerOutput

/// ImageJ `.roi` bytes against the layout of ImageJ's RoiDecoder, byte by byte, on hand-made ROIs.
/// (python/tests/test_rois.py reads whole ROI sets of real analyses with roifile.)
@Suite("ImageJ ROI encoding")
struct ImageJROITests {
    func int16(_ d: [UInt8], _ at: Int) -> Int16 { Int16(bitPattern: UInt16(d[at]) << 8 | UInt16(d[at + 1])) }
    func int32(_ d: [UInt8], _ at: Int) -> Int32 {
        Int32(bitPattern: UInt32(d[at]) << 24 | UInt32(d[at + 1]) << 16 | UInt32(d[at + 2]) << 8 | UInt32(d[at + 3]))
    }
    func float32(_ d: [UInt8], _ at: Int) -> Float { Float(bitPattern: UInt32(bitPattern: int32(d, at))) }

    @Test("rectangle: header fields, no coordinates, header2 at 64, name in UTF-16BE at 128")
    func rectangle() {
        let d = [UInt8](ImageJROI(name: "ab", shape: .rectangle(x: 3, y: 5, width: 10, height: 20), strokeColor: 0xFF00_C878).encoded())
        #expect(Array(d[0 ..< 4]) == Array("Iout".utf8))
        #expect(int16(d, 4) == 228 && d[6] == 1)                               // version, type rect
        #expect([int16(d, 8), int16(d, 10), int16(d, 12), int16(d, 14)] == [5, 3, 25, 13])   // top, left, bottom, right
        #expect(int16(d, 16) == 0)                                              // no coordinates
        #expect(UInt32(bitPattern: int32(d, 40)) == 0xFF00_C878)               // stroke colour ARGB
        #expect(int16(d, 50) == 0)                                              // options: none
        #expect(int32(d, 60) == 64)                                             // header2 right after the header
        #expect(int32(d, 64 + 16) == 128 && int32(d, 64 + 20) == 2)            // name offset and length (chars)
        #expect(Array(d[128...]) == [0, 0x61, 0, 0x62])                        // "ab" in UTF-16BE
        #expect(d.count == 132)
    }

    @Test("polyline: bounds from the floats, int16 coordinates relative to left/top, then float32 x and y")
    func polyline() {
        let roi = ImageJROI(name: "i", shape: .polyline([(x: 10.5, y: 20.5), (x: 13.25, y: 18.75), (x: 15.5, y: 22.5)]))
        let d = [UInt8](roi.encoded())
        #expect(d[6] == 5)                                                      // polyline
        // Bounds: top ⌊18.75⌋ = 18, left ⌊10.5⌋ = 10, bottom ⌈22.5⌉ = 23, right ⌈15.5⌉ = 16.
        #expect([int16(d, 8), int16(d, 10), int16(d, 12), int16(d, 14)] == [18, 10, 23, 16])
        #expect(int16(d, 16) == 3)
        #expect(int16(d, 50) == 128)                                            // SUB_PIXEL_RESOLUTION
        // Integer x relative to left: 0, 3, 5; y relative to top: 2, 0, 4.
        #expect((0 ..< 3).map { int16(d, 64 + 2 * $0) } == [0, 3, 5])
        #expect((0 ..< 3).map { int16(d, 70 + 2 * $0) } == [2, 0, 4])
        // Floats, absolute: x then y.
        #expect((0 ..< 3).map { float32(d, 76 + 4 * $0) } == [10.5, 13.25, 15.5])
        #expect((0 ..< 3).map { float32(d, 88 + 4 * $0) } == [20.5, 18.75, 22.5])
        #expect(int32(d, 60) == 100)                                            // 64 + 3 × (2 + 2 + 4 + 4)
        #expect(int32(d, 100 + 16) == 164 && int32(d, 100 + 20) == 1)
    }

    @Test("a ROI set is a zip of NNNN-name.roi entries in order, written atomically")
    func set() throws {
        let path = NSTemporaryDirectory() + "dm-rois-\(UUID().uuidString).zip"
        try ImageJROI.writeSet([ImageJROI(name: "interface", shape: .polyline([(x: 0.5, y: 1.5), (x: 9.5, y: 1.5)])),
                                ImageJROI(name: "region a: flame", shape: .rectangle(x: 0, y: 0, width: 4, height: 4))], to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[0 ..< 4]) == [0x50, 0x4B, 0x03, 0x04])               // a zip local file header
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("0001-interface.roi") && text.contains("0002-region a_ flame.roi"))
    }
}
