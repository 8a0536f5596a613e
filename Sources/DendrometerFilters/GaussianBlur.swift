// Separable Gaussian blur (sampled Gaussian truncated at 4σ, as
// scipy.ndimage.gaussian_filter / skimage.filters.gaussian with truncate=4),
// border mode 'reflect'. Engine: `separableFilter` (row pass, then a
// transpose-free column pass over a ring of row-filtered lines, parallel row bands).

import DendrometerCore

/// Blurs an image with a Gaussian of standard deviation `sigma` px and returns Float samples.
///
/// The kernel is the sampled Gaussian exp(−x²/2σ²) on −r ... r with
/// r = ⌊4σ + 0.5⌋, normalised to sum 1 — the kernel of
/// `scipy.ndimage.gaussian_filter(image, sigma, mode='reflect', truncate=4.0)`,
/// which this function reproduces to Float rounding. It is applied along x, then along y.
///
/// - Border: scipy 'reflect', half-sample symmetric (`d c b a | a b c d | d c b a`),
///   repeated when the kernel is wider than the image, so any σ works on any size.
///   With this border the blur preserves the image sum.
/// - Parameters:
///   - image: input of shape (rows, cols) = (height, width); any sample type; not modified.
///   - sigma: standard deviation in px, finite and ≥ 0. σ = 0 returns the samples unchanged
///     (as Float). σ < 0.125 px gives r = 0, also the identity.
/// - Returns: Float image of the same shape.
/// - Throws: ``FilterError/invalidScale(name:value:requirement:)`` for NaN, ±∞ or σ < 0.
/// - Complexity: O(W·H·r) time, O(r·W) extra memory per band; runs on row bands in parallel.
///
/// Example (σ = 1, 1×3 row `[0, 3, 0]`, reflect border), as scipy gives:
/// ```swift
/// let out = try gaussianBlur(Image<Float>(width: 3, height: 1, pixels: [0, 3, 0]), sigma: 1)
/// // out.pixels ≈ [0.8883, 1.2234, 0.8883]   (sums to 3; scipy gives the same)
/// ```
public func gaussianBlur<P: PixelSample>(_ image: Image<P>, sigma: Double) throws(FilterError) -> Image<Float> {
    try blurredToFloat(image, sigma: sigma, rowOffsets: nil)
}

/// ``gaussianBlur(_:sigma:)`` of the image whose row y is first shifted by −`offsets[y]`
/// (e.g. ``scanLineOffsets(_:)``): each row is corrected as the filter reads it, so the
/// corrected image is never stored (4 bytes per pixel less at the peak). Equal, value for
/// value, to `gaussianBlur(shifted, sigma:)` where `shifted` holds `Float(sample) − offsets[y]`.
///
/// - Parameters:
///   - image: input of shape (rows, cols); not modified.
///   - sigma: standard deviation in px, finite and ≥ 0.
///   - offsets: one value per row, in the image's grey units.
/// - Throws: ``FilterError/invalidScale(name:value:requirement:)``.
/// - Precondition: `offsets.count == image.height`.
///
/// Example: rows [1, 1, 1], [9, 9, 9], [1, 1, 1] with offsets [0, 8, 0] and σ = 0 give three
/// rows of 1.
public func gaussianBlur<P: PixelSample>(_ image: Image<P>, sigma: Double,
                                         subtractingRowOffsets offsets: [Float]) throws(FilterError) -> Image<Float> {
    precondition(offsets.count == image.height, "expected \(image.height) row offsets, got \(offsets.count)")
    return try blurredToFloat(image, sigma: sigma, rowOffsets: offsets)
}

/// The body of both Float blurs: rows are read as Floats (less `rowOffsets[y]` when given),
/// filtered, and each output row stored exactly once (no zero fill first).
private func blurredToFloat<P: PixelSample>(_ image: Image<P>, sigma: Double,
                                            rowOffsets: [Float]?) throws(FilterError) -> Image<Float> {
    try FilterError.check(sigma, name: "Gaussian σ")
    if image.isEmpty { return Image<Float>(width: image.width, height: image.height, fill: 0, bitDepth: 32) }
    let k = Kernel1D.gaussian(sigma: sigma)
    let w = image.width, h = image.height, n = image.count
    let pixels = [Float](unsafeUninitializedCapacity: n) { ob, initialized in
        adviseHugePages(UnsafeMutableRawPointer(ob.baseAddress), byteCount: n * MemoryLayout<Float>.stride)
        let dst = SendablePointer(ob.baseAddress!)
        let store = { (y: Int, src: UnsafePointer<Float>) in (dst.base + y * w).initialize(from: src, count: w) }
        withFloatRowLoader(image) { load in
            guard let rowOffsets else {
                separableFilter(width: w, height: h, row: k, column: k, loadRow: load, storeRow: store)
                return
            }
            rowOffsets.withUnsafeBufferPointer { off in
                separableFilter(width: w, height: h, row: k, column: k, loadRow: { y, row in
                    load(y, row)
                    let o = off[y]
                    for x in 0 ..< w { row[x] -= o }
                }, storeRow: store)
            }
        }
        initialized = n
    }
    return Image<Float>(width: w, height: h, pixels: pixels, bitDepth: 32)
}

/// Blurs an 8-bit image with a Gaussian of `sigma` px and keeps 8-bit samples.
///
/// Same kernel and 'reflect' border as ``gaussianBlur(_:sigma:)``. Rounding:
/// - σ < 2.125 px (kernel radius r ≤ 8, which covers the usual σ = 1 and 2):
///   16-bit fixed point like OpenCV's 8-bit `GaussianBlur` (Q16 weights,
///   intermediate rows in 1/128 grey, see GaussianFixedPoint.swift). The result is
///   within 0.65 grey of the exact convolution: it equals the exact value rounded
///   to nearest, except where that value lies within 0.15 of a half-integer,
///   where it may be the other neighbour (never more than ±1 grey level).
/// - larger σ: Float arithmetic, rounded to nearest (ties to even).
/// Results are clamped to 0 ... 255; `bitDepth` is kept. Faster than the Float
/// variant when 8-bit output is all that is needed.
///
/// - Parameters:
///   - image: input of shape (rows, cols); not modified.
///   - sigma: standard deviation in px, finite and ≥ 0; σ = 0 returns a copy.
/// - Throws: ``FilterError/invalidScale(name:value:requirement:)``.
/// - Complexity: O(W·H·r); runs on row bands in parallel.
///
/// Example: a constant image stays exactly constant for every σ; the 1×3 row
/// `[0, 255, 0]` with σ = 1 gives `[76, 104, 76]` (exact: 75.50, 103.99, 75.50 —
/// the two ties resolve upwards here).
public func gaussianBlurKeepingType(_ image: Image<UInt8>, sigma: Double) throws(FilterError) -> Image<UInt8> {
    try FilterError.check(sigma, name: "Gaussian σ")
    let k = Kernel1D.gaussian(sigma: sigma)
    if !image.isEmpty && k.radius >= 1 && k.radius <= gaussianFixedPointMaximumRadius {
        return gaussianBlurFixedPointU8(image, kernel: k)
    }
    return try blurKeepingType(image, sigma: sigma, maximum: 255)
}

/// Blurs a 16-bit image with a Gaussian of `sigma` px and keeps 16-bit samples.
///
/// Same kernel and 'reflect' border as ``gaussianBlur(_:sigma:)``; each result is
/// rounded to the nearest integer (ties to even) and clamped to 0 ... 65535.
/// `bitDepth` is kept (a blur never leaves the input's range).
///
/// - Parameters:
///   - image: input of shape (rows, cols); not modified.
///   - sigma: standard deviation in px, finite and ≥ 0; σ = 0 returns a copy.
/// - Throws: ``FilterError/invalidScale(name:value:requirement:)``.
/// - Complexity: O(W·H·r).
public func gaussianBlurKeepingType(_ image: Image<UInt16>, sigma: Double) throws(FilterError) -> Image<UInt16> {
    try blurKeepingType(image, sigma: sigma, maximum: 65535)
}

/// Shared body of the same-type blurs. `T` is UInt8 or UInt16; `maximum` its largest value.
private func blurKeepingType<T: PixelSample & FixedWidthInteger>(_ image: Image<T>, sigma: Double,
                                                                 maximum: Float) throws(FilterError) -> Image<T> {
    try FilterError.check(sigma, name: "Gaussian σ")
    let k = Kernel1D.gaussian(sigma: sigma)
    if image.isEmpty || k.radius == 0 { return image }
    var out = Image<T>(width: image.width, height: image.height, fill: .zero, bitDepth: image.bitDepth)
    let w = image.width
    out.pixels.withUnsafeMutableBufferPointer { ob in
        let dst = SendablePointer(ob.baseAddress!)
        withFloatRowLoader(image) { load in
            separableFilter(width: w, height: image.height, row: k, column: k, loadRow: load) { y, src in
                let d = dst.base + y * w
                for x in 0 ..< w {
                    // Round to nearest (ties to even) by the 1.5·2²³ trick: after the
                    // addition the integer sits in the low mantissa bits. Branch-free,
                    // trap-free, vectorisable; exact for 0 ... 2²² after clamping.
                    let v = min(max(src[x], 0), maximum) + 12_582_912
                    d[x] = T(truncatingIfNeeded: v.bitPattern & 0xFFFF)
                }
            }
        }
    }
    return out
}

/// Scalar reference: direct per-pixel separable convolution in Double with
/// `reflectIndex`, no buffers shared. Slow; used by tests to check the fast path.
func gaussianBlurReference<P: PixelSample>(_ image: Image<P>, sigma: Double) -> Image<Float> {
    separableReference(image, row: .gaussian(sigma: sigma), column: .gaussian(sigma: sigma))
}

/// Scalar reference of `separableFilter`: out(x,y) = Σ_j Σ_i wc[j] · wr[i] · in(x−i, y−j)
/// (convolution), reflect border, accumulated in Double.
func separableReference<P: PixelSample>(_ image: Image<P>, row: Kernel1D, column: Kernel1D) -> Image<Float> {
    let w = image.width, h = image.height
    var tmp = [Double](repeating: 0, count: w * h)
    let fr = row.full, fc = column.full
    let rr = row.radius, rc = column.radius
    for y in 0 ..< h {
        for x in 0 ..< w {
            var s = 0.0
            for i in -rr ... rr { s += Double(fr[i + rr]) * Double(image.pixels[y * w + reflectIndex(x - i, w)].floatValue) }
            tmp[y * w + x] = s
        }
    }
    var out = Image<Float>(width: w, height: h, fill: 0, bitDepth: 32)
    for y in 0 ..< h {
        for x in 0 ..< w {
            var s = 0.0
            for j in -rc ... rc { s += Double(fc[j + rc]) * tmp[reflectIndex(y - j, h) * w + x] }
            out.pixels[y * w + x] = Float(s)
        }
    }
    return out
}
