// Separable 2-D filtering engine: a row pass (kernel along x) and a column
// pass (kernel along y), fused per row band through a ring buffer of
// row-filtered lines, so the intermediate image never leaves the cache.
// Border mode: scipy.ndimage 'reflect' (half-sample symmetric) on both axes,
// repeated for kernels wider than the image (see `reflectIndex`).
//
// Method: for output row y, the column pass needs the row-filtered lines
// y−rc ... y+rc. A band keeps the last 2rc+1 of them in a ring; each step
// filters one new line and combines 2rc+1 lines with a vertical (transpose-free)
// loop over x that keeps 16 outputs in SIMD registers across all taps. Both
// passes exploit the kernel's symmetry (r+1 multiplies for 2r+1 taps). Cost: O((rr + rc) · W · H), memory
// O((2rc + 1) · W) per band.

import CVectorKernels
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
    // Each band recomputes 2·rc halo lines; bands of ≥ 4·rc rows keep that overhead ≤ 50 %.
    parallelBands(h, minimumPerBand: max(16, 4 * rc)) { band in
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: w + 2 * rr)
        let ring = UnsafeMutablePointer<Float>.allocate(capacity: slots * w)
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: w)
        // Line tables: lines k = 0 ... r below (lo) and above (hi) the centre.
        let rowLo = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rr + 1)
        let rowHi = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rr + 1)
        let colLo = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rc + 1)
        let colHi = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: rc + 1)
        defer {
            padded.deallocate(); ring.deallocate(); acc.deallocate()
            rowLo.deallocate(); rowHi.deallocate(); colLo.deallocate(); colHi.deallocate()
        }
        let p = padded + rr
        for k in 0 ... rr { rowLo[k] = UnsafePointer(p - k); rowHi[k] = UnsafePointer(p + k) }
        rowTaps.withUnsafeBufferPointer { rt in
            colTaps.withUnsafeBufferPointer { ct in
                let first = band.lowerBound - rc
                @inline(__always) func line(_ v: Int) -> UnsafeMutablePointer<Float> {
                    ring + ((v - first) % slots) * w
                }
                @inline(__always) func filterLine(_ v: Int) {
                    loadRow(reflectIndex(v, h), p)
                    if rr > 0 {
                        for j in 1 ... rr {
                            p[-j] = p[reflectIndex(-j, w)]
                            p[w - 1 + j] = p[reflectIndex(w - 1 + j, w)]
                        }
                    }
                    applyKernel(rt, parity: row.parity, count: w, output: line(v), lo: rowLo, hi: rowHi)
                }
                for v in first ..< band.lowerBound + rc { filterLine(v) }
                for y in band {
                    filterLine(y + rc)
                    for k in 0 ... rc { colLo[k] = UnsafePointer(line(y - k)); colHi[k] = UnsafePointer(line(y + k)) }
                    applyKernel(ct, parity: column.parity, count: w, output: acc, lo: colLo, hi: colHi)
                    storeRow(y, acc)
                }
            }
        }
    }
}

/// out[i] = even: t0·lo₀[i] + Σ_{k≥1} t_k (lo_k[i] + hi_k[i]); odd: Σ_{k≥1} t_k (hi_k[i] − lo_k[i]).
///
/// Register-blocked: 16 outputs are accumulated in SIMD registers over all taps
/// and stored once, so the loop is bound by loads, not by traffic on `out`.
/// Unchecked: `lo[k]`, `hi[k]` (k = 0 ... taps.count − 1) hold `count` readable
/// Floats; `lo[0]` is the centre line; `out` holds `count` and aliases none of them.
/// With `kernels` other than `.portable`, rows of at least one vector run in the
/// bit-identical C kernel of CVectorKernels (SymmetricFIR.c) on wider vectors.
@inline(__always)
func applyKernel(_ t: UnsafeBufferPointer<Float>, parity: Kernel1D.Parity, count n: Int,
                 output out: UnsafeMutablePointer<Float>,
                 lo: UnsafePointer<UnsafePointer<Float>>, hi: UnsafePointer<UnsafePointer<Float>>,
                 kernels: VectorKernels = .active) {
    typealias V = SIMD16<Float>
    let r = t.count - 1
    let even = parity == .even
    if even && r == 0 {
        if t[0] == 1 { out.update(from: lo[0], count: n) } else { for i in 0 ..< n { out[i] = t[0] * lo[0][i] } }
        return
    }
    if let isa = kernels.isa, r >= 1, n >= dm_lanes(isa, MemoryLayout<Float>.stride) {
        lo.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: r + 1) { lo in
            hi.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: r + 1) { hi in
                dm_symmetric_fir_f32(isa, t.baseAddress, r, even ? 1 : 0, n, out, lo, hi)
            }
        }
        return
    }
    @inline(__always) func load(_ q: UnsafePointer<Float>, _ i: Int) -> V {
        UnsafeRawPointer(q + i).loadUnaligned(as: V.self)
    }
    var i = 0
    while i + V.scalarCount <= n {
        var acc = even ? V(repeating: t[0]) * load(lo[0], i) : V(repeating: 0)
        if even {
            for k in 1 ... r { acc += V(repeating: t[k]) * (load(lo[k], i) + load(hi[k], i)) }
        } else {
            for k in 1 ... r { acc += V(repeating: t[k]) * (load(hi[k], i) - load(lo[k], i)) }
        }
        UnsafeMutableRawPointer(out + i).storeBytes(of: acc, as: V.self)
        i += V.scalarCount
    }
    while i < n {
        var a: Float = even ? t[0] * lo[0][i] : 0
        if even {
            for k in 1 ... r { a += t[k] * (lo[k][i] + hi[k][i]) }
        } else {
            for k in 1 ... r { a += t[k] * (hi[k][i] - lo[k][i]) }
        }
        out[i] = a
        i += 1
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

/// Calls `body` with a function `load(s, start, count, dst)` that writes the samples
/// of row s at columns start ..< start + count as Floats, columns outside 0 ..< width
/// reflected (scipy 'reflect', repeated). Specialised per sample type.
func withFloatSpanLoader<P: PixelSample, R>(_ image: Image<P>,
                                            _ body: ((Int, Int, Int, UnsafeMutablePointer<Float>) -> Void) -> R) -> R {
    let w = image.width
    return image.pixels.withUnsafeBufferPointer { buf in
        let raw = UnsafeRawPointer(buf.baseAddress!)
        if P.self == UInt8.self {
            let src = raw.assumingMemoryBound(to: UInt8.self)
            return body { s, start, count, dst in loadSpan(src + s * w, w, start, count, dst) { Float($0) } }
        } else if P.self == UInt16.self {
            let src = raw.assumingMemoryBound(to: UInt16.self)
            return body { s, start, count, dst in loadSpan(src + s * w, w, start, count, dst) { Float($0) } }
        } else {
            let src = raw.assumingMemoryBound(to: Float.self)
            return body { s, start, count, dst in loadSpan(src + s * w, w, start, count, dst) { $0 } }
        }
    }
}

/// dst[i] = convert(row[reflectIndex(start + i, w)]) for i in 0 ..< count; the in-range
/// middle part is a plain (vectorisable) loop. Unchecked: w > 0, dst holds count Floats.
@inline(__always)
func loadSpan<T>(_ row: UnsafePointer<T>, _ w: Int, _ start: Int, _ count: Int,
                 _ dst: UnsafeMutablePointer<Float>, _ convert: (T) -> Float) {
    var i = 0
    while i < count && start + i < 0 { dst[i] = convert(row[reflectIndex(start + i, w)]); i += 1 }
    let mid = min(count, w - start)
    if i < mid {
        let s = row + start, d = dst
        for j in i ..< mid { d[j] = convert(s[j]) }
        i = mid
    }
    while i < count { dst[i] = convert(row[reflectIndex(start + i, w)]); i += 1 }
}
