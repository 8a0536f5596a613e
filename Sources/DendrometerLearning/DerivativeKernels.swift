// Sampled Gaussian, first- and second-derivative-of-Gaussian kernels and the
// one-dimensional convolution passes the feature bank is built from.
//
// Why not DendrometerFilters' kernels: `Kernel1D` and `separableFilter` there are
// internal and have no second derivative, and the feature bank must filter row
// bands with a halo (not whole images) and reuse one row pass for several
// features. The kernels follow the same rules as `gaussianBlur` (radius
// ⌊4σ + 0.5⌋, weights normalised to sum 1, scipy 'reflect' border), so the
// Gaussian feature equals `gaussianBlur` to Float rounding (tested).
//
// Derivative kernels are moment-normalised like vigra's (which ilastik uses):
// the first derivative kernel maps the ramp x to exactly 1, the second
// derivative kernel has zero sum and maps x² to exactly 2. For σ ≥ 1 px this
// changes the sampled analytic kernels by < 1e-6; for small σ it keeps the
// derivatives exact on polynomials, where the raw samples would not be.
//
// The line convolution runs in the C kernel of CVectorKernels (SymmetricFIR.c,
// the one DendrometerFilters' separable filters use) on 256- or 512-bit vectors
// when the processor has them (`VectorKernels.active`, chosen at run time); it
// does the very same Float operations in the same order as the Swift loop
// below, so features are bit-identical on every machine whichever runs.

import DendrometerCore
import Foundation
import CVectorKernels
import DendrometerFilters

/// The wide-vector instruction set of the line convolutions (nil: the Swift loop),
/// from `VectorKernels.active` (which honours `DENDROMETER_VECTORS`).
let featureVectorISA: dm_isa? = {
    switch VectorKernels.active {
    case .avx512bw: DM_ISA_AVX512BW
    case .avx2: DM_ISA_AVX2
    case .portable: nil
    }
}()

/// Samples per vector of ``featureVectorISA`` (lines shorter than this use the Swift loop).
let featureVectorLanes: Int = featureVectorISA.map { dm_lanes($0, MemoryLayout<Float>.stride) } ?? Int.max

/// A 1-D kernel of length 2r + 1, even (w[−k] = w[k]) or odd (w[−k] = −w[k]).
///
/// Convolution at x of a line p:
/// - even: `taps[0]·p[x] + Σ_{k≥1} taps[k]·(p[x−k] + p[x+k])`
/// - odd:  `Σ_{k≥1} taps[k]·(p[x+k] − p[x−k])` (a derivative towards +x / +y)
struct SymmetricKernel: Sendable, Equatable {
    var taps: [Float]
    var odd: Bool
    var radius: Int { taps.count - 1 }

    /// Radius of a kernel of scale σ px: ⌊truncation·σ + 0.5⌋, at least 1.
    static func radius(sigma: Double) -> Int {
        max(1, Int(saturating: FeatureBank.truncation * sigma + 0.5))
    }

    /// exp(−k²/2σ²) for k = 0 ... r normalised so the full kernel sums to 1.
    private static func gaussianWeights(sigma: Double, radius r: Int) -> [Double] {
        var w = (0 ... r).map { k in exp(-0.5 * Double(k * k) / (sigma * sigma)) }
        let sum = w[0] + 2 * w.dropFirst().reduce(0, +)
        for k in w.indices { w[k] /= sum }
        return w
    }

    /// Sampled Gaussian of σ px (the kernel of `gaussianBlur`).
    static func gaussian(sigma: Double) -> SymmetricKernel {
        SymmetricKernel(taps: gaussianWeights(sigma: sigma, radius: radius(sigma: sigma)).map { Float($0) }, odd: false)
    }

    /// First derivative of a Gaussian of σ px, scaled so Σ_k taps[k]·2k = 1 (the ramp x gives 1).
    static func firstDerivative(sigma: Double) -> SymmetricKernel {
        let r = radius(sigma: sigma)
        let g = gaussianWeights(sigma: sigma, radius: r)
        var t = (0 ... r).map { k in Double(k) / (sigma * sigma) * g[k] }
        let moment = (1 ... r).reduce(0.0) { $0 + 2 * Double($1) * t[$1] }
        for k in t.indices { t[k] /= moment }
        return SymmetricKernel(taps: t.map { Float($0) }, odd: true)
    }

    /// Second derivative of a Gaussian of σ px with zero sum, scaled so Σ_j j²·w[j] = 2 (x² gives 2).
    static func secondDerivative(sigma: Double) -> SymmetricKernel {
        let r = radius(sigma: sigma)
        let g = gaussianWeights(sigma: sigma, radius: r)
        var t = (0 ... r).map { k in (Double(k * k) / (sigma * sigma) - 1) / (sigma * sigma) * g[k] }
        let dc = (t[0] + 2 * t.dropFirst().reduce(0, +)) / Double(2 * r + 1)
        for k in t.indices { t[k] -= dc }
        let moment = (1 ... r).reduce(0.0) { $0 + 2 * Double($1 * $1) * t[$1] }
        for k in t.indices { t[k] *= 2 / moment }
        return SymmetricKernel(taps: t.map { Float($0) }, odd: false)
    }
}

/// out[i] = kernel applied to lines lo[k], hi[k] (k = 0 ... r; lo[0] the centre) at
/// index `offset + i`, for i in 0 ..< count. Sixteen outputs are accumulated in
/// registers over all taps before one store; with `offset` 0 and at least one wide
/// vector of samples, the bit-identical C kernel runs instead.
/// Unchecked: r ≥ 1 (every kernel here has radius ≥ 1); every line holds offset + count
/// readable Floats; `out` aliases none.
@inline(__always)
func convolveLines(_ t: UnsafePointer<Float>, radius r: Int, odd: Bool, count n: Int, offset: Int,
                   output out: UnsafeMutablePointer<Float>,
                   lo: UnsafePointer<UnsafePointer<Float>>, hi: UnsafePointer<UnsafePointer<Float>>) {
    typealias V = SIMD16<Float>
    @inline(__always) func load(_ q: UnsafePointer<Float>, _ i: Int) -> V {
        UnsafeRawPointer(q + i).loadUnaligned(as: V.self)
    }
    if offset == 0, n >= featureVectorLanes, let isa = featureVectorISA {
        lo.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: r + 1) { lo in
            hi.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: r + 1) { hi in
                dm_symmetric_fir_f32(isa, t, r, odd ? 0 : 1, n, out, lo, hi)
            }
        }
        return
    }
    var i = 0
    while i + V.scalarCount <= n {
        let j = offset + i
        var acc: V
        if odd {
            acc = V(repeating: 0)
            for k in 1 ... r { acc += V(repeating: t[k]) * (load(hi[k], j) - load(lo[k], j)) }
        } else {
            acc = V(repeating: t[0]) * load(lo[0], j)
            for k in 1 ... r { acc += V(repeating: t[k]) * (load(lo[k], j) + load(hi[k], j)) }
        }
        UnsafeMutableRawPointer(out + i).storeBytes(of: acc, as: V.self)
        i += V.scalarCount
    }
    while i < n {
        let j = offset + i
        var a: Float
        if odd {
            a = 0
            for k in 1 ... r { a += t[k] * (hi[k][j] - lo[k][j]) }
        } else {
            a = t[0] * lo[0][j]
            for k in 1 ... r { a += t[k] * (lo[k][j] + hi[k][j]) }
        }
        out[i] = a
        i += 1
    }
}

/// Scratch for the 1-D passes of one worker: a padded line and two line-pointer tables.
struct LineScratch {
    let maximumRadius: Int
    let padded: UnsafeMutablePointer<Float>
    let lo: UnsafeMutablePointer<UnsafePointer<Float>>
    let hi: UnsafeMutablePointer<UnsafePointer<Float>>

    init(width: Int, maximumRadius: Int) {
        self.maximumRadius = maximumRadius
        padded = .allocate(capacity: width + 2 * maximumRadius)
        lo = .allocate(capacity: maximumRadius + 1)
        hi = .allocate(capacity: maximumRadius + 1)
    }

    func deallocate() { padded.deallocate(); lo.deallocate(); hi.deallocate() }
}

/// Width of the vertical strips a column pass works in, px: the 2r + 1 lines of one
/// strip (≤ 257 × 2 KiB for r = 128) stay in the L2 cache while the strip is swept.
let columnPassStripWidth = 512

/// Row pass (kernel along x) of `line` (`width` Floats, reflected at both ends): one
/// output line per kernel, `outputs[i] + outputOffset` receiving `kernels[i]`.
func rowPass(_ line: UnsafePointer<Float>, width w: Int, kernels: [SymmetricKernel],
             outputs: [UnsafeMutablePointer<Float>], outputOffset: Int, scratch s: LineScratch) {
    let rmax = kernels.reduce(0) { max($0, $1.radius) }
    precondition(rmax <= s.maximumRadius, "kernel radius \(rmax) exceeds scratch radius \(s.maximumRadius)")
    let p = s.padded + rmax
    p.update(from: line, count: w)
    for j in stride(from: 1, through: rmax, by: 1) {
        p[-j] = line[reflectIndex(-j, w)]
        p[w - 1 + j] = line[reflectIndex(w - 1 + j, w)]
    }
    for k in 0 ... rmax { s.lo[k] = UnsafePointer(p - k); s.hi[k] = UnsafePointer(p + k) }
    for (kernel, out) in zip(kernels, outputs) {
        kernel.taps.withUnsafeBufferPointer { t in
            convolveLines(t.baseAddress!, radius: kernel.radius, odd: kernel.odd, count: w, offset: 0,
                          output: out + outputOffset, lo: s.lo, hi: s.hi)
        }
    }
}

/// Column pass (kernel along y) over a stored range of rows.
///
/// `source` holds image rows `sourceRows` (row v at `source + (v − sourceRows.lowerBound)·width`);
/// output row y (in `rows`) is written at `output + (y − rows.lowerBound)·width`. Rows outside
/// the image are reflected about the image (height `imageHeight`), not about the stored range,
/// so the result equals the full-image filter. Precondition (checked): every reflected row
/// index the kernel touches lies in `sourceRows`.
func columnPass(source: UnsafePointer<Float>, sourceRows: Range<Int>, imageHeight h: Int, width w: Int,
                kernel: SymmetricKernel, rows: Range<Int>, output: UnsafeMutablePointer<Float>,
                scratch s: LineScratch) {
    let r = kernel.radius
    precondition(r <= s.maximumRadius, "kernel radius \(r) exceeds scratch radius \(s.maximumRadius)")
    @inline(__always) func line(_ v: Int) -> UnsafePointer<Float> {
        let row = reflectIndex(v, h)
        precondition(sourceRows.contains(row), "row \(row) outside the stored rows \(sourceRows)")
        return source + (row - sourceRows.lowerBound) * w
    }
    kernel.taps.withUnsafeBufferPointer { t in
        var x0 = 0
        while x0 < w {
            let n = min(columnPassStripWidth, w - x0)
            for y in rows {
                for k in 0 ... r { s.lo[k] = line(y - k) + x0; s.hi[k] = line(y + k) + x0 }
                convolveLines(t.baseAddress!, radius: r, odd: kernel.odd, count: n, offset: 0,
                              output: output + (y - rows.lowerBound) * w + x0, lo: s.lo, hi: s.hi)
            }
            x0 += n
        }
    }
}
