// 8-bit → 8-bit separable Gaussian in 16-bit fixed point, the scheme of
// OpenCV's fixed-point `GaussianBlur` for CV_8U (fixedSmoothInvoker,
// ufixedpoint16) with finer weights: every multiply is a 16 × 16 → high-16
// product (`pmulhuw`), 8 lanes per SSE register, and both passes run as plain
// loops over x that LLVM vectorises.
//
// Representation:
// - Weights: the sampled Gaussian of `Kernel1D.gaussian` (scipy, truncate 4)
//   in Q16: W_k = round(65536·w_k) for k ≥ 1, W_0 = 65536 − 2·Σ W_k, so the
//   kernel sums to exactly 1.
// - Row pass: u8 line × 128 as UInt16, reflect-padded; r(x) = W_0·p(x)·128 + Σ W_k·(p(x−k) + p(x+k))·128,
//   each term taken as ⌊(a·W)/2¹⁶⌋ — a UInt16 in units of 1/128 grey
//   (≤ 32 640, so a symmetric pair still fits 16 bits). Lines are kept in a
//   ring of 2r+1 rows (transpose-free column pass, as `separableFilter`).
// - Column pass: the same with the row-filtered lines, then (acc + 64) >> 7.
// - Each pass starts its sum at ⌊(r+1)/2⌋ units to centre the truncation of the r+1 terms.
//
// Accuracy (why ±1 grey and usually exact), per pass, for r ≤ 8 (σ < 2.125):
// - weights: each W_k (k ≥ 1) is off by ≤ ½ in Q16 and W_0 absorbs their sum, so
//   Σ|ΔW| ≤ 2r·2⁻¹⁶; as ΣΔW = 0 the output moves by ≤ 127.5·2r·2⁻¹⁶ ≤ 0.032 grey;
// - truncation: r+1 floored products, each in (−1, 0] units, plus the bias
//   ⌊(r+1)/2⌋, leave the sum within (−5, 4] units = ±0.04 grey.
// Both passes together: < 0.15 grey before the final rounding (s + 64) >> 7, so
// the result equals the exact convolution rounded to nearest except where that
// lies within 0.15 of a half-integer, and never differs from it by more than
// 1 grey level (OpenCV's fixed-point 8-bit Gaussian also allows ±1). A constant
// image stays exactly constant (the error is far below the 64-unit rounding
// margin). Border: scipy 'reflect', as everywhere in this module.

import DendrometerCore

/// Largest radius the fixed-point path accepts (σ < 2.125 with truncate 4).
let gaussianFixedPointMaximumRadius = 8

/// 8-bit Gaussian in 16-bit fixed point (see top of file for the error bound).
///
/// Unchecked preconditions: `image` not empty; `1 ≤ kernel.radius ≤ 8`;
/// `kernel` even and normalised (a `Kernel1D.gaussian`). Runs on parallel row bands.
func gaussianBlurFixedPointU8(_ image: Image<UInt8>, kernel: Kernel1D) -> Image<UInt8> {
    let r = kernel.radius
    var weights = [UInt16](repeating: 0, count: r + 1)
    var side = 0
    for k in 1 ... r {
        let q = Int(saturating: (Double(kernel.taps[k]) * 65536).rounded())
        weights[k] = UInt16(q)
        side += 2 * q
    }
    // All off-centre weights round to 0: the kernel is the identity in Q16.
    if side == 0 { return image }
    weights[0] = UInt16(65536 - side)
    let w = image.width, h = image.height
    let slots = 2 * r + 1
    let bias = UInt16((r + 1) / 2)
    let pixels = [UInt8](unsafeUninitializedCapacity: w * h) { ob, initialized in
        adviseHugePages(UnsafeMutableRawPointer(ob.baseAddress!), byteCount: w * h * MemoryLayout<UInt8>.stride)
        image.pixels.withUnsafeBufferPointer { ib in
            weights.withUnsafeBufferPointer { wb in
                let src = ib.baseAddress!, W = wb.baseAddress!
                let dst = SendablePointer(ob.baseAddress!)
                parallelBands(h, minimumPerBand: max(16, 4 * r)) { band in
                    let padded = UnsafeMutablePointer<UInt16>.allocate(capacity: w + 2 * r)
                    let ring = UnsafeMutablePointer<UInt16>.allocate(capacity: slots * w)
                    let acc = UnsafeMutablePointer<UInt16>.allocate(capacity: w)
                    defer { padded.deallocate(); ring.deallocate(); acc.deallocate() }
                    let p = padded + r
                    let first = band.lowerBound - r
                    @inline(__always) func line(_ v: Int) -> UnsafeMutablePointer<UInt16> {
                        ring + ((v - first) % slots) * w
                    }
                    @inline(__always) func filterLine(_ v: Int) {
                        let s = src + reflectIndex(v, h) * w
                        for x in 0 ..< w { p[x] = UInt16(s[x]) &<< 7 }
                        for j in 1 ... r {
                            p[-j] = p[reflectIndex(-j, w)]
                            p[w - 1 + j] = p[reflectIndex(w - 1 + j, w)]
                        }
                        rowPassQ7(p, count: w, weights: W, radius: r, bias: bias, out: line(v))
                    }
                    for v in first ..< band.lowerBound + r { filterLine(v) }
                    for y in band {
                        filterLine(y + r)
                        columnPassQ7(line: line, y: y, count: w, weights: W, radius: r, bias: bias,
                                     scratch: acc, out: dst.base + y * w)
                    }
                }
            }
        }
        initialized = w * h
    }
    return Image(width: w, height: h, pixels: pixels, bitDepth: image.bitDepth)
}

/// ⌊a·b / 2¹⁶⌋ — LLVM turns a vectorised loop of these into `pmulhuw`.
@inline(__always)
private func mulhi(_ a: UInt16, _ b: UInt16) -> UInt16 {
    UInt16(truncatingIfNeeded: (UInt32(a) &* UInt32(b)) &>> 16)
}

/// One symmetric tap: weight W_k and the lines (or line positions) at −k and +k.
private typealias Tap = (w: UInt16, lo: UnsafePointer<UInt16>, hi: UnsafePointer<UInt16>)

/// Taps k ... k+3, those beyond r replaced by `none` (weight 0).
@inline(__always)
private func taps4(_ k: Int, _ r: Int, none: Tap, _ at: (Int) -> Tap) -> (Tap, Tap, Tap, Tap) {
    (k <= r ? at(k) : none, k + 1 <= r ? at(k + 1) : none,
     k + 2 <= r ? at(k + 2) : none, k + 3 <= r ? at(k + 3) : none)
}

/// Σ over four taps of ⌊(lo[x] + hi[x])·W/2¹⁶⌋.
@inline(__always)
private func sum4(_ t: (Tap, Tap, Tap, Tap), _ x: Int) -> UInt16 {
    (mulhi(t.0.lo[x] &+ t.0.hi[x], t.0.w) &+ mulhi(t.1.lo[x] &+ t.1.hi[x], t.1.w))
        &+ (mulhi(t.2.lo[x] &+ t.2.hi[x], t.2.w) &+ mulhi(t.3.lo[x] &+ t.3.hi[x], t.3.w))
}

/// out[x] = bias + ⌊p[x]·W₀/2¹⁶⌋ + Σ_k ⌊(p[x−k] + p[x+k])·W_k/2¹⁶⌋, where p holds the
/// input samples × 128 (units of 1/128 grey; a pair ≤ 65 280 fits 16 bits).
/// Taps go four per sweep over x (r ≤ 4: one sweep), so `out` is loaded and
/// stored once per four taps. Unchecked: p[−r ..< count + r] readable; out holds
/// `count`; W holds r + 1 weights.
@inline(__always)
private func rowPassQ7(_ p: UnsafePointer<UInt16>, count n: Int, weights W: UnsafePointer<UInt16>,
                       radius r: Int, bias: UInt16, out: UnsafeMutablePointer<UInt16>) {
    let none: Tap = (0, p, p)
    @inline(__always) func at(_ k: Int) -> Tap { (W[k], p - k, p + k) }
    let w0 = W[0]
    var t = taps4(1, r, none: none, at)
    for x in 0 ..< n { out[x] = bias &+ mulhi(p[x], w0) &+ sum4(t, x) }
    var k = 5
    while k <= r {
        t = taps4(k, r, none: none, at)
        for x in 0 ..< n { out[x] &+= sum4(t, x) }
        k += 4
    }
}

/// Column pass for output row y over the ring lines y−r ... y+r, rounded to 8 bits:
/// out[x] = (bias + ⌊c[x]·W₀/2¹⁶⌋ + Σ_k ⌊(c₋ₖ[x] + c₊ₖ[x])·W_k/2¹⁶⌋ + 64) >> 7.
/// Two taps (four lines) per sweep — with more lines per loop LLVM's runtime alias
/// checks exceed its limit and the loop stays scalar; the last sweep rounds and
/// stores. Unchecked: `line(v)` is the row-filtered line v for v in y−r ... y+r;
/// scratch and out hold `count`.
@inline(__always)
private func columnPassQ7(line: (Int) -> UnsafeMutablePointer<UInt16>, y: Int, count n: Int,
                          weights W: UnsafePointer<UInt16>, radius r: Int, bias: UInt16,
                          scratch a: UnsafeMutablePointer<UInt16>, out: UnsafeMutablePointer<UInt8>) {
    let c = UnsafePointer(line(y)), w0 = W[0]
    let none: Tap = (0, c, c)
    @inline(__always) func at(_ k: Int) -> Tap {
        (W[k], UnsafePointer(line(y - k)), UnsafePointer(line(y + k)))
    }
    @inline(__always) func sum2(_ t: (Tap, Tap), _ x: Int) -> UInt16 {
        mulhi(t.0.lo[x] &+ t.0.hi[x], t.0.w) &+ mulhi(t.1.lo[x] &+ t.1.hi[x], t.1.w)
    }
    var t = (at(1), r >= 2 ? at(2) : none)
    if r <= 2 {
        for x in 0 ..< n {
            let s = bias &+ mulhi(c[x], w0) &+ sum2(t, x)
            out[x] = UInt8(truncatingIfNeeded: (s &+ 64) &>> 7)
        }
        return
    }
    for x in 0 ..< n { a[x] = bias &+ mulhi(c[x], w0) &+ sum2(t, x) }
    var k = 3
    while k + 1 < r {
        t = (at(k), at(k + 1))
        for x in 0 ..< n { a[x] &+= sum2(t, x) }
        k += 2
    }
    t = (at(k), k + 1 <= r ? at(k + 1) : none)
    for x in 0 ..< n {
        let s = a[x] &+ sum2(t, x)
        out[x] = UInt8(truncatingIfNeeded: (s &+ 64) &>> 7)
    }
}
