// Separable 2-D filtering engine: a row pass (kernel along x) and a column
// pass (kernel along y), fused per row band through a ring buffer of
// row-filtered lines, so the intermediate image never leaves the cache.
// Border mode: scipy.ndimage 'reflect' (half-sample symmetric) on both axes,
// repeated for kernels wider than the image (see `reflectIndex`).
//
// Method: for output row y, the column pass needs the row-filtered lines
// y−rc ... y+rc. A band keeps the last 2rc+1 of them in a ring; each step
// filters one new line and combines 2rc+1 lines with a vertical (transpose-free)
// streaming loop over x, two taps at a time. Both passes exploit the kernel's
// symmetry (r+1 multiplies per tap pair). Cost: O((rr + rc) · W · H), memory
// O((2rc + 1) · W) per band.

import DendrometerCore

/// Runs `row` along x then `column` along y over a `width × height` image.
///
/// - `loadRow(y, dst)` writes the `width` source samples of row y as Floats.
/// - `storeRow(y, src)` receives the `width` filtered samples of row y.
///
/// Unchecked preconditions: width, height > 0; both closures are safe to call
/// concurrently for different rows (read-only input, disjoint output rows).
func separableFilter(width: Int, height: Int, row: Kernel1D, column: Kernel1D,
                     loadRow: (Int, UnsafeMutablePointer<Float>) -> Void,
                     storeRow: (Int, UnsafePointer<Float>) -> Void) {
    let w = width, h = height
    let rr = row.radius, rc = column.radius
    let slots = 2 * rc + 1
    let rowTaps = row.taps, colTaps = column.taps
    parallelBands(h, minimumPerBand: 16) { band in
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: w + 2 * rr)
        let ring = UnsafeMutablePointer<Float>.allocate(capacity: slots * w)
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: w)
        defer { padded.deallocate(); ring.deallocate(); acc.deallocate() }
        rowTaps.withUnsafeBufferPointer { rt in
            colTaps.withUnsafeBufferPointer { ct in
                let first = band.lowerBound - rc
                @inline(__always) func line(_ v: Int) -> UnsafeMutablePointer<Float> {
                    ring + ((v - first) % slots) * w
                }
                @inline(__always) func filterLine(_ v: Int) {
                    let sy = reflectIndex(v, h)
                    let p = padded + rr
                    loadRow(sy, p)
                    if rr > 0 {
                        for j in 1 ... rr {
                            p[-j] = p[reflectIndex(-j, w)]
                            p[w - 1 + j] = p[reflectIndex(w - 1 + j, w)]
                        }
                    }
                    applyKernel(rt, parity: row.parity, count: w, output: line(v)) { k in
                        (UnsafePointer(p - k), UnsafePointer(p + k))
                    }
                }
                for v in first ..< band.lowerBound + rc { filterLine(v) }
                for y in band {
                    filterLine(y + rc)
                    applyKernel(ct, parity: column.parity, count: w, output: acc) { k in
                        (UnsafePointer(line(y - k)), UnsafePointer(line(y + k)))
                    }
                    storeRow(y, acc)
                }
            }
        }
    }
}

/// out[i] = even: t0·c[i] + Σ t_k (lo_k[i] + hi_k[i]); odd: Σ t_k (hi_k[i] − lo_k[i]),
/// where `(lo_k, hi_k) = lines(k)` and `lines(0)` is the centre (both equal).
/// Taps are combined two at a time to halve the traffic on `out`.
/// Unchecked: every line holds `count` readable Floats; `out` does not alias them.
@inline(__always)
func applyKernel(_ t: UnsafeBufferPointer<Float>, parity: Kernel1D.Parity, count n: Int,
                 output out: UnsafeMutablePointer<Float>,
                 lines: (Int) -> (UnsafePointer<Float>, UnsafePointer<Float>)) {
    let r = t.count - 1
    var k = 1
    switch parity {
    case .even:
        let c = lines(0).0
        let t0 = t[0]
        if r == 0 {
            if t0 == 1 { out.update(from: c, count: n) } else { for i in 0 ..< n { out[i] = t0 * c[i] } }
            return
        }
        let (a, b) = lines(1)
        let t1 = t[1]
        for i in 0 ..< n { out[i] = t0 * c[i] + t1 * (a[i] + b[i]) }
        k = 2
        while k + 1 <= r {
            let (a1, b1) = lines(k), (a2, b2) = lines(k + 1)
            let u = t[k], v = t[k + 1]
            for i in 0 ..< n { out[i] += u * (a1[i] + b1[i]) + v * (a2[i] + b2[i]) }
            k += 2
        }
        if k == r {
            let (a1, b1) = lines(k)
            let u = t[k]
            for i in 0 ..< n { out[i] += u * (a1[i] + b1[i]) }
        }
    case .odd:
        let (a, b) = lines(1)
        let t1 = t[1]
        for i in 0 ..< n { out[i] = t1 * (b[i] - a[i]) }
        k = 2
        while k + 1 <= r {
            let (a1, b1) = lines(k), (a2, b2) = lines(k + 1)
            let u = t[k], v = t[k + 1]
            for i in 0 ..< n { out[i] += u * (b1[i] - a1[i]) + v * (b2[i] - a2[i]) }
            k += 2
        }
        if k == r {
            let (a1, b1) = lines(k)
            let u = t[k]
            for i in 0 ..< n { out[i] += u * (b1[i] - a1[i]) }
        }
    }
}

/// Calls `body` with a function that writes row y of `image` as Floats into a
/// destination line. Specialised per sample type so the conversion loop vectorises.
func withFloatRowLoader<P: PixelSample, R>(_ image: Image<P>,
                                            _ body: ((Int, UnsafeMutablePointer<Float>) -> Void) -> R) -> R {
    let w = image.width
    return image.pixels.withUnsafeBufferPointer { buf in
        let raw = UnsafeRawPointer(buf.baseAddress!)
        if P.self == UInt8.self {
            let src = raw.assumingMemoryBound(to: UInt8.self)
            return body { y, dst in
                let s = src + y * w
                for x in 0 ..< w { dst[x] = Float(s[x]) }
            }
        } else if P.self == UInt16.self {
            let src = raw.assumingMemoryBound(to: UInt16.self)
            return body { y, dst in
                let s = src + y * w
                for x in 0 ..< w { dst[x] = Float(s[x]) }
            }
        } else {
            let src = raw.assumingMemoryBound(to: Float.self)
            return body { y, dst in dst.update(from: src + y * w, count: w) }
        }
    }
}
