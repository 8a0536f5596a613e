// Sauvola's local threshold t(x, y) = m · (1 + k · (s / R − 1)), with m and s
// the mean and (population) standard deviation of a w × w window.
// Reference: J. Sauvola & M. Pietikäinen, "Adaptive document image
// binarization", Pattern Recognition 33(2), 225–236 (2000). Window sums are
// box sums of value and value² (the integral-image identity of Shafait,
// Keysers & Breuel 2008, computed here as running column sums + a running row
// sum, O(1) per pixel, O(width) memory per band). Borders are mirrored without
// repeating the edge pixel (numpy `reflect`: … c b | a b c …), as
// `skimage.filters.threshold_sauvola`.
import DendrometerCore

/// Sauvola's local thresholds of an image, one per pixel, in image units.
///
/// Pixels with `value > t(x, y)` are above: use
/// `segment(image, thresholds: t, polarity: .bright)`.
///
/// - Parameters:
///   - image: any shape (rows, cols), at least one pixel; UInt8, UInt16 or Float.
///   - window: side of the square window, px; odd and ≥ 3.
///   - k: weight of the local contrast (typically 0.2–0.5).
///   - r: dynamic range of the standard deviation, image units; `nil` uses
///     scikit-image's default, half the sample type's range: 127.5 for UInt8,
///     32767.5 for UInt16 (whatever `bitDepth` says), 1.0 for Float.
/// - Returns: an `Image<Float>` of thresholds with the image's shape.
/// - Throws: ``SegmentationError/emptyImage(operation:)``,
///   ``SegmentationError/invalidParameter(name:expected:got:)`` for an even or
///   too small window or a non-positive `r`.
/// - Complexity: O(pixels), independent of `window`; parallel over row bands.
///
/// ```swift
/// let image = Image<UInt8>(width: 3, height: 3, pixels: [0, 0, 0, 0, 90, 0, 0, 0, 0])
/// let t = try sauvolaThresholds(image, window: 3)
/// t[1, 1]   // ≈ 8.4437 (m = 10, s = √800)
/// ```
public func sauvolaThresholds<P: PixelSample>(_ image: Image<P>, window: Int = 15, k: Double = 0.2,
                                             r: Double? = nil) throws(SegmentationError) -> Image<Float> {
    guard !image.isEmpty else { throw .emptyImage(operation: "Sauvola threshold") }
    guard window >= 3, window % 2 == 1 else {
        throw .invalidParameter(name: "Sauvola window", expected: "an odd size ≥ 3 px", got: "\(window)")
    }
    let range: Double = r ?? (P.self == UInt8.self ? 127.5 : P.self == UInt16.self ? 32767.5 : 1.0)
    guard range > 0, range.isFinite else {
        throw .invalidParameter(name: "Sauvola r", expected: "a positive dynamic range", got: "\(range)")
    }
    guard k.isFinite else {
        throw .invalidParameter(name: "Sauvola k", expected: "a finite number", got: "\(k)")
    }
    let values = pixelsAsDouble(image)
    var out = [Float](repeating: 0, count: image.count)
    values.withUnsafeBufferPointer { v in
        out.withUnsafeMutableBufferPointer { o in
            sauvolaKernel(v.baseAddress!, width: image.width, height: image.height, window: window,
                          k: k, r: range, out: o.baseAddress!)
        }
    }
    return Image(width: image.width, height: image.height, pixels: out, bitDepth: 32)
}

/// Index of `i` (in -h ..< n + h) mirrored into 0 ..< n, numpy `reflect` mode.
@inline(__always)
func reflectIndex(_ i: Int, _ n: Int) -> Int {
    if n == 1 { return 0 }
    let period = 2 * (n - 1)
    var j = i % period
    if j < 0 { j += period }
    return j < n ? j : period - j
}

/// Unchecked preconditions: `v` and `out` hold width·height values, window odd ≥ 3.
private func sauvolaKernel(_ v: UnsafePointer<Double>, width: Int, height: Int, window: Int,
                           k: Double, r: Double, out: UnsafeMutablePointer<Float>) {
    let h = window / 2
    let invArea = 1 / Double(window * window), invR = 1 / r
    let rowIndex = (-h - 1 ..< height + h).map { reflectIndex($0, height) }   // rowIndex[y + h + 1]
    let colIndex = (-h ..< width + h).map { reflectIndex($0, width) }         // colIndex[x + h]
    let src = SendablePointer(UnsafeMutablePointer(mutating: v))
    let dst = SendablePointer(out)
    rowIndex.withUnsafeBufferPointer { rows in
        colIndex.withUnsafeBufferPointer { cols in
            parallelBands(height, minimumPerBand: 16) { band in
                var colS = [Double](repeating: 0, count: width)
                var colQ = [Double](repeating: 0, count: width)
                colS.withUnsafeMutableBufferPointer { cs in
                    colQ.withUnsafeMutableBufferPointer { cq in
                        let v = src.base
                        // Column sums over rows y0 - h ... y0 + h of the band's first row.
                        let y0 = band.lowerBound
                        for dy in -h ... h {
                            let row = v + rows[y0 + dy + h + 1] * width
                            for x in 0 ..< width {
                                let a = row[x]
                                cs[x] += a
                                cq[x] += a * a
                            }
                        }
                        for y in band {
                            if y > y0 {
                                let add = v + rows[y + h + h + 1] * width
                                let sub = v + rows[y - h - 1 + h + 1] * width
                                for x in 0 ..< width {
                                    let a = add[x], b = sub[x]
                                    cs[x] += a - b
                                    cq[x] += a * a - b * b
                                }
                            }
                            // Running sum along the row over mirrored columns.
                            var s = 0.0, q = 0.0
                            for j in 0 ..< window - 1 {
                                s += cs[cols[j]]
                                q += cq[cols[j]]
                            }
                            let o = dst.base + y * width
                            for x in 0 ..< width {
                                let inIndex = cols[x + window - 1]
                                s += cs[inIndex]
                                q += cq[inIndex]
                                let m = s * invArea
                                let sd = max(q * invArea - m * m, 0).squareRoot()
                                o[x] = Float(m * (1 + k * (sd * invR - 1)))
                                let outIndex = cols[x]
                                s -= cs[outIndex]
                                q -= cq[outIndex]
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The samples as `Double`, converted through typed pointers (no per-pixel
/// protocol dispatch), in parallel chunks.
func pixelsAsDouble<P: PixelSample>(_ image: Image<P>) -> [Double] {
    var out = [Double](repeating: 0, count: image.count)
    image.pixels.withUnsafeBytes { raw in
        out.withUnsafeMutableBufferPointer { o in
            guard let rb = raw.baseAddress, let ob = o.baseAddress else { return }
            let d = SendablePointer(ob)
            if P.self == UInt8.self {
                convert(SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: UInt8.self))), d, image.count)
            } else if P.self == UInt16.self {
                convert(SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: UInt16.self))), d, image.count)
            } else {
                convert(SendablePointer(UnsafeMutablePointer(mutating: rb.assumingMemoryBound(to: Float.self))), d, image.count)
            }
        }
    }
    return out
}

@inline(__always)
private func convert<T: BinaryInteger>(_ s: SendablePointer<T>, _ d: SendablePointer<Double>, _ n: Int) {
    let chunks = reductionChunks(n)
    parallelBands(chunks, minimumPerBand: 1) { range in
        for c in range { for i in c * n / chunks ..< (c + 1) * n / chunks { d.base[i] = Double(s.base[i]) } }
    }
}

@inline(__always)
private func convert(_ s: SendablePointer<Float>, _ d: SendablePointer<Double>, _ n: Int) {
    let chunks = reductionChunks(n)
    parallelBands(chunks, minimumPerBand: 1) { range in
        for c in range { for i in c * n / chunks ..< (c + 1) * n / chunks { d.base[i] = Double(s.base[i]) } }
    }
}
