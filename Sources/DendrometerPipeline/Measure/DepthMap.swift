// The depth of every dendrite pixel as an image, for `--save-masks` (`<stem>.depth.tif`): the
// signed distance to the anode interface that max / p95 / front summarise, pixel by pixel, so a
// user can check any reported depth in Fiji (hover a pixel) or histogram it themselves.
import DendrometerCore
import DendrometerGeometry

extension AnalysisResult {
    /// Signed depth beyond the interface (positive into the electrolyte) of every dendrite pixel,
    /// in µm when the image is calibrated and in px otherwise; NaN on every other pixel (Fiji
    /// shows NaN as "no value"). Field coordinates, the field's size. `nil` without an interface.
    ///
    /// Example: a dendrite pixel at field (x 5, y 2) over a straight interface at y = 10.5 (anode at
    /// the bottom) at 0.5 µm/px holds 4.25 (8.5 px); a background pixel holds NaN.
    public func dendriteDepthMap() -> Image<Float>? {
        guard interface != nil else { return nil }
        var map = Image<Float>(width: dendritesPacked.width, height: dendritesPacked.height, fill: .nan)
        let w = map.width
        map.pixels.withUnsafeMutableBufferPointer { writeDendriteDepths(into: $0, rowStride: w, origin: (0, 0)) }
        return map
    }

    /// Writes the depth of every dendrite pixel, as ``dendriteDepthMap()`` holds it, into `out`: a
    /// row-major buffer of `rowStride` samples a row in which field pixel (x, y) is sample
    /// (origin.y + y) × rowStride + origin.x + x (e.g. the full raster, data-bar rows included, with
    /// origin at the field's corner). Other samples are left as they are. Reads the dendrites one
    /// bit per pixel, so no mask or image of the field's size is made. Returns false, writing
    /// nothing, without an interface.
    @discardableResult
    public func writeDendriteDepths(into out: UnsafeMutableBufferPointer<Float>, rowStride: Int, origin: (x: Int, y: Int)) -> Bool {
        guard let interface else { return false }
        let dendrites = dendritesPacked
        let w = dendrites.width, h = dendrites.height
        precondition(origin.x >= 0 && origin.y >= 0 && origin.x + w <= rowStride && (origin.y + h) * rowStride <= out.count)
        let scale = micrograph.calibration.micrometres(fromPixels: 1) ?? 1
        let base = SendablePointer(out.baseAddress!)   // bands write disjoint rows
        parallelBands(h, minimumPerBand: 16) { rows in
            for y in rows {
                let row = base.base + (origin.y + y) * rowStride + origin.x
                dendrites.forEachPixel(inRow: y, columns: 0 ..< w) { x in
                    row[x] = Float(interface.depth(x: Double(x), y: Double(y)) * scale)
                }
            }
        }
        return true
    }
}
