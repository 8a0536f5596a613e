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
        guard let interface else { return nil }
        let w = dendrites.width, h = dendrites.height
        let scale = micrograph.calibration.micrometres(fromPixels: 1) ?? 1
        var map = Image<Float>(width: w, height: h, fill: .nan)
        let bits = dendrites.bits
        map.pixels.withUnsafeMutableBufferPointer { out in
            let base = SendablePointer(out.baseAddress!)   // bands write disjoint rows
            parallelBands(h, minimumPerBand: 16) { rows in
                for y in rows {
                    for x in 0 ..< w where bits[y * w + x] != 0 {
                        base.base[y * w + x] = Float(interface.depth(x: Double(x), y: Double(y)) * scale)
                    }
                }
            }
        }
        return map
    }
}
