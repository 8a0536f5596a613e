import DendrometerCalibration
import DendrometerCore
import DendrometerPipeline

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

    /// One `dendrites[]` row: `{ id, counted, isolated, area_px, area_um2, max_depth_px, max_depth_um,
    /// base_width_px, base_width_um, mean_width_px, mean_width_um, tortuosity, orientation_deg,
    /// branches, bbox_px }` (µm values null without a calibration; bbox in the full raster).
    static func encode(_ d: DendriteRecord, field: PixelRect, calibration: Calibration,
                       in container: inout UnkeyedEncodingContainer) throws {
        let um: (Double?) -> Double? = { $0.flatMap { calibration.micrometres(fromPixels: $0) } }
        var c = container.nestedContainer(keyedBy: JSONKey.self)
        try c.encode(d.id, forKey: JSONKey("id"))
        try c.encode(d.counted, forKey: JSONKey("counted"))
        try c.encode(d.isolated, forKey: JSONKey("isolated"))
        try c.encode(d.areaPx, forKey: JSONKey("area_px"))
        try c.encode(calibration.pixelSize.map { Double(d.areaPx) * $0.areaSquareMicrometres }, forKey: JSONKey("area_um2"))
        try c.encode(d.maxDepthPx, forKey: JSONKey("max_depth_px"))
        try c.encode(um(d.maxDepthPx), forKey: JSONKey("max_depth_um"))
        try c.encode(d.baseWidthPx, forKey: JSONKey("base_width_px"))
        try c.encode(um(d.baseWidthPx), forKey: JSONKey("base_width_um"))
        try c.encode(d.meanWidthPx, forKey: JSONKey("mean_width_px"))
        try c.encode(um(d.meanWidthPx), forKey: JSONKey("mean_width_um"))
        try c.encode(d.tortuosity, forKey: JSONKey("tortuosity"))
        try c.encode(d.orientationDegrees, forKey: JSONKey("orientation_deg"))
        try c.encode(d.branches, forKey: JSONKey("branches"))
        try c.encode([d.bbox.x + field.x, d.bbox.y + field.y, d.bbox.width, d.bbox.height], forKey: JSONKey("bbox_px"))
    }
}
