// Structure tensor with Gaussian-derivative gradients (J. Bigün & G. Granlund
// 1987; B. Jähne, "Digital Image Processing", ch. 13; the "coherence" of
// Kass & Witkin 1987). Gradients Ix, Iy are convolutions with the first
// derivative of a Gaussian of scale σ; the tensor components Jxx = Ix²,
// Jxy = IxIy, Jyy = Iy² are smoothed with a Gaussian of scale ρ. Border mode
// 'reflect' throughout (scipy.ndimage). Eigen-analysis in closed form:
//   λ1,2 = ½ (Jxx + Jyy ± √((Jxx − Jyy)² + 4Jxy²)),
//   gradient direction θg = ½ atan2(2Jxy, Jxx − Jyy) (image axes, y down),
//   structure direction = θg + 90° (eigenvector of the smaller eigenvalue).
// All five separable passes are fused into one streaming pass per row band and
// 512-px vertical strip (`structureTensorKernel`): x-filtered input lines and
// x-filtered tensor lines live in small row-keyed caches that stay in L2, so no
// full-size gradient or product image is ever stored and the eigen-analysis
// runs on rows still in cache.

import CVectorKernels
import DendrometerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-pixel orientation, coherence and energy of the structure tensor.
///
/// Angle convention (used everywhere in Dendrometer): degrees in [0, 180),
/// measured from the +x axis (pointing right) towards the image's UP direction
/// (−y), i.e. counter-clockwise as seen on screen. A horizontal stripe has
/// orientation 0°, a vertical stripe 90°, a stripe rising to the right at 45°
/// on screen 45°, one falling to the right 135°.
public struct StructureTensorField: Sendable, Equatable {
    /// Direction of the local structure (along stripes/needles, the eigenvector of the
    /// smaller eigenvalue), degrees in [0, 180) counter-clockwise from +x as seen on screen.
    /// 0 where the energy is 0 (flat neighbourhood).
    public var orientationDegrees: Image<Float>
    /// (λ1 − λ2)/(λ1 + λ2) in [0, 1]: 1 for perfectly oriented stripes, near 0 for isotropic
    /// texture; 0 where the energy is 0.
    public var coherence: Image<Float>
    /// λ1 + λ2 = Jxx + Jyy, the ρ-smoothed squared gradient magnitude, in (intensity/px)².
    public var energy: Image<Float>
    /// Gradient (derivative-of-Gaussian) scale σ, px.
    public var sigma: Double
    /// Integration (tensor smoothing) scale ρ, px.
    public var rho: Double

    /// Number of columns, px.
    public var width: Int { energy.width }
    /// Number of rows, px.
    public var height: Int { energy.height }

    /// Wraps precomputed planes (all the same shape); σ and ρ in px.
    public init(orientationDegrees: Image<Float>, coherence: Image<Float>, energy: Image<Float>,
                sigma: Double, rho: Double) {
        precondition(orientationDegrees.width == energy.width && orientationDegrees.height == energy.height
                     && coherence.width == energy.width && coherence.height == energy.height,
                     "structure-tensor planes must have the same shape")
        self.orientationDegrees = orientationDegrees
        self.coherence = coherence
        self.energy = energy
        self.sigma = sigma
        self.rho = rho
    }
}

/// Computes the structure tensor of `image` and its per-pixel orientation, coherence and energy.
///
/// Gradients: `Ix = I ∗ (g′σ ⊗ gσ)`, `Iy = I ∗ (gσ ⊗ g′σ)` — exactly
/// `scipy.ndimage.gaussian_filter(I, σ, order=(0,1) / (1,0), mode='reflect')`.
/// Tensor: `Jab = gρ ∗ (Ia·Ib)` (`gaussian_filter(Ia*Ib, ρ, mode='reflect')`).
/// Orientation = (90° − ½·atan2(2Jxy, Jxx − Jyy)) mod 180°, which is the direction
/// of the smaller eigenvalue's eigenvector expressed in the y-up convention of
/// ``StructureTensorField``; atan2 is a polynomial approximation (orientation error ≤ 0.006°).
///
/// Note: `skimage.feature.structure_tensor` uses Sobel gradients and one scale;
/// this is the two-scale Gaussian-derivative tensor (Jähne; Rezakhaniha et al. 2012, OrientationJ).
///
/// - Parameters:
///   - image: shape (rows, cols); any sample type; not modified.
///   - sigma: gradient scale σ in px, finite and > 0 (≈ half the width of the thinnest structure).
///   - rho: integration scale ρ in px, finite and ≥ 0 (0 = no smoothing of the tensor).
/// - Returns: the three planes plus σ and ρ.
/// - Throws: ``FilterError/invalidScale(name:value:requirement:)``.
/// - Complexity: O(W·H·(σ + ρ)) (five separable Gaussian passes), parallel over row bands.
///
/// Example: horizontal stripes `I(x, y) = sin(2πy/8)` give orientation 0° and
/// coherence ≈ 1 everywhere; vertical stripes 90°; a constant image energy 0,
/// coherence 0, orientation 0.
public func structureTensor<P: PixelSample>(_ image: Image<P>, sigma: Double, rho: Double) throws(FilterError) -> StructureTensorField {
    try structureTensor(image, sigma: sigma, rho: rho, stripWidth: structureTensorStripWidth)
}

/// ``structureTensor(_:sigma:rho:)`` with a chosen strip width in px (tests use narrow strips).
func structureTensor<P: PixelSample>(_ image: Image<P>, sigma: Double, rho: Double,
                                     stripWidth: Int) throws(FilterError) -> StructureTensorField {
    try FilterError.check(sigma, name: "structure-tensor gradient scale σ", positive: true)
    try FilterError.check(rho, name: "structure-tensor integration scale ρ")
    let w = image.width, h = image.height, n = w * h
    // Every sample of the three planes is written below, so they start uninitialised.
    let fresh = {
        Image<Float>(width: w, height: h, pixels: [Float](unsafeUninitializedCapacity: n) { b, c in
            adviseHugePages(UnsafeMutableRawPointer(b.baseAddress), byteCount: n * MemoryLayout<Float>.stride)
            c = n
        }, bitDepth: 32)
    }
    var orientation = fresh(), coherence = fresh(), energy = fresh()
    if n > 0 {
        orientation.pixels.withUnsafeMutableBufferPointer { ob in
            coherence.pixels.withUnsafeMutableBufferPointer { cb in
                energy.pixels.withUnsafeMutableBufferPointer { eb in
                    let planes = (SendablePointer(ob.baseAddress!), SendablePointer(cb.baseAddress!), SendablePointer(eb.baseAddress!))
                    withFloatSpanLoader(image) { load in
                        structureTensorKernel(width: w, height: h, sigma: sigma, rho: rho, stripWidth: stripWidth, loadSpan: load) { y, x0, count, jxx, jxy, jyy in
                            let o = y * w + x0
                            eigenRow(jxx: jxx, jxy: jxy, jyy: jyy, orientation: planes.0.base + o,
                                     coherence: planes.1.base + o, energy: planes.2.base + o, count: count)
                        }
                    }
                }
            }
        }
    }
    return StructureTensorField(orientationDegrees: orientation, coherence: coherence, energy: energy,
                                sigma: sigma, rho: rho)
}

/// ``structureTensor(_:sigma:rho:)`` without its three full-size planes: each computed piece of
/// a row goes to `body(y, x0, count, orientation, coherence, energy)` (columns x0 ..< x0 + count
/// of row y; values bit for bit those of the planes), then is gone. Memory: a few cached lines
/// per core instead of 12 bytes per pixel. Pieces of different row bands arrive concurrently;
/// within a band strip after strip (512 px wide), row after row. `body` may only write state
/// that belongs to its own row and piece.
public func forEachStructureTensorRow<P: PixelSample>(
    _ image: Image<P>, sigma: Double, rho: Double,
    _ body: (Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> Void
) throws(FilterError) {
    try FilterError.check(sigma, name: "structure-tensor gradient scale σ", positive: true)
    try FilterError.check(rho, name: "structure-tensor integration scale ρ")
    let w = image.width, h = image.height
    guard w > 0, h > 0 else { return }
    withFloatSpanLoader(image) { load in
        structureTensorKernel(width: w, height: h, sigma: sigma, rho: rho, stripWidth: structureTensorStripWidth,
                              loadSpan: load) { y, x0, count, jxx, jxy, jyy in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * count) { buffer in
                let o = buffer.baseAddress!
                eigenRow(jxx: jxx, jxy: jxy, jyy: jyy, orientation: o, coherence: o + count, energy: o + 2 * count, count: count)
                body(y, x0, count, o, o + count, o + 2 * count)
            }
        }
    }
}

/// Columns per piece that ``forEachStructureTensorRow(_:sigma:rho:_:)`` hands over at most (a
/// narrow image or a very large ρ comes in one piece per row, whatever its width).
public let structureTensorPieceWidth = structureTensorStripWidth

/// A small cache of filtered lines keyed by source row, `channels` lines per row.
///
/// A row band asks for the lines of the (reflected) rows y − r ... y + r. Those
/// rows always span at most 2r + 1 consecutive indices (reflection only folds
/// the span), so with `slots = 2r + 1` and slot = row mod slots the rows of one
/// window never evict each other; a row is filtered once per band and strip
/// (plus a few recomputations where the window folds at the image border).
struct LineCache {
    let stride: Int, slots: Int, channels: Int
    let storage: UnsafeMutablePointer<Float>
    let tags: UnsafeMutablePointer<Int>

    /// Room for `channels` lines of `stride` Floats for each of 2·radius + 1 rows.
    init(stride: Int, radius: Int, channels: Int) {
        self.stride = stride
        self.slots = 2 * radius + 1
        self.channels = channels
        storage = .allocate(capacity: slots * channels * stride)
        tags = .allocate(capacity: slots)
        reset()
    }

    /// Forgets every cached row.
    func reset() { tags.initialize(repeating: -1, count: slots) }

    func deallocate() { storage.deallocate(); tags.deallocate() }

    /// The first of the `channels` lines (`stride` apart) of row `s`, filled by
    /// `fill(s, base)` on a miss. Unchecked: s ≥ 0.
    @inline(__always)
    func lines(_ s: Int, fill: (Int, UnsafeMutablePointer<Float>) -> Void) -> UnsafeMutablePointer<Float> {
        let slot = s % slots
        let base = storage + slot * channels * stride
        if tags[slot] != s {
            fill(s, base)
            tags[slot] = s
        }
        return base
    }
}

/// Width of the vertical strips the structure tensor is computed in, px. Strips keep
/// the cached lines of one band (3 channels × (2r + 1) rows) inside the L2 cache.
let structureTensorStripWidth = 512

/// Fused, streaming structure tensor over row bands and vertical strips. Per band,
/// strip and output row y:
/// (1) input rows are row-filtered with g′σ and gσ (cached, 2 channels);
/// (2) gradient rows Ix = gσ(y) ∗ [g′σ(x) ∗ I], Iy = g′σ(y) ∗ [gσ(x) ∗ I] are formed
///     from those lines, their products row-filtered with gρ (cached, 3 channels);
/// (3) the column pass with gρ yields Jxx, Jxy, Jyy of row y, handed to `emit`.
/// A strip of columns [x0, x0 + n) loads input columns [x0 − rρ − rσ, x0 + n + rρ + rσ)
/// (reflected), so strips need no border handling of their own. No full-size
/// intermediate image is ever stored.
///
/// Unchecked: width, height > 0, σ > 0, ρ ≥ 0; `loadSpan(s, start, count, dst)` writes
/// samples of row s at columns start ..< start + count, reflected, and is safe to call
/// concurrently; `emit(y, x0, count, jxx, jxy, jyy)` writes only row y, columns x0 ..< x0 + count.
func structureTensorKernel(width w: Int, height h: Int, sigma: Double, rho: Double, stripWidth: Int,
                           loadSpan: (Int, Int, Int, UnsafeMutablePointer<Float>) -> Void,
                           emit: (Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
    let g = Kernel1D.gaussian(sigma: sigma), d = Kernel1D.gaussianDerivative(sigma: sigma)
    let gr = Kernel1D.gaussian(sigma: rho)
    let rs = max(g.radius, d.radius), rr = gr.radius
    let gTaps = g.taps, dTaps = d.taps, rTaps = gr.taps
    // One strip for narrow images and for ρ so large that a mirror could leave the strip's range.
    let maxStrip = w <= stripWidth * 3 / 2 || rr > stripWidth / 2 ? w : stripWidth
    let strips = (w + maxStrip - 1) / maxStrip
    let gradWidth = maxStrip + 2 * rr               // gradient / product columns per strip
    // Each band recomputes 2·(rs + rr) halo rows; keep bands at least twice that tall.
    parallelBands(h, minimumPerBand: max(16, 4 * (rs + rr))) { band in
        let input = UnsafeMutablePointer<Float>.allocate(capacity: gradWidth + 2 * rs)
        let products = UnsafeMutablePointer<Float>.allocate(capacity: gradWidth)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * gradWidth + 3 * maxStrip)
        let lo = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rr + 1)
        let hi = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rr + 1)
        let gLo = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rs + 1)
        let gHi = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rs + 1)
        let inLo = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rs + 1)
        let inHi = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rs + 1)
        let prLo = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rr + 1)
        let prHi = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rr + 1)
        let inputLines = LineCache(stride: gradWidth, radius: rs, channels: 2)   // [g′σ(x) ∗ I, gσ(x) ∗ I]
        let tensorLines = LineCache(stride: maxStrip, radius: rr, channels: 3)   // gρ(x) ∗ [Ix², IxIy, Iy²]
        defer {
            input.deallocate(); products.deallocate(); scratch.deallocate()
            lo.deallocate(); hi.deallocate(); gLo.deallocate(); gHi.deallocate()
            inLo.deallocate(); inHi.deallocate(); prLo.deallocate(); prHi.deallocate()
            inputLines.deallocate(); tensorLines.deallocate()
        }
        // input[rs + i] holds column x0 − rr + i; products[i] holds column x0 − rr + i.
        let p = input + rs, q = products + rr
        for k in 0 ... rs { inLo[k] = UnsafePointer(p - k); inHi[k] = UnsafePointer(p + k) }
        for k in 0 ... rr { prLo[k] = UnsafePointer(q - k); prHi[k] = UnsafePointer(q + k) }
        let ix = scratch, iy = scratch + gradWidth
        let jxx = scratch + 2 * gradWidth, jxy = jxx + maxStrip, jyy = jxy + maxStrip
        gTaps.withUnsafeBufferPointer { gt in
            dTaps.withUnsafeBufferPointer { dt in
                rTaps.withUnsafeBufferPointer { rt in
                    for strip in 0 ..< strips {
                        let x0 = strip * maxStrip
                        let sw = min(maxStrip, w - x0)
                        let gw = sw + 2 * rr
                        inputLines.reset()
                        tensorLines.reset()
                        func fillInput(_ s: Int, _ base: UnsafeMutablePointer<Float>) {
                            loadSpan(s, x0 - rr - rs, gw + 2 * rs, input)
                            applyKernel(dt, parity: .odd, count: gw, output: base, lo: inLo, hi: inHi)
                            applyKernel(gt, parity: .even, count: gw, output: base + gradWidth, lo: inLo, hi: inHi)
                        }
                        // The ρ-smoothing reflects the *product* image (as scipy does), which differs
                        // from products of gradients of the reflected input (Ix is odd under reflection,
                        // so IxIy would flip sign). Columns outside the image are therefore copied from
                        // their in-image mirror, which lies in this strip's computed range.
                        func reflectProductHalo() {
                            let c0 = x0 - rr
                            if c0 < 0 { for i in 0 ..< -c0 { products[i] = products[reflectIndex(c0 + i, w) - c0] } }
                            if c0 + gw > w { for i in (w - c0) ..< gw { products[i] = products[reflectIndex(c0 + i, w) - c0] } }
                        }
                        func fillTensor(_ s: Int, _ base: UnsafeMutablePointer<Float>) {
                            // Gradient rows of source row s (own tables: `lo`/`hi` are being filled by the caller).
                            for k in 0 ... rs {
                                gLo[k] = UnsafePointer(inputLines.lines(reflectIndex(s - k, h), fill: fillInput))
                                gHi[k] = UnsafePointer(inputLines.lines(reflectIndex(s + k, h), fill: fillInput))
                            }
                            applyKernel(gt, parity: .even, count: gw, output: ix, lo: gLo, hi: gHi)
                            for k in 0 ... rs { gLo[k] += gradWidth; gHi[k] += gradWidth }
                            applyKernel(dt, parity: .odd, count: gw, output: iy, lo: gLo, hi: gHi)
                            for x in 0 ..< gw { products[x] = ix[x] * ix[x] }
                            reflectProductHalo()
                            applyKernel(rt, parity: .even, count: sw, output: base, lo: prLo, hi: prHi)
                            for x in 0 ..< gw { products[x] = ix[x] * iy[x] }
                            reflectProductHalo()
                            applyKernel(rt, parity: .even, count: sw, output: base + maxStrip, lo: prLo, hi: prHi)
                            for x in 0 ..< gw { products[x] = iy[x] * iy[x] }
                            reflectProductHalo()
                            applyKernel(rt, parity: .even, count: sw, output: base + 2 * maxStrip, lo: prLo, hi: prHi)
                        }
                        for y in band {
                            for k in 0 ... rr {
                                lo[k] = UnsafePointer(tensorLines.lines(reflectIndex(y - k, h), fill: fillTensor))
                                hi[k] = UnsafePointer(tensorLines.lines(reflectIndex(y + k, h), fill: fillTensor))
                            }
                            applyKernel(rt, parity: .even, count: sw, output: jxx, lo: lo, hi: hi)
                            for k in 0 ... rr { lo[k] += maxStrip; hi[k] += maxStrip }
                            applyKernel(rt, parity: .even, count: sw, output: jxy, lo: lo, hi: hi)
                            for k in 0 ... rr { lo[k] += maxStrip; hi[k] += maxStrip }
                            applyKernel(rt, parity: .even, count: sw, output: jyy, lo: lo, hi: hi)
                            emit(y, x0, sw, jxx, jxy, jyy)
                        }
                    }
                }
            }
        }
    }
}

/// Energies at or below this are treated as a flat neighbourhood (coherence and orientation 0).
let flatEnergy: Float = 1e-20

/// Closed-form eigen-analysis of one row. Branch-free, with no library call in
/// the loop, so it vectorises: Swift's `squareRoot()` is a libm call with errno
/// semantics that blocks vectorisation, hence ``fastSquareRoot(_:)``.
/// With `kernels` other than `.portable`, rows of at least one vector run in the
/// bit-identical C kernel of CVectorKernels (TensorEigen.c) on wider vectors.
/// Unchecked: every pointer holds `count` Floats; outputs alias no input.
@inline(__always)
func eigenRow(jxx: UnsafePointer<Float>, jxy: UnsafePointer<Float>, jyy: UnsafePointer<Float>,
              orientation: UnsafeMutablePointer<Float>, coherence: UnsafeMutablePointer<Float>,
              energy: UnsafeMutablePointer<Float>, count: Int, kernels: VectorKernels = .active) {
    if let isa = kernels.isa, count >= dm_lanes(isa, MemoryLayout<Float>.stride) {
        var constants = EigenConstants.forC
        dm_tensor_eigen_f32(isa, jxx, jxy, jyy, count, &constants, orientation, coherence, energy)
        return
    }
    for x in 0 ..< count {
        let a = jxx[x], b = jxy[x], c = jyy[x]
        let e = a + c
        let dx = a - c, dy = 2 * b
        let diff = fastSquareRoot(dx * dx + dy * dy)
        let flat = !(e > flatEnergy)
        var o = 90 - EigenConstants.halfDegreesPerRadian * fastAtan2(dy, dx)
        o = o >= 180 ? o - 180 : (o < 0 ? o + 180 : o)
        energy[x] = e < 0 ? 0 : e
        orientation[x] = flat ? 0 : o
        let coh = diff / e
        coherence[x] = flat ? 0 : (coh > 1 ? 1 : coh)
    }
}

/// The Float constants of ``eigenRow`` and ``fastAtan2(_:_:)``, named once so the
/// C kernels receive the very same values.
enum EigenConstants {
    // Computed properties of literals: folded into the loops (no global to load).
    /// atan(a) ≈ ((c0·s + c1)·s − c2)·s·a + a with s = a², a in [0, 1].
    static var atanC0: Float { -0.046_496_474_9 }
    static var atanC1: Float { 0.159_314_22 }
    static var atanC2: Float { 0.327_622_764 }
    /// ½ · 180/π: radians of the doubled angle → degrees of the orientation.
    static var halfDegreesPerRadian: Float { 0.5 * (180 / Float.pi) }
    /// The same values for CVectorKernels.
    static var forC: dm_eigen_constants {
        dm_eigen_constants(atan_c0: atanC0, atan_c1: atanC1, atan_c2: atanC2, pi: Float.pi,
                           half_pi: Float.pi / 2, half_degrees_per_radian: halfDegreesPerRadian,
                           flat_energy: flatEnergy)
    }
}

/// √v for v ≥ 0, branch-free and vectorisable: the classic bit-level estimate of
/// 1/√v refined by three Newton steps (relative error after them ~1e-7, i.e. at
/// Float rounding level), times v. Exactly 0 for v = 0. Not for negative,
/// infinite or NaN input.
@inline(__always)
func fastSquareRoot(_ v: Float) -> Float {
    var y = Float(bitPattern: 0x5F37_59DF &- (v.bitPattern &>> 1))
    let half = 0.5 * v
    y = y * (1.5 - half * y * y)
    y = y * (1.5 - half * y * y)
    y = y * (1.5 - half * y * y)
    return v * y
}

/// atan2(y, x) in radians in [−π, π], branch-free so the row loop vectorises:
/// a 7th-order odd polynomial fit of atan on [0, 1] plus octant folding. Max
/// error 2.1e-4 rad (0.012°) over the circle, i.e. ≤ 0.006° on the (halved)
/// orientation — measured on a dense grid (see StructureTensorTests).
@inline(__always)
func fastAtan2(_ y: Float, _ x: Float) -> Float {
    let ax = abs(x), ay = abs(y)
    let mn = min(ax, ay), mx = max(ax, ay)
    let a = mx > 0 ? mn / mx : 0
    let s = a * a
    var r = ((EigenConstants.atanC0 * s + EigenConstants.atanC1) * s - EigenConstants.atanC2) * s * a + a
    r = ay > ax ? Float.pi / 2 - r : r
    r = x < 0 ? Float.pi - r : r
    return y < 0 ? -r : r
}

/// Scalar reference of ``structureTensor(_:sigma:rho:)``: the same definition computed
/// with `separableReference` (direct convolution in Double) and libm atan2. Slow; for tests.
func structureTensorReference<P: PixelSample>(_ image: Image<P>, sigma: Double, rho: Double) -> StructureTensorField {
    let g = Kernel1D.gaussian(sigma: sigma), d = Kernel1D.gaussianDerivative(sigma: sigma)
    let gr = Kernel1D.gaussian(sigma: rho)
    let ix = separableReference(image, row: d, column: g)
    let iy = separableReference(image, row: g, column: d)
    func smoothed(_ f: (Float, Float) -> Float) -> Image<Float> {
        let prod = Image<Float>(width: image.width, height: image.height,
                                pixels: zip(ix.pixels, iy.pixels).map { f($0, $1) })
        return separableReference(prod, row: gr, column: gr)
    }
    let jxx = smoothed { a, _ in a * a }, jxy = smoothed { a, b in a * b }, jyy = smoothed { _, b in b * b }
    var o = jxx, c = jxx, e = jxx
    for i in jxx.pixels.indices {
        let a = Double(jxx.pixels[i]), b = Double(jxy.pixels[i]), cc = Double(jyy.pixels[i])
        let en = a + cc
        if !(en > Double(flatEnergy)) { o.pixels[i] = 0; c.pixels[i] = 0; e.pixels[i] = Float(max(en, 0)); continue }
        var ang = 90 - 0.5 * atan2(2 * b, a - cc) * 180 / .pi
        if ang >= 180 { ang -= 180 }
        o.pixels[i] = Float(ang)
        c.pixels[i] = Float(min(1, ((a - cc) * (a - cc) + 4 * b * b).squareRoot() / en))
        e.pixels[i] = Float(en)
    }
    return StructureTensorField(orientationDegrees: o, coherence: c, energy: e, sigma: sigma, rho: rho)
}
