import DendrometerCalibration
import DendrometerCore

/// JSON blocks shared by every report (`inspect`, `analyze`, `skeleton`), so a
/// calibration or data bar reads the same wherever it appears (docs/REFERENCE.md §3).
enum ReportBlocks {
    /// `{ "pixel_size_um": µm | null, "source": "fei" | … | "none", "detail": "…" }`.
    static func encode<K: CodingKey>(_ calibration: Calibration, in container: inout KeyedEncodingContainer<K>, forKey key: K) throws {
        var c = container.nestedContainer(keyedBy: JSONKey.self, forKey: key)
        try c.encode(calibration.pixelSize?.micrometres, forKey: JSONKey("pixel_size_um"))
        try c.encode(calibration.source.rawValue, forKey: JSONKey("source"))
        try c.encode(calibration.detail, forKey: JSONKey("detail"))
    }

    /// `{ "x", "y", "w", "h" (px in the full raster), "source" }`, or `null` when there is no data bar.
    static func encode<K: CodingKey>(_ bar: DataBar?, in container: inout KeyedEncodingContainer<K>, forKey key: K) throws {
        guard let bar else { return try container.encodeNil(forKey: key) }
        var b = container.nestedContainer(keyedBy: JSONKey.self, forKey: key)
        try b.encode(bar.rect.x, forKey: JSONKey("x"))
        try b.encode(bar.rect.y, forKey: JSONKey("y"))
        try b.encode(bar.rect.width, forKey: JSONKey("w"))
        try b.encode(bar.rect.height, forKey: JSONKey("h"))
        try b.encode(bar.source.description, forKey: JSONKey("source"))
    }
}
