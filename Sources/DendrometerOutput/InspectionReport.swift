import DendrometerCalibration
import DendrometerCore
import DendrometerPipeline
import DendrometerIO
import Foundation

/// What `dendrometer inspect` reports about one file: size, sample format,
/// pages, compression, calibration (value and source) and data-bar rectangle.
/// Encodes to JSON with the keys of docs/REFERENCE.md §3; absent values are `null`.
public struct InspectionReport: Sendable, Encodable {
    /// Output schema version.
    public var schemaVersion = 1
    /// The file as named by the user.
    public var file: String
    /// `tiff`, `bigtiff`, `png` or `bmp`, recognised from content.
    public var format: String
    /// Full raster width, px.
    public var width: Int
    /// Full raster height, px (data bar included).
    public var height: Int
    /// Number of pages in the file.
    public var pages: Int
    /// Page that was read (0-based).
    public var page: Int
    /// Sample type after reading (`uint8`, `uint16`, `float32`).
    public var sampleFormat: String
    /// Sample type as stored, numpy-style.
    public var storedSampleFormat: String
    /// Significant bits per sample after reading (12 for 12-bit-in-16).
    public var bitDepth: Int
    /// Samples per pixel as stored.
    public var samplesPerPixel: Int
    /// Compression scheme.
    public var compression: String
    /// Photometric interpretation as stored.
    public var photometric: String
    /// Whether the TIFF is tiled.
    public var tiled: Bool
    /// Pixel size (µm, or nil) and where it came from.
    public var calibration: Calibration
    /// Data-bar rectangle (px) and how it was found, if any.
    public var dataBar: DataBar?
    /// Problems worth telling the user.
    public var warnings: [String]

    /// The report for an opened micrograph.
    public init(_ m: Micrograph) {
        file = m.metadata.path
        format = m.metadata.format.rawValue
        width = m.image.width
        height = m.image.height
        pages = m.metadata.pageCount
        page = m.metadata.pageIndex
        sampleFormat = m.image.sampleFormat
        storedSampleFormat = m.metadata.storedSampleFormat
        bitDepth = m.image.bitDepth
        samplesPerPixel = m.metadata.samplesPerPixel
        compression = m.metadata.compression
        photometric = m.metadata.photometric
        tiled = m.metadata.isTiled
        calibration = m.calibration
        dataBar = m.dataBar
        warnings = m.warnings
    }

    private enum Keys: String, CodingKey {
        case schemaVersion = "schema_version", file, format, width, height, pages, page
        case sampleFormat = "sample_format", storedSampleFormat = "stored_sample_format", bitDepth = "bit_depth"
        case samplesPerPixel = "samples_per_pixel", compression, photometric, tiled, calibration
        case dataBar = "data_bar", warnings, toolVersion = "tool_version"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(DendrometerVersion.toolVersion, forKey: .toolVersion)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(file, forKey: .file)
        try c.encode(format, forKey: .format)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(pages, forKey: .pages)
        try c.encode(page, forKey: .page)
        try c.encode(sampleFormat, forKey: .sampleFormat)
        try c.encode(storedSampleFormat, forKey: .storedSampleFormat)
        try c.encode(bitDepth, forKey: .bitDepth)
        try c.encode(samplesPerPixel, forKey: .samplesPerPixel)
        try c.encode(compression, forKey: .compression)
        try c.encode(photometric, forKey: .photometric)
        try c.encode(tiled, forKey: .tiled)
        try ReportBlocks.encode(calibration, in: &c, forKey: .calibration)
        try ReportBlocks.encode(dataBar, in: &c, forKey: .dataBar)
        try c.encode(warnings, forKey: .warnings)
    }

    /// A few aligned lines for a terminal.
    public var summary: String {
        var lines = [String]()
        lines.append("\(file)")
        lines.append("  size        \(width) × \(height) px, \(pages) page\(pages == 1 ? "" : "s") (reading page \(page))")
        lines.append("  samples     \(sampleFormat), \(bitDepth)-bit (stored \(storedSampleFormat) × \(samplesPerPixel), \(photometric))")
        let layout = format.hasSuffix("tiff") ? "\(format), \(tiled ? "tiled" : "strips"), " : "\(format), "
        lines.append("  layout      \(layout)compression \(compression)")
        if let p = calibration.pixelSize {
            lines.append("  pixel size  \(PixelSize.format(p.micrometres)) µm (\(calibration.source.rawValue): \(calibration.detail))")
        } else {
            lines.append("  pixel size  none (\(calibration.detail))")
        }
        if let bar = dataBar {
            // Inclusive first–last rows and columns, 0-based from the top-left, as Fiji's status bar counts them.
            let r = bar.rect
            lines.append("  data bar    rows \(r.y)–\(r.y + r.height - 1), columns \(r.x)–\(r.x + r.width - 1) (\(r.width) × \(r.height) px, \(bar.source))")
        } else {
            lines.append("  data bar    none")
        }
        for w in warnings { lines.append("  warning     \(w)") }
        return lines.joined(separator: "\n")
    }
}

/// JSON encoding used by every report: sorted keys, pretty-printed, `/` not escaped, and a
/// non-finite number (an undefined ratio, an overflow) written as `null`, never as a string.
public enum ReportJSON {
    /// Stands in for a non-finite number during encoding; unguessable, so no input string can be
    /// mistaken for it.
    private static let nonFinite = "dendrometer-non-finite-\(UUID().uuidString)"

    /// Encodes `value` as UTF-8 JSON text.
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: nonFinite, negativeInfinity: nonFinite, nan: nonFinite)
        let data = try encoder.encode(value)
        // The quoted stand-in becomes `null`, on the bytes (a Foundation string search costs
        // 10 ms on a 400 KB report).
        let marker = Array("\"\(nonFinite)\"".utf8), null = Array("null".utf8)
        var out = [UInt8]()
        out.reserveCapacity(data.count)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i < bytes.count {
                if bytes[i] == marker[0], i + marker.count <= bytes.count,
                   marker.indices.allSatisfy({ bytes[i + $0] == marker[$0] }) {
                    out += null
                    i += marker.count
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
