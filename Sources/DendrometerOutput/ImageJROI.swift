// ImageJ ROI files (`.roi`) and ROI sets (`.zip`, what Fiji's ROI Manager saves and opens).
//
// Format: ImageJ's RoiEncoder/RoiDecoder (ij/io), version 228, big-endian. A 64-byte header
// ("Iout", version, type, bounding box top/left/bottom/right as int16, coordinate count, …,
// options, header2 offset), the coordinates (for polygons and polylines: n int16 x relative to
// `left`, then n int16 y relative to `top`; with the sub-pixel option, n float32 x and n float32 y
// absolute), then the 64-byte header2 (positions, name offset and length, …) and the name in
// UTF-16BE. A ROI set is a zip of such files; the ROI Manager lists them by entry name.
//
// Coordinates: ImageJ puts integer coordinates on pixel corners, so the centre of pixel (x, y) is
// (x + 0.5, y + 0.5). Dendrometer's positions are pixel centres (`interface.points_px`), so they
// are shifted by half a pixel here; a rectangle [x, y, w, h] of whole pixels is left x, top y,
// right x + w, bottom y + h in both.
//
// Example: a polyline named "interface" through pixel centres (0, 10) and (99, 12) is stored as
// type 5, left 0, top 10, 2 coordinates, float x [0.5, 99.5], y [10.5, 12.5].
import DendrometerCore
import DendrometerIO
import Foundation
import ZIPFoundation

/// One ImageJ region of interest.
public struct ImageJROI: Sendable, Equatable {
    /// The shapes Dendrometer writes.
    public enum Shape: Sendable, Equatable {
        /// An open line through `points` (ImageJ corner coordinates, px), in order.
        case polyline([(x: Double, y: Double)])
        /// Whole pixels `x ..< x + width`, `y ..< y + height`.
        case rectangle(x: Int, y: Int, width: Int, height: Int)

        public static func == (a: Shape, b: Shape) -> Bool {
            switch (a, b) {
            case let (.polyline(p), .polyline(q)): p.count == q.count && zip(p, q).allSatisfy { $0.x == $1.x && $0.y == $1.y }
            case let (.rectangle(x1, y1, w1, h1), .rectangle(x2, y2, w2, h2)): (x1, y1, w1, h1) == (x2, y2, w2, h2)
            default: false
            }
        }
    }

    /// The name shown in the ROI Manager.
    public var name: String
    /// Its geometry.
    public var shape: Shape
    /// Line colour, 0xAARRGGBB (0: ImageJ's default).
    public var strokeColor: UInt32
    /// Line width, px (0: ImageJ's default, one screen pixel).
    public var strokeWidth: Int

    /// A ROI; `strokeColor` 0xAARRGGBB.
    public init(name: String, shape: Shape, strokeColor: UInt32 = 0, strokeWidth: Int = 0) {
        self.name = name; self.shape = shape; self.strokeColor = strokeColor; self.strokeWidth = strokeWidth
    }

    /// ImageJ's ROI types and options used here (RoiDecoder's constants).
    enum Code {
        static let version: Int16 = 228
        static let polyline: UInt8 = 5
        static let rectangle: UInt8 = 1
        static let subPixelResolution: Int16 = 128
        static let headerSize = 64
        static let header2Size = 64
    }

    /// The `.roi` file's bytes.
    public func encoded() -> Data {
        var out = ByteWriter()
        out.bytes(Array("Iout".utf8))
        out.int16(Code.version)
        var coordinates = ByteWriter()
        let type: UInt8, top: Int, left: Int, bottom: Int, right: Int, count: Int
        var options: Int16 = 0
        switch shape {
        case let .rectangle(x, y, w, h):
            type = Code.rectangle
            (top, left, bottom, right, count) = (y, x, y + h, x + w, 0)
        case let .polyline(points):
            type = Code.polyline
            let xs = points.map(\.x), ys = points.map(\.y)
            left = Int(saturating: (xs.min() ?? 0).rounded(.down)); top = Int(saturating: (ys.min() ?? 0).rounded(.down))
            right = Int(saturating: (xs.max() ?? 0).rounded(.up)); bottom = Int(saturating: (ys.max() ?? 0).rounded(.up))
            count = points.count
            options |= Code.subPixelResolution
            for x in xs { coordinates.int16(Int16(clamping: Int(saturating: (x - Double(left)).rounded(.down)))) }
            for y in ys { coordinates.int16(Int16(clamping: Int(saturating: (y - Double(top)).rounded(.down)))) }
            for x in xs { coordinates.float32(Float(x)) }
            for y in ys { coordinates.float32(Float(y)) }
        }
        out.uint8(type)
        out.uint8(0)
        for v in [top, left, bottom, right] { out.int16(Int16(clamping: v)) }
        out.uint16(UInt16(clamping: count))
        out.zeros(16)                                        // x1, y1, x2, y2 (lines only)
        out.int16(Int16(clamping: strokeWidth))
        out.int32(0)                                         // shape ROI size
        out.uint32(strokeColor)
        out.uint32(0)                                        // fill colour
        out.int16(0)                                         // subtype
        out.int16(options)
        out.uint8(0); out.uint8(0); out.int16(0)             // arrow style, head size, arc size
        out.int32(0)                                         // position (stack slice)
        let header2Offset = Code.headerSize + coordinates.data.count
        out.int32(Int32(header2Offset))
        out.bytes(coordinates.data)
        // header2: 4 unused bytes, C/Z/T positions, name offset and length, then zeros.
        let name = Array(self.name.utf16)
        out.zeros(4)
        out.int32(0); out.int32(0); out.int32(0)
        out.int32(Int32(header2Offset + Code.header2Size))
        out.int32(Int32(name.count))
        out.zeros(Code.header2Size - 24)
        for unit in name { out.uint16(unit) }
        return Data(out.data)
    }

    /// Writes `rois` as a ROI set (a zip of `.roi` files, as Fiji's ROI Manager saves one) at
    /// `path`, atomically. Entries are `NNNN-<name>.roi` in order, so the Manager keeps the order.
    public static func writeSet(_ rois: [ImageJROI], to path: String) throws(ImageIOError) {
        let archive: Archive
        do {
            archive = try Archive(data: Data(), accessMode: .create)
            for (i, roi) in rois.enumerated() {
                let data = roi.encoded()
                let safe = roi.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == " " ? $0 : "_" }
                try archive.addEntry(with: String(format: "%04d-", i + 1) + String(safe) + ".roi", type: .file,
                                     uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position) ..< Int(position) + size)
                }
            }
        } catch {
            throw ImageIOError(.writeFailed("cannot build the ROI set: \(error)"), path: path)
        }
        guard let bytes = archive.data else { throw ImageIOError(.writeFailed("cannot build the ROI set"), path: path) }
        try AtomicFile.write(Array(bytes), to: path)
    }
}

/// Big-endian byte assembly for the ROI format.
struct ByteWriter {
    var data: [UInt8] = []
    mutating func bytes(_ b: [UInt8]) { data += b }
    mutating func zeros(_ n: Int) { data += [UInt8](repeating: 0, count: n) }
    mutating func uint8(_ v: UInt8) { data.append(v) }
    mutating func uint16(_ v: UInt16) { data += [UInt8(v >> 8), UInt8(v & 0xFF)] }
    mutating func int16(_ v: Int16) { uint16(UInt16(bitPattern: v)) }
    mutating func uint32(_ v: UInt32) { data += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    mutating func int32(_ v: Int32) { uint32(UInt32(bitPattern: v)) }
    mutating func float32(_ v: Float) { uint32(v.bitPattern) }
}
