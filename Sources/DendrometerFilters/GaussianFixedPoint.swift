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
// Accuracy (why ±1 grey and usually exact): weight quantisation adds at most
// (2r+1)·2⁻¹⁷·255 grey per pass and truncation at most (r+1)/2 units of
// 1/128 grey per pass; for r ≤ 8 (σ < 2.125) the result is within 0.15 grey of
// the exact convolution before the final rounding, so it differs from
// round(exact) by at most 1 grey level, and only where the exact value lies
// within 0.15 of a half-integer. A constant image stays exactly constant
// (the error stays far below the 64-unit rounding margin). Border: scipy
// 'reflect', as everywhere in this module.

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
        let q = Int((Double(kernel.taps[k]) * 65536).rounded())
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

/// out[x] = bias + ⌊p[x]·W₀/2¹⁶⌋ + Σ_k ⌊(p[x−k] + p[x+k])·W_k/2¹⁶⌋, where p holds the
/// input samples × 128 (units of 1/128 grey; a pair ≤ 65 280 fits 16 bits).
/// Unchecked: p[−r ..< count + r] readable; out holds `count`; W holds r + 1 weights.
@inline(__always)
private func rowPassQ7(_ p: UnsafePointer<UInt16>, count n: Int, weights W: UnsafePointer<UInt16>,
                       radius r: Int, bias: UInt16, out: UnsafeMutablePointer<UInt16>) {
    let w0 = W[0]
    var k = 1
    // Taps in groups of up to three per sweep, so `out` is loaded and stored once per group.
    switch r {
    case 1:
        let (w1, a1, b1) = (W[1], p - 1, p + 1)
        for x in 0 ..< n { out[x] = bias &+ mulhi(p[x], w0) &+ mulhi(a1[x] &+ b1[x], w1) }
        return
    default:
        let (w1, a1, b1) = (W[1], p - 1, p + 1), (w2, a2, b2) = (W[2], p - 2, p + 2)
        for x in 0 ..< n {
            out[x] = bias &+ mulhi(p[x], w0) &+ mulhi(a1[x] &+ b1[x], w1) &+ mulhi(a2[x] &+ b2[x], w2)
        }
        k = 3
    }
    while k + 2 <= r {
        let (u, a1, b1) = (W[k], p - k, p + k), (v, a2, b2) = (W[k + 1], p - k - 1, p + k + 1)
        let (t, a3, b3) = (W[k + 2], p - k - 2, p + k + 2)
        for x in 0 ..< n {
            out[x] &+= mulhi(a1[x] &+ b1[x], u) &+ mulhi(a2[x] &+ b2[x], v) &+ mulhi(a3[x] &+ b3[x], t)
        }
        k += 3
    }
    while k <= r {
        let (u, a1, b1) = (W[k], p - k, p + k)
        for x in 0 ..< n { out[x] &+= mulhi(a1[x] &+ b1[x], u) }
        k += 1
    }
}

/// Column pass for output row y over the ring lines y−r ... y+r, rounded to 8 bits.
/// Unchecked: `line(v)` is the row-filtered line v for v in y−r ... y+r; scratch and out hold `count`.
@inline(__always)
private func columnPassQ7(line: (Int) -> UnsafeMutablePointer<UInt16>, y: Int, count n: Int,
                          weights W: UnsafePointer<UInt16>, radius r: Int, bias: UInt16,
                          scratch a: UnsafeMutablePointer<UInt16>, out: UnsafeMutablePointer<UInt8>) {
    @inline(__always) func tap(_ k: Int) -> (UInt16, UnsafePointer<UInt16>, UnsafePointer<UInt16>) {
        (W[k], UnsafePointer(line(y - k)), UnsafePointer(line(y + k)))
    }
    let c = UnsafePointer(line(y)), w0 = W[0]
    // Centre and up to two taps in the first sweep, then groups of three; the last
    // group rounds and stores the 8-bit result. Each sweep loads and stores `a` once.
    var k = min(r, 2) + 1
    let (w1, a1, b1) = tap(1)
    if r == 1 {
        for x in 0 ..< n {
            let s = bias &+ mulhi(c[x], w0) &+ mulhi(a1[x] &+ b1[x], w1)
            out[x] = UInt8(truncatingIfNeeded: (s &+ 64) &>> 7)
        }
        return
    }
    let (w2, a2, b2) = tap(2)
    for x in 0 ..< n { a[x] = bias &+ mulhi(c[x], w0) &+ mulhi(a1[x] &+ b1[x], w1) &+ mulhi(a2[x] &+ b2[x], w2) }
    while k + 2 < r {
        let (u, p1, q1) = tap(k), (v, p2, q2) = tap(k + 1), (t, p3, q3) = tap(k + 2)
        for x in 0 ..< n { a[x] &+= mulhi(p1[x] &+ q1[x], u) &+ mulhi(p2[x] &+ q2[x], v) &+ mulhi(p3[x] &+ q3[x], t) }
        k += 3
    }
    // 0 ... 3 taps remain (k ... r); pad with zero-weight taps on the centre line.
    let none = (UInt16(0), c, c)
    let (u, p1, q1) = k <= r ? tap(k) : none
    let (v, p2, q2) = k + 1 <= r ? tap(k + 1) : none
    let (t, p3, q3) = k + 2 <= r ? tap(k + 2) : none
    for x in 0 ..< n {
        let s = a[x] &+ mulhi(p1[x] &+ q1[x], u) &+ mulhi(p2[x] &+ q2[x], v) &+ mulhi(p3[x] &+ q3[x], t)
        out[x] = UInt8(truncatingIfNeeded: (s &+ 64) &>> 7)
    }
}
