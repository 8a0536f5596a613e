// Exact Euclidean distance transform of a binary mask.
// Reference: P. F. Felzenszwalb & D. P. Huttenlocher, "Distance transforms of
// sampled functions", Theory of Computing 8, 415–428 (2012): a 1-D pass along
// each column (for a binary input, the distance to the nearest target pixel
// in the column, by a forward and a backward sweep), then along each row the
// lower envelope of the parabolas (sx·(x − q))² + f(q). Both passes run in
// parallel bands: the first over bands of columns (row-major sweeps over the
// band's columns, cache friendly), the second over bands of rows. Exact for
// any spacing up to floating-point rounding; exact integers for unit spacing.
//
// Border convention (scipy.ndimage.distance_transform_edt): pixels outside
// the image are NOT background; a phase pixel's distance is to the nearest
// background pixel inside the image.
import DendrometerCore

/// Euclidean distance from each phase pixel to the nearest background pixel,
/// like `scipy.ndimage.distance_transform_edt(mask, sampling=(spacingY, spacingX))`.
///
/// - Parameters:
///   - mask: shape (rows, cols). Phase pixels get their distance, background
///     pixels 0.
///   - spacingX: size of a pixel along x (columns), in any unit (default 1 px).
///   - spacingY: size of a pixel along y (rows), same unit.
/// - Returns: an `Image<Float>` of the mask's shape, in px (or in the unit of
///   the spacing). Pixels outside the image do not count as background; when
///   the mask has no background pixel at all, every phase pixel is `+infinity`
///   (scipy returns meaningless finite values in that case).
/// - Throws: ``SegmentationError/invalidParameter(name:expected:got:)`` for a
///   non-positive or non-finite spacing.
/// - Complexity: O(pixels), two passes, parallel over column and row bands.
///
/// ```swift
/// let mask = BinaryMask(rows: [".....",
///                              ".###.",
///                              ".###.",
///                              ".###.",
///                              "....."])
/// try distanceTransform(mask).pixels[12]   // 2.0 (centre), edges of the square are 1.0
/// ```
public func distanceTransform(_ mask: BinaryMask, spacingX: Double = 1,
                              spacingY: Double = 1) throws(SegmentationError) -> Image<Float> {
    try validateSpacing(spacingX, spacingY)
    var out = [Float](repeating: 0, count: mask.count)
    out.withUnsafeMutableBufferPointer { o in
        guard let base = o.baseAddress else { return }
        squaredDistanceKernel(mask, target: 0, sx: spacingX, sy: spacingY, output: .distance(base))
    }
    return Image(width: mask.width, height: mask.height, pixels: out, bitDepth: 32)
}

/// Squared Euclidean distance, px², from every pixel to the nearest phase
/// pixel (0 on the phase, `+infinity` everywhere when the mask is empty):
/// the quantity binary dilation by a disk thresholds.
///
/// - Parameter mask: shape (rows, cols).
/// - Returns: row-major values (`width * height` of them), exact integers.
/// - Complexity: O(pixels).
///
/// ```swift
/// squaredDistanceToPhase(BinaryMask(rows: ["#.."]))   // [0, 1, 4]
/// ```
public func squaredDistanceToPhase(_ mask: BinaryMask) -> [Double] {
    var out = [Double](repeating: 0, count: mask.count)
    out.withUnsafeMutableBufferPointer { o in
        guard let base = o.baseAddress else { return }
        squaredDistanceKernel(mask, target: 1, sx: 1, sy: 1, output: .squared(base))
    }
    return out
}

func validateSpacing(_ sx: Double, _ sy: Double) throws(SegmentationError) {
    guard sx.isFinite, sx > 0 else {
        throw .invalidParameter(name: "distance transform spacingX", expected: "a positive pixel size", got: "\(sx)")
    }
    guard sy.isFinite, sy > 0 else {
        throw .invalidParameter(name: "distance transform spacingY", expected: "a positive pixel size", got: "\(sy)")
    }
}

/// What the row pass writes for each pixel, given its squared distance d² to
/// the nearest target pixel.
enum DistanceOutput {
    /// `sqrt(Float(d²))` (target pixels get 0).
    case distance(UnsafeMutablePointer<Float>)
    /// `d²` itself.
    case squared(UnsafeMutablePointer<Double>)
}

/// Column distance meaning "no target pixel in this column" (larger than any
/// image height; + 1 does not overflow).
let infiniteRows: Int32 = 1 << 30

/// Squared distance from each pixel to the nearest pixel whose bit equals
/// `target`, written through `output`. Unchecked preconditions: `output`
/// points to `mask.count` elements; `sx`, `sy` finite and positive; the mask
/// height fits in Int32.
func squaredDistanceKernel(_ mask: BinaryMask, target: UInt8, sx: Double, sy: Double, output: DistanceOutput) {
    let w = mask.width, h = mask.height
    guard w > 0, h > 0 else { return }
    var g = columnDistances(mask, target: target)
    g.withUnsafeMutableBufferPointer { gBuffer in
        let gp = SendablePointer(gBuffer.baseAddress!)
        // Pass 2: along rows, lower envelope of parabolas, in bands of rows.
        parallelBands(h, minimumPerBand: 16) { rows in
            var f = [Double](repeating: 0, count: w)
            var v = [Int](repeating: 0, count: w)
            var zn = [Double](repeating: 0, count: w + 1)
            var zd = [Double](repeating: 0, count: w + 1)
            var d = [Double](repeating: 0, count: w)
            f.withUnsafeMutableBufferPointer { f in
            v.withUnsafeMutableBufferPointer { v in
            zn.withUnsafeMutableBufferPointer { zn in
            zd.withUnsafeMutableBufferPointer { zd in
            d.withUnsafeMutableBufferPointer { d in
                let sx2 = sx * sx
                for y in rows {
                    let gRow = gp.base + y * w
                    for x in 0 ..< w {
                        let gv = gRow[x]
                        f[x] = gv >= infiniteRows ? .infinity : (Double(gv) * sy) * (Double(gv) * sy)
                    }
                    lowerEnvelope(f: f.baseAddress!, v: v.baseAddress!, zn: zn.baseAddress!,
                                  zd: zd.baseAddress!, d: d.baseAddress!, n: w, sx2: sx2)
                    let o = y * w
                    switch output {
                    case .distance(let out):
                        for x in 0 ..< w { out[o + x] = Float(d[x]).squareRoot() }
                    case .squared(let out):
                        for x in 0 ..< w { out[o + x] = d[x] }
                    }
                }
            }
            }
            }
            }
            }
        }
    }
}

/// Pass 1 of the distance transform: for each pixel, the distance in rows to
/// the nearest pixel of its column whose bit equals `target` (``infiniteRows`` if
/// none), by a forward and a backward sweep, in parallel bands of columns
/// (each band sweeps row-major over its columns, cache friendly).
/// Unchecked precondition: width, height > 0 and height < 2^30.
func columnDistances(_ mask: BinaryMask, target: UInt8) -> [Int32] {
    let w = mask.width, h = mask.height
    var g = [Int32](repeating: 0, count: w * h)
    mask.bits.withUnsafeBufferPointer { bitsBuffer in
        g.withUnsafeMutableBufferPointer { gBuffer in
            let bits = SendablePointer(UnsafeMutablePointer(mutating: bitsBuffer.baseAddress!))
            let gp = SendablePointer(gBuffer.baseAddress!)
            parallelBands(w, minimumPerBand: 256) { cols in
                let b = bits.base, g = gp.base
                // Branch-free sweeps (they vectorise): "no target yet" is
                // infiniteRows, and infiniteRows + 1 is clamped back.
                for x in cols { g[x] = b[x] == target ? 0 : infiniteRows }
                for y in 1 ..< max(h, 1) {
                    let row = y * w, prev = row - w
                    for x in cols {
                        g[row + x] = b[row + x] == target ? 0 : min(g[prev + x] + 1, infiniteRows)
                    }
                }
                if h >= 2 {
                    for y in stride(from: h - 2, through: 0, by: -1) {
                        let row = y * w, next = row + w
                        for x in cols { g[row + x] = min(g[row + x], g[next + x] + 1) }
                    }
                }
            }
        }
    }
    return g
}

/// 1-D squared distance transform of `f` (n samples, +infinity = no target)
/// with squared spacing `sx2`: d[x] = min_q sx2·(x − q)² + f[q]. Scratch `v`
/// (n), `zn` and `zd` (n + 1). All +infinity when f has no finite sample.
///
/// The envelope boundaries z = zn / zd are kept as fractions and compared by
/// cross-multiplication, so no division is needed; for unit spacing all
/// products are integers below 2^53 (images up to ~10⁵ px a side), hence exact.
@inline(__always)
private func lowerEnvelope(f: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Int>,
                           zn: UnsafeMutablePointer<Double>, zd: UnsafeMutablePointer<Double>,
                           d: UnsafeMutablePointer<Double>, n: Int, sx2: Double) {
    var k = -1
    for q in 0 ..< n where f[q] != .infinity {
        let fq = f[q] + sx2 * Double(q * q)
        var sn = -1.0, sd = 0.0   // s = sn / sd; -infinity for the first parabola
        while k >= 0 {
            let p = v[k]
            sn = fq - (f[p] + sx2 * Double(p * p))
            sd = 2 * sx2 * Double(q - p)
            // s <= z[k]  ⟺  sn·zd <= zn·sd  (denominators ≥ 0; z[0] = -infinity has zd = 0, zn = -1)
            if sn * zd[k] <= zn[k] * sd { k -= 1 } else { break }
        }
        k += 1
        v[k] = q
        if k == 0 {
            zn[0] = -1; zd[0] = 0
        } else {
            zn[k] = sn; zd[k] = sd
        }
        zn[k + 1] = 1; zd[k + 1] = 0   // +infinity
    }
    if k < 0 {
        for x in 0 ..< n { d[x] = .infinity }
        return
    }
    var j = 0
    for x in 0 ..< n {
        let xd = Double(x)
        // z[j+1] < x  ⟺  zn < x·zd (false for +infinity: zn = 1, zd = 0)
        while zn[j + 1] < xd * zd[j + 1] { j += 1 }
        let dx = Double(x - v[j])
        d[x] = sx2 * dx * dx + f[v[j]]
    }
}

/// Brute-force squared distance to the nearest pixel with bit `target`
/// (scalar reference for tests; O(pixels²)).
func squaredDistanceReference(_ mask: BinaryMask, target: UInt8, sx: Double = 1, sy: Double = 1) -> [Double] {
    var targets: [(Int, Int)] = []
    for y in 0 ..< mask.height { for x in 0 ..< mask.width where mask.bits[y * mask.width + x] == target { targets.append((x, y)) } }
    var out = [Double](repeating: .infinity, count: mask.count)
    for y in 0 ..< mask.height {
        for x in 0 ..< mask.width {
            var best = Double.infinity
            for (tx, ty) in targets {
                let dx = sx * Double(x - tx), dy = sy * Double(y - ty)
                best = min(best, dx * dx + dy * dy)
            }
            out[y * mask.width + x] = best
        }
    }
    return out
}
