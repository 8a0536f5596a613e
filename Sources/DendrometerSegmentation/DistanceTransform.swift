// Exact Euclidean distance transform of a binary mask.
// Reference: P. F. Felzenszwalb & D. P. Huttenlocher, "Distance transforms of
// sampled functions", Theory of Computing 8, 415–428 (2012): a 1-D pass along
// each column (for a binary input, the distance to the nearest target pixel
// in the column, by a forward and a backward sweep), then along each row the
// lower envelope of the parabolas (sx·(x − q))² + f(q). Both passes run in
// parallel bands: the first over bands of columns (row-major sweeps over the
// band's columns, cache friendly), the second over bands of rows with
// preallocated per-band scratch. The column distances are written as Float
// straight into the output image and each row is overwritten in place by its
// distances, so no full-size intermediate is allocated. A target pixel of a
// row hides every parabola beyond it, so the row pass solves each run of
// non-target pixels (plus its two bounding targets) on its own: its cost
// follows the phase pixels rather than the image width. Exact for any spacing
// up to floating-point rounding; exact integers (before the square root) for
// unit spacing.
//
// Border convention (scipy.ndimage.distance_transform_edt): pixels outside
// the image are NOT background; a phase pixel's distance is to the nearest
// background pixel inside the image.
import DendrometerCore
#if canImport(Glibc)
import Glibc
#endif

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
    let n = mask.count
    // Every sample is written by the kernel, so the output starts uninitialised.
    let out = [Float](unsafeUninitializedCapacity: n) { o, count in
        adviseHugePages(UnsafeMutableRawPointer(o.baseAddress), byteCount: n * MemoryLayout<Float>.stride)
        if n > 0 {
            mask.bits.withUnsafeBufferPointer { b in
                euclideanDistanceKernel(bits: b.baseAddress!, target: 0, width: mask.width, height: mask.height,
                                        sx: spacingX, sy: spacingY, squared: false, output: o.baseAddress!)
            }
        }
        count = n
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
    let n = mask.count
    var out = [Double](repeating: 0, count: n)
    guard n > 0 else { return out }
    // Squared distances are integers; Float holds them exactly below 2^24
    // (images up to ~2900 px a side), Double above, so go through Double.
    let g = UnsafeMutablePointer<Float>.allocate(capacity: n)
    defer { g.deallocate() }
    mask.bits.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { o in
            euclideanDistanceKernel(bits: b.baseAddress!, target: 1, width: mask.width, height: mask.height,
                                    sx: 1, sy: 1, squared: true, output: g, squaredOutput: o.baseAddress!)
        }
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

/// Exact Euclidean distance transform kernel (Felzenszwalb–Huttenlocher).
///
/// Pass 1 writes, into `output`, the distance in rows from each pixel to the
/// nearest pixel of its column whose bit equals `target` (an integer as
/// Float, ``noTargetRows`` when the column has none): a forward and a backward
/// sweep, row-major over parallel bands of columns (branch-free, they
/// vectorise). Pass 2, in parallel bands of rows with per-band scratch, reads
/// a row of column distances, builds the lower envelope of the parabolas
/// (sx·(x − q))² + (sy·g(q))² and overwrites the row with the distance
/// (`squared == false`) or, when `squaredOutput` (pre-zeroed) is given, writes the exact
/// squared distance there in Double.
///
/// Unchecked preconditions: `bits` holds `width * height` bytes that are 0 or
/// 1; `output` (and `squaredOutput`, if any, filled with 0) has room for `width * height`
/// elements; width, height > 0 and height < 2^24; `sx`, `sy` finite and > 0.
func euclideanDistanceKernel(bits: UnsafePointer<UInt8>, target: UInt8, width w: Int, height h: Int,
                             sx: Double, sy: Double, squared: Bool, output: UnsafeMutablePointer<Float>,
                             squaredOutput: UnsafeMutablePointer<Double>? = nil) {
    let bp = SendablePointer(UnsafeMutablePointer(mutating: bits))
    let op = SendablePointer(output)
    // Pass 1: column distances, in bands of columns.
    parallelBands(w, minimumPerBand: 256) { cols in
        let b = bp.base + cols.lowerBound, g = op.base + cols.lowerBound
        let n = cols.count
        // Branch-free so the sweeps vectorise: `b ^ target` is 1 off the targets and 0 on
        // them, and "no target yet" is the finite `noTargetRows` (2^30 + 1 rounds back to
        // 2^30 in Float, so it never grows), since 0 · infinity would be NaN.
        for x in 0 ..< n { g[x] = Float(b[x] ^ target) * noTargetRows }
        var y = 1
        while y < h {
            let row = y &* w, prev = row &- w
            for x in 0 ..< n { g[row &+ x] = Float(b[row &+ x] ^ target) * (g[prev &+ x] + 1) }
            y &+= 1
        }
        y = h &- 2
        while y >= 0 {
            let row = y &* w, next = row &+ w
            for x in 0 ..< n { g[row &+ x] = min(g[row &+ x], g[next &+ x] + 1) }
            y &-= 1
        }
    }
    // Pass 2: lower envelope along each row, in bands of rows.
    let sqp = squaredOutput.map { SendablePointer($0) }
    parallelBands(h, minimumPerBand: 16) { rows in
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 5 * w + 2)
        defer { scratch.deallocate() }
        let env = EnvelopeScratch(position: scratch, shifted: scratch + w, value: scratch + 2 * w,
                                  zn: scratch + 3 * w, zd: scratch + 4 * w + 1)
        for y in rows {
            let row = op.base + y &* w
            // Target pixels stay 0 untouched; the square root is taken only on the runs.
            envelopeRow(row, n: w, sx2: sx * sx, sy2: sy * sy, root: !squared, env: env,
                        squaredOutput: sqp.map { $0.base + y &* w })
        }
    }
}

/// Column distance meaning "no target pixel in this column" in the Float pass 1
/// (larger than any supported image height; adding 1 leaves it unchanged).
let noTargetRows: Float = 1_073_741_824   // 2^30

/// Per-band scratch of the row pass: the envelope's parabolas (apex
/// `position`, apex height `value` = (sy·g)², and `shifted` = value +
/// sx²·position², the constant of the parabola's expanded form), and the
/// boundaries z = zn / zd between consecutive parabolas (n + 1 of them).
struct EnvelopeScratch {
    let position: UnsafeMutablePointer<Double>
    let shifted: UnsafeMutablePointer<Double>
    let value: UnsafeMutablePointer<Double>
    let zn: UnsafeMutablePointer<Double>
    let zd: UnsafeMutablePointer<Double>
}

/// 1-D squared distance transform of one row in place: `row` holds n column
/// distances g(q) (integers as Float, ≥ ``noTargetRows`` = no target in that column);
/// on return it holds d(x) = min_q sx2·(x − q)² + sy2·g(q)² as Float (+infinity
/// where no g is finite), or its square root when `root`, and `squaredOutput`,
/// if given, the squared distance in Double on the runs (target pixels are left
/// as they are: the caller pre-fills it with 0).
///
/// Only the runs of non-target pixels (g > 0) need the envelope: a target pixel
/// t of the row (g(t) = 0) beats every parabola beyond it, since for x ≥ t and
/// q < t, sx2·(x − q)² + f(q) > sx2·(x − t)² (and symmetrically). So each maximal
/// run [a, b] with g > 0 is solved on [a − 1, b + 1] alone, and target pixels
/// are 0 without any work: the cost follows the phase pixels, not the row length.
/// Unchecked: scratch arrays hold n (zn, zd: n + 1) Doubles.
@inline(__always)
func envelopeRow(_ row: UnsafeMutablePointer<Float>, n: Int, sx2: Double, sy2: Double, root: Bool,
                 env: EnvelopeScratch, squaredOutput: UnsafeMutablePointer<Double>?) {
    let raw = UnsafeRawPointer(row)
    var x = 0
    while x < n {
        // Skip targets (g = +0.0, all-zero bits) two at a time: they stay 0.
        while x &+ 2 <= n && raw.loadUnaligned(fromByteOffset: x &* 4, as: UInt64.self) == 0 { x &+= 2 }
        if x >= n { break }
        if row[x] == 0 { x &+= 1; continue }
        let a = x
        while x < n && row[x] != 0 { x &+= 1 }
        let lo = a > 0 ? a &- 1 : 0, hi = x < n ? x : n &- 1
        envelopeSegment(row + lo, n: hi &- lo &+ 1, sx2: sx2, sy2: sy2, root: root, env: env,
                        squaredOutput: squaredOutput.map { $0 + lo })
        x &+= 1   // row[x] (if any) is a target
    }
}

/// ``envelopeRow(_:n:sx2:sy2:root:env:squaredOutput:)`` without the run splitting:
/// the Felzenszwalb–Huttenlocher lower envelope over all n samples.
///
/// The envelope boundaries z = zn / zd are kept as fractions and compared by
/// cross-multiplication, so no division is needed; for unit spacing all
/// products are integers below 2^53 (images up to ~10⁵ px a side), hence exact.
/// Unchecked: scratch arrays hold n (zn, zd: n + 1) Doubles.
@inline(__always)
func envelopeSegment(_ row: UnsafeMutablePointer<Float>, n: Int, sx2: Double, sy2: Double, root: Bool,
                     env: EnvelopeScratch, squaredOutput: UnsafeMutablePointer<Double>?) {
    let pos = env.position, sh = env.shifted, val = env.value, zn = env.zn, zd = env.zd
    let twoSx2 = 2 * sx2
    var k = -1
    var q = 0
    while q < n {
        let gq = row[q]
        if gq < noTargetRows {
            let qd = Double(q)
            let g = Double(gq)
            let fq = sy2 * g * g
            let sq = fq + sx2 * qd * qd
            var sn = -1.0, sd = 0.0   // s = sn / sd; -infinity for the first parabola
            while k >= 0 {
                sn = sq - sh[k]
                sd = twoSx2 * (qd - pos[k])
                // s <= z[k]  ⟺  sn·zd <= zn·sd  (denominators ≥ 0; z[0] = -infinity has zd = 0, zn = -1)
                if sn * zd[k] <= zn[k] * sd { k &-= 1 } else { break }
            }
            k &+= 1
            pos[k] = qd; sh[k] = sq; val[k] = fq
            if k == 0 { zn[0] = -1; zd[0] = 0 } else { zn[k] = sn; zd[k] = sd }
        }
        q &+= 1
    }
    if k < 0 {
        for x in 0 ..< n { row[x] = .infinity }
        if let out = squaredOutput { for x in 0 ..< n { out[x] = .infinity } }
        return
    }
    zn[k &+ 1] = 1; zd[k &+ 1] = 0   // +infinity
    var j = 0
    var x = 0
    while x < n {
        let xd = Double(x)
        // z[j+1] < x  ⟺  zn < x·zd (false for +infinity: zn = 1, zd = 0)
        while zn[j &+ 1] < xd * zd[j &+ 1] { j &+= 1 }
        let dx = xd - pos[j]
        let d = sx2 * dx * dx + val[j]
        row[x] = root ? Float(d).squareRoot() : Float(d)
        squaredOutput?[x] = d
        x &+= 1
    }
}

/// Column distance meaning "no target pixel in this column" (larger than any
/// image height; + 1 does not overflow).
let infiniteRows: Int32 = 1 << 30

/// Pass 1 of the distance transform: for each pixel, the distance in rows to
/// the nearest pixel of its column whose bit equals `target` (``infiniteRows`` if
/// none), by a forward and a backward sweep, in parallel bands of columns
/// (each band sweeps row-major over its columns, cache friendly).
/// Unchecked precondition: width, height > 0 and height < 2^30.
func columnDistances(_ mask: BinaryMask, target: UInt8) -> [Int32] {
    columnDistances(mask, target: target, none: infiniteRows)
}

/// ``columnDistances(_:target:)`` in any integer type, `none` meaning "no target pixel in this
/// column" (a 16-bit pass: 2 bytes per pixel). The sweeps are branch-free (they vectorise):
/// "no target yet" is `none`, and a count is clamped to `none` before it could pass it.
/// Unchecked preconditions: width, height > 0, height < `none`, and `mask` holds only 0 and 1.
func columnDistances<T: FixedWidthInteger>(_ mask: BinaryMask, target: UInt8, none: T) -> [T] {
    let w = mask.width, h = mask.height
    return [T](unsafeUninitializedCapacity: w * h) { out, initialized in
        let gp = SendablePointer(out.baseAddress!)
        mask.bits.withUnsafeBufferPointer { bitsBuffer in
            let bits = SendablePointer(UnsafeMutablePointer(mutating: bitsBuffer.baseAddress!))
            parallelBands(w, minimumPerBand: 256) { cols in
                let b = bits.base + cols.lowerBound, g = gp.base + cols.lowerBound
                let n = cols.count, cap = none &- 1
                // `0 &- (bit ^ target)` is all ones off the targets and 0 on them (bits are 0 or
                // 1); wrapping arithmetic (nothing can overflow) keeps the loops vectorisable.
                for x in 0 ..< n { (g + x).initialize(to: none & (0 &- T(truncatingIfNeeded: b[x] ^ target))) }
                var y = 1
                while y < h {
                    let row = y &* w, prev = row &- w
                    for x in 0 ..< n {
                        let off = 0 &- T(truncatingIfNeeded: b[row &+ x] ^ target)
                        (g + (row &+ x)).initialize(to: (min(g[prev &+ x], cap) &+ 1) & off)
                    }
                    y &+= 1
                }
                y = h &- 2
                while y >= 0 {
                    let row = y &* w, next = row &+ w
                    for x in 0 ..< n { g[row &+ x] = min(g[row &+ x], min(g[next &+ x], cap) &+ 1) }
                    y &-= 1
                }
            }
        }
        initialized = w * h
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

/// ``distanceTransform(_:spacingX:spacingY:)`` evaluated only at the pixels of `pixels` (e.g. a
/// skeleton of `mask`), without the full map: the column pass is kept as 16-bit row counts
/// (2 bytes per pixel instead of 4), and at each sampled pixel the row's lower envelope is
/// replaced by its definition, min over columns q of sx²·(x − q)² + sy²·g(q)², searched
/// outward from x until sx²·(x − q)² alone reaches the best value found. For thin structures
/// (a skeleton's pixels lie at most a few px from the background) that is a few columns each.
///
/// - Parameters:
///   - mask: shape (rows, cols); the distances are to its nearest background pixel.
///   - pixels: the pixels to evaluate, the mask's shape; background pixels among them get 0.
///   - spacingX, spacingY: as ``distanceTransform(_:spacingX:spacingY:)``.
/// - Returns: the distances at `pixels`, equal value for value to the full map's there for unit
///   spacing (the same integers before the same square root); for other spacings the same sums
///   of the same Double terms, so equal up to the envelope's choice among equal minima.
/// - Throws: ``SegmentationError/invalidParameter(name:expected:got:)`` for a bad spacing,
///   ``SegmentationError/shapeMismatch(expected:got:)`` when `pixels` has another shape.
/// - Complexity: O(pixels of the mask) for the column pass (parallel over column bands), plus,
///   per sampled pixel, the columns within its distance (parallel over row bands).
///
/// ```swift
/// let mask = BinaryMask(rows: [".....",
///                              ".###.",
///                              ".###.",
///                              ".###.",
///                              "....."])
/// let centre = BinaryMask(rows: [".....", ".....", "..#..", ".....", "....."])
/// try distanceTransform(mask, sampledAt: centre)[12]   // 2.0, as distanceTransform(mask).pixels[12]
/// ```
public func distanceTransform(_ mask: BinaryMask, sampledAt pixels: BinaryMask, spacingX: Double = 1,
                              spacingY: Double = 1) throws(SegmentationError) -> SampledDistances {
    try validateSpacing(spacingX, spacingY)
    guard pixels.width == mask.width, pixels.height == mask.height else {
        throw .shapeMismatch(expected: "\(mask.width)×\(mask.height) px", got: "\(pixels.width)×\(pixels.height) px")
    }
    let w = mask.width, h = mask.height
    // Row counts up to 65 534 fit the 16-bit column pass (65 535 = no background in the column).
    guard w > 0, h > 0, h < Int(noBackgroundRows) else {
        return SampledDistances(sampling: try distanceTransform(mask, spacingX: spacingX, spacingY: spacingY), at: pixels)
    }
    let g = columnDistances(mask, target: 0, none: noBackgroundRows)
    let sx2 = spacingX * spacingX, sy2 = spacingY * spacingY
    let bands = mask.bits.withUnsafeBufferPointer { bits in
        pixels.bits.withUnsafeBufferPointer { marks in
            g.withUnsafeBufferPointer { g in
                parallelBandResults(h, minimumPerBand: 16, initial: { [Float]() }) { rows, out in
                    let raw = UnsafeRawPointer(marks.baseAddress!)
                    for y in rows {
                        let row = y * w
                        var x = 0
                        while x < w {
                            // Sampled pixels are sparse: eight at a time while none is marked.
                            if x + 8 <= w && raw.loadUnaligned(fromByteOffset: row + x, as: UInt64.self) == 0 { x += 8; continue }
                            if marks[row + x] != 0 {
                                out.append(bits[row + x] == 0 ? 0
                                           : sampledDistance(x: x, rowCounts: g.baseAddress! + row, width: w, sx2: sx2, sy2: sy2))
                            }
                            x += 1
                        }
                    }
                }
            }
        }
    }
    return SampledDistances(marking: pixels, values: Array(bands.joined()))
}

/// "No background pixel in this column" in the 16-bit column pass of
/// ``distanceTransform(_:sampledAt:spacingX:spacingY:)``.
let noBackgroundRows = UInt16.max

/// The distance at column x of a row whose column row counts are `rowCounts`: min over q of
/// sx2·(x − q)² + sy2·g(q)² (each term as the row pass of ``envelopeSegment`` forms it), searched
/// outward from q = x until sx2·(x − q)² alone is no smaller than the best; its square root.
@inline(__always)
func sampledDistance(x: Int, rowCounts g: UnsafePointer<UInt16>, width w: Int, sx2: Double, sy2: Double) -> Float {
    var best = Double.infinity
    if g[x] != noBackgroundRows {
        let gd = Double(g[x])
        best = sx2 * 0 * 0 + sy2 * gd * gd
    }
    var step = 1
    while x - step >= 0 || x + step < w {
        let dx = Double(step)
        let reach = sx2 * dx * dx
        if reach >= best { break }
        if x - step >= 0, g[x - step] != noBackgroundRows {
            let gd = Double(g[x - step])
            best = min(best, reach + sy2 * gd * gd)
        }
        if x + step < w, g[x + step] != noBackgroundRows {
            let gd = Double(g[x + step])
            best = min(best, reach + sy2 * gd * gd)
        }
        step += 1
    }
    return Float(best).squareRoot()
}
