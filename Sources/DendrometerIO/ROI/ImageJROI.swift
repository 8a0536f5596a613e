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
        /// A closed outline (ImageJ polygon, freehand or traced ROI), ImageJ corner coordinates.
        case polygon([(x: Double, y: Double)])
        /// The ellipse inscribed in `x ..< x + width`, `y ..< y + height`.
        case oval(x: Int, y: Int, width: Int, height: Int)

        public static func == (a: Shape, b: Shape) -> Bool {
            func same(_ p: [(x: Double, y: Double)], _ q: [(x: Double, y: Double)]) -> Bool {
                p.count == q.count && zip(p, q).allSatisfy { $0.x == $1.x && $0.y == $1.y }
            }
            switch (a, b) {
            case let (.polyline(p), .polyline(q)), let (.polygon(p), .polygon(q)): return same(p, q)
            case let (.rectangle(x1, y1, w1, h1), .rectangle(x2, y2, w2, h2)), let (.oval(x1, y1, w1, h1), .oval(x2, y2, w2, h2)):
                return (x1, y1, w1, h1) == (x2, y2, w2, h2)
            default: return false
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
        static let polygon: UInt8 = 0
        static let rectangle: UInt8 = 1
        static let oval: UInt8 = 2
        static let line: UInt8 = 3
        static let freeline: UInt8 = 4
        static let polyline: UInt8 = 5
        static let freehand: UInt8 = 7
        static let traced: UInt8 = 8
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
        case let .rectangle(x, y, w, h), let .oval(x, y, w, h):
            if case .oval = shape { type = Code.oval } else { type = Code.rectangle }
            (top, left, bottom, right, count) = (y, x, y + h, x + w, 0)
        case let .polyline(points), let .polygon(points):
            if case .polygon = shape { type = Code.polygon } else { type = Code.polyline }
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

/// Why an ImageJ ROI file or ROI set could not be read or written; names the file.
public struct ROIFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong, e.g. "expected an ImageJ ROI ('Iout'), got …".
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}

extension ImageJROI {
    /// Limits on untrusted ROI files: a `.roi` holds a few KB, a set a few hundred ROIs.
    public enum Limits {
        /// Largest `.roi` file or zip entry read, bytes.
        public static let maximumROIBytes = 16 << 20
        /// Largest ROI set read, bytes.
        public static let maximumSetBytes = 256 << 20
        /// Most ROIs read from one set.
        public static let maximumROIs = 10_000
    }

    /// Decodes one `.roi` file's bytes (ImageJ's RoiDecoder layout, versions up to 228): polygon,
    /// freehand and traced ROIs as ``Shape/polygon(_:)``, line, polyline and freeline as
    /// ``Shape/polyline(_:)``, rectangles and ovals; sub-pixel coordinates when present.
    ///
    /// - Throws: ``ROIFileError`` for anything else (points, angles, text, composite shapes) or a
    ///   damaged file, naming `path`.
    public static func decode(_ data: [UInt8], path: String) throws(ROIFileError) -> ImageJROI {
        func fail(_ why: String) -> ROIFileError { ROIFileError(path: path, reason: why) }
        guard data.count >= Code.headerSize else { throw fail("expected an ImageJ ROI of at least 64 bytes, got \(data.count)") }
        guard Array(data[0 ..< 4]) == Array("Iout".utf8) else {
            throw fail("expected an ImageJ ROI (starting 'Iout'), got bytes \(data[0 ..< 4].map { String(format: "%02x", $0) }.joined(separator: " "))")
        }
        func u16(_ at: Int) -> Int { Int(data[at]) << 8 | Int(data[at + 1]) }
        func i16(_ at: Int) -> Int { Int(Int16(bitPattern: UInt16(u16(at)))) }
        func u32(_ at: Int) -> UInt32 { UInt32(data[at]) << 24 | UInt32(data[at + 1]) << 16 | UInt32(data[at + 2]) << 8 | UInt32(data[at + 3]) }
        func f32(_ at: Int) -> Double { Double(Float(bitPattern: u32(at))) }
        let version = i16(4), type = data[6]
        let top = i16(8), left = i16(10), bottom = i16(12), right = i16(14)
        let options = i16(50), shapeSize = Int(Int32(bitPattern: u32(36)))
        let strokeColor = u32(40), strokeWidth = i16(34)
        guard shapeSize == 0 else { throw fail("composite (shape) ROIs are not supported; draw a polygon, rectangle or line") }
        var name = ""
        let header2 = Int(Int32(bitPattern: u32(60)))
        if header2 > 0, header2 + 24 <= data.count {
            let offset = Int(Int32(bitPattern: u32(header2 + 16))), length = Int(Int32(bitPattern: u32(header2 + 20)))
            if offset > 0, length > 0, length <= 4096, offset + 2 * length <= data.count {
                name = String(decoding: (0 ..< length).map { UInt16(u16(offset + 2 * $0)) }, as: UTF16.self)
            }
        }
        let shape: Shape
        switch type {
        case Code.rectangle, Code.oval:
            guard right >= left, bottom >= top else { throw fail("rectangle with negative size (left \(left), right \(right), top \(top), bottom \(bottom))") }
            shape = type == Code.oval ? .oval(x: left, y: top, width: right - left, height: bottom - top)
                                      : .rectangle(x: left, y: top, width: right - left, height: bottom - top)
        case Code.line:
            shape = .polyline([(x: f32(18), y: f32(22)), (x: f32(26), y: f32(30))])
        case Code.polygon, Code.freehand, Code.traced, Code.polyline, Code.freeline:
            let n = u16(16)
            let subPixel = version >= 222 && options & Int(Code.subPixelResolution) != 0
            let needed = Code.headerSize + 4 * n + (subPixel ? 8 * n : 0)
            guard n >= 2 else { throw fail("expected at least 2 points, got \(n)") }
            guard needed <= data.count else { throw fail("truncated: \(n) points need \(needed) bytes, the file has \(data.count)") }
            let base = Code.headerSize
            let points: [(x: Double, y: Double)] = (0 ..< n).map { i in
                subPixel ? (x: f32(base + 4 * n + 4 * i), y: f32(base + 8 * n + 4 * i))
                         : (x: Double(left + i16(base + 2 * i)), y: Double(top + i16(base + 2 * n + 2 * i)))
            }
            guard points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { throw fail("a point is not a finite number") }
            shape = type == Code.polyline || type == Code.freeline ? .polyline(points) : .polygon(points)
        default:
            let names: [UInt8: String] = [6: "no ROI", 9: "angle", 10: "point"]
            throw fail("ROI type \(type) (\(names[type] ?? "unknown")) is not supported; expected a line, polyline, polygon, freehand, rectangle or oval")
        }
        return ImageJROI(name: name, shape: shape, strokeColor: strokeColor, strokeWidth: strokeWidth)
    }

    /// Reads a `.roi` file or a ROI set (`.zip`, as the ROI Manager saves one), ROIs in order.
    ///
    /// - Throws: ``ROIFileError``: missing or oversized file, not a ROI or zip, a damaged entry.
    public static func read(_ path: String) throws(ROIFileError) -> [ImageJROI] {
        let url = URL(fileURLWithPath: path)
        let size: Int
        do { size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0 } catch {
            throw ROIFileError(path: path, reason: "no such file")
        }
        guard size <= Limits.maximumSetBytes else { throw ROIFileError(path: path, reason: "\(size) bytes, more than a ROI set holds (at most \(Limits.maximumSetBytes))") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ROIFileError(path: path, reason: "cannot read file") }
        let bytes = [UInt8](data)
        if bytes.starts(with: Array("Iout".utf8)) {
            guard bytes.count <= Limits.maximumROIBytes else { throw ROIFileError(path: path, reason: "\(bytes.count) bytes, more than a ROI holds") }
            return [try decode(bytes, path: path)]
        }
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            throw ROIFileError(path: path, reason: "expected an ImageJ ROI (.roi) or a ROI set (.zip)")
        }
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw ROIFileError(path: path, reason: "damaged zip: \(error)")
        }
        var rois = [ImageJROI]()
        for entry in archive where entry.type == .file && entry.path.lowercased().hasSuffix(".roi") {
            guard rois.count < Limits.maximumROIs else { throw ROIFileError(path: path, reason: "more than \(Limits.maximumROIs) ROIs") }
            guard entry.uncompressedSize <= UInt64(Limits.maximumROIBytes) else {
                throw ROIFileError(path: path, reason: "entry \(entry.path) is \(entry.uncompressedSize) bytes, more than a ROI holds")
            }
            var content = [UInt8]()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    content += chunk
                    if content.count > Limits.maximumROIBytes { throw ROIFileError(path: path, reason: "entry \(entry.path) inflates past \(Limits.maximumROIBytes) bytes") }
                }
            } catch let e as ROIFileError { throw e } catch {
                throw ROIFileError(path: path, reason: "damaged entry \(entry.path): \(error)")
            }
            var roi = try decode(content, path: "\(path) (\(entry.path))")
            if roi.name.isEmpty { roi.name = String(entry.path.dropLast(4)) }
            rois.append(roi)
        }
        guard !rois.isEmpty else { throw ROIFileError(path: path, reason: "the zip holds no .roi file") }
        return rois
    }
}
