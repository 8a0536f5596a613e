import DendrometerCore
import DendrometerTestSupport
import Foundation
import Testing
@testable import DendrometerIO

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
        let path = Scratch.file("dm-rois", suffix: ".zip")
        try ImageJROI.writeSet([ImageJROI(name: "interface", shape: .polyline([(x: 0.5, y: 1.5), (x: 9.5, y: 1.5)])),
                                ImageJROI(name: "region a: flame", shape: .rectangle(x: 0, y: 0, width: 4, height: 4))], to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[0 ..< 4]) == [0x50, 0x4B, 0x03, 0x04])               // a zip local file header
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("0001-interface.roi") && text.contains("0002-region a_ flame.roi"))
    }

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
    }

    /// Bytes written by roifile 2026.2.10 (tools/reference/imagej_roi_fixtures.py), ImageJ version 229.
    static let roifilePolyline = bytes("496f757400e505000013000a001700110003000000000000000000000000000000000000000000000000000000000000000000a800000000000000000000006400000003000600010000000341280000415400004178000041a400004196000041b4000000000000000000000000000000000000000000a40000000a0000000000000000000000000000000000000000000000000000000000000000000000000000000000680061006e006400200064007200610077006e")
    static let roifilePolygon = bytes("496f757400e50000000200020009000d0004000000000000000000000000000000000000000000000000000000000000000000280000000000000000000000500000000a000a0000000000000006000600000000000000000000000000000000000000900000000600000000000000000000000000000000000000000000000000000000000000000000000000000000006400650062007200690073")
    static let roifileRectangle = bytes("496f757400e50100000500030019000d000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000008000000003000000000000000000000000000000000000000000000000000000000000000000000000000000000062006f0078")

    @Test("decodes ROIs written by roifile: sub-pixel polyline, integer polygon, rectangle, with their names")
    func decodesRoifile() throws {
        let line = try ImageJROI.decode(Self.roifilePolyline, path: "p.roi")
        #expect(line.name == "hand drawn")
        #expect(line.shape == .polyline([(x: 10.5, y: 20.5), (x: 13.25, y: 18.75), (x: 15.5, y: 22.5)]))
        let polygon = try ImageJROI.decode(Self.roifilePolygon, path: "q.roi")
        #expect(polygon.name == "debris" && polygon.shape == .polygon([(x: 2, y: 2), (x: 12, y: 2), (x: 12, y: 8), (x: 2, y: 8)]))
        let rect = try ImageJROI.decode(Self.roifileRectangle, path: "r.roi")
        #expect(rect.name == "box" && rect.shape == .rectangle(x: 3, y: 5, width: 10, height: 20))
    }

    @Test("what we write decodes to itself, every shape")
    func roundTrip() throws {
        for roi in [ImageJROI(name: "interface", shape: .polyline([(x: 0.5, y: 10.5), (x: 99.5, y: 12.25)]), strokeColor: 0xFF3C_FF3C),
                    ImageJROI(name: "ring", shape: .polygon([(x: 1, y: 1), (x: 5.5, y: 1), (x: 3, y: 4)])),
                    ImageJROI(name: "r", shape: .rectangle(x: 0, y: 7, width: 3, height: 2)),
                    ImageJROI(name: "o", shape: .oval(x: 4, y: 4, width: 6, height: 8), strokeWidth: 2)] {
            #expect(try ImageJROI.decode([UInt8](roi.encoded()), path: "x.roi") == roi)
        }
    }

    @Test("damaged or unsupported ROI files are one clear error naming the file")
    func damaged() {
        #expect(throws: ROIFileError(path: "a.roi", reason: "expected an ImageJ ROI of at least 64 bytes, got 3")) {
            try ImageJROI.decode([1, 2, 3], path: "a.roi")
        }
        var truncated = Array(Self.roifilePolyline.prefix(70))
        #expect(throws: ROIFileError.self) { try ImageJROI.decode(truncated, path: "t.roi") }
        truncated = Self.roifileRectangle
        truncated[6] = 10                                                   // a point ROI
        #expect((try? ImageJROI.decode(truncated, path: "p.roi")) == nil)
        #expect(throws: ROIFileError.self) { try ImageJROI.read("/nonexistent/x.roi") }
        let text = Scratch.file("dm-roi", suffix: ".roi")
        FileManager.default.createFile(atPath: text, contents: Data("hello".utf8))
        #expect(throws: ROIFileError(path: text, reason: "expected an ImageJ ROI (.roi) or a ROI set (.zip)")) { try ImageJROI.read(text) }
    }

    @Test("a written ROI set reads back in order, names from the ROIs")
    func setRoundTrip() throws {
        let path = Scratch.file("dm-rois", suffix: ".zip")
        let rois = [ImageJROI(name: "interface", shape: .polyline([(x: 0.5, y: 1.5), (x: 9.5, y: 1.5)])),
                    ImageJROI(name: "region a: flame", shape: .rectangle(x: 0, y: 0, width: 4, height: 4))]
        try ImageJROI.writeSet(rois, to: path)
        #expect(try ImageJROI.read(path) == rois)
    }
}
