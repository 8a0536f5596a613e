// Median filter over a (2r+1)×(2r+1) square window, border mode 'reflect'
// (scipy.ndimage.median_filter(image, size=2r+1, mode='reflect')).
//
// Paths (all exact; chosen by sample type and radius):
// - UInt8 / UInt16, r = 1, 2: column presort + selection networks on SIMD
//   vectors of pixels (MedianVectorised.swift), O(1) per pixel, no padded copy.
// - Float, r = 1, 2: branch-free selection networks (Devillard 1998, see
//   MedianNetworks.swift), O(1) per pixel (19 / 99 compare-swaps).
// - UInt8, r ≥ 3: Huang, Yang & Tang (1979) sliding 256-bin histogram,
//   O(r) per pixel (MedianHistogram.swift).
// - UInt16, r ≥ 3: images with ≤ 256 distinct values (8-bit data in 16-bit
//   words) are mapped to their dense ranks and take the UInt8 path (exact: the
//   median commutes with monotone maps); otherwise Huang's sliding histogram
//   with a three-level (256 / 4096 / 65 536 bins) histogram, O(r) updates per
//   pixel plus walks of ≤ 16 + 16 bins (MedianHistogram.swift).
// - Float, r ≥ 3: gather the window and sort, O(r² log r) per pixel.
// The integer r ≤ 2 path reflects row indices and its per-row level lines; all
// other paths read a reflect-padded copy of the image (one O(W·H) copy), so the
// inner loops need no border tests. Every path runs on parallel row bands.

import DendrometerCore

/// Which implementation ``medianFilter(_:radius:algorithm:)`` uses.
public enum MedianAlgorithm: Sendable {
    /// The fastest exact path for the sample type and radius (networks, histograms or sorting).
    case automatic
    /// The scalar reference: gather each window with reflected indices and sort it.
    /// Slow (O(r² log r) per pixel, single thread); for testing the fast paths.
    case scalarReference
}

/// Replaces each pixel by the median of its (2r+1)×(2r+1) neighbourhood.
///
/// Equals `scipy.ndimage.median_filter(image, size=2*radius+1, mode='reflect')`
/// exactly (the window has an odd number of samples, so the median is one of them).
///
/// - Border: scipy 'reflect', half-sample symmetric (`d c b a | a b c d`),
///   repeated when the window is wider than the image.
/// - Parameters:
///   - image: input of shape (rows, cols); any sample type; not modified. For Float
///     images, windows containing NaN give unspecified results (other windows are exact).
///   - radius: window half-width r in px, ≥ 0; r = 0 returns a copy.
///   - algorithm: ``MedianAlgorithm/automatic`` or the scalar reference.
/// - Returns: an image of the same type, shape and `bitDepth`.
/// - Throws: ``FilterError/invalidRadius(_:)`` when r < 0.
/// - Complexity: r = 1, 2: O(W·H) with selection networks (UInt8 / UInt16: columns
///   presorted once per row, then 12 or 100 min/max per pixel on SIMD lanes); r ≥ 3: O(W·H·r) for UInt8
///   (Huang 1979), O(W·H·r) for UInt16 (three-level histogram), O(W·H·r² log r)
///   for Float (sorting); plus one O(W·H) padded copy.
///
/// Example (r = 1, reflect border): the single bright pixel of
/// ```
/// 0 0 0
/// 0 9 0      →  all zeros: no 3×3 window holds more than four 9s
/// 0 0 0
/// ```
/// while `[1, 5, 2]` (1×3) becomes `[1, 2, 2]` (windows {1,1,1,1,1,1,5,5,5}, …).
public func medianFilter<P: PixelSample>(_ image: Image<P>, radius: Int,
                                         algorithm: MedianAlgorithm = .automatic) throws(FilterError) -> Image<P> {
    guard radius >= 0 else { throw .invalidRadius(radius) }
    if image.isEmpty || radius == 0 { return image }
    if algorithm == .scalarReference { return medianReference(image, radius: radius) }
    switch image {
    case let u8 as Image<UInt8>:
        if radius <= 2 { return medianSmallVectorised(u8, radius: radius) as! Image<P> }
        return medianFast(u8, radius: radius, large: medianHistogramU8) as! Image<P>
    case let u16 as Image<UInt16>:
        if radius <= 2 { return medianSmallVectorised(u16, radius: radius) as! Image<P> }
        if radius >= 3, let ranked = rankCompressed(u16) {
            // ≤ 256 distinct values: the median commutes with the monotone map to ranks.
            let m = medianFast(ranked.ranks, radius: radius, large: medianHistogramU8)
            var out = u16
            m.pixels.withUnsafeBufferPointer { mb in
                out.pixels.withUnsafeMutableBufferPointer { ob in
                    for i in 0 ..< mb.count { ob[i] = ranked.values[Int(mb[i])] }
                }
            }
            return out as! Image<P>
        }
        return medianFast(u16, radius: radius, large: medianHistogramU16) as! Image<P>
    case let f as Image<Float>:
        return medianFast(f, radius: radius, large: medianSortRows) as! Image<P>
    default:
        return medianReference(image, radius: radius)
    }
}

/// When `image` holds at most 256 distinct values, returns the image of their dense
/// ranks (0 = smallest value) and the rank → value table; otherwise nil. O(W·H + 65 536).
func rankCompressed(_ image: Image<UInt16>) -> (ranks: Image<UInt8>, values: [UInt16])? {
    var seen = [Bool](repeating: false, count: 65536)
    var values = [UInt16]()
    for v in image.pixels where !seen[Int(v)] {
        seen[Int(v)] = true
        values.append(v)
        if values.count > 256 { return nil }
    }
    values.sort()
    var rank = [UInt8](repeating: 0, count: 65536)
    for (i, v) in values.enumerated() { rank[Int(v)] = UInt8(i) }
    let ranks = Image<UInt8>(width: image.width, height: image.height, pixels: image.pixels.map { rank[Int($0)] }, bitDepth: 8)
    return (ranks, values)
}

/// A reflect-padded copy of `image` with `r` extra samples on every side:
/// shape (H + 2r) × (W + 2r), row-major. Unchecked: image not empty, r ≥ 0.
func reflectPadded<T: PixelSample>(_ image: Image<T>, _ r: Int) -> [T] {
    let w = image.width, h = image.height
    let pw = w + 2 * r, ph = h + 2 * r
    var out = [T](repeating: .zero, count: pw * ph)
    let xmap = (0 ..< pw).map { reflectIndex($0 - r, w) }
    image.pixels.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for py in 0 ..< ph {
                let s = src.baseAddress! + reflectIndex(py - r, h) * w
                let d = dst.baseAddress! + py * pw
                (d + r).update(from: s, count: w)
                for px in 0 ..< r {
                    d[px] = s[xmap[px]]
                    d[pw - 1 - px] = s[xmap[pw - 1 - px]]
                }
            }
        }
    }
    return out
}

/// Fast median dispatcher for one concrete sample type. `large` handles r ≥ 3:
/// it receives the padded image, its row pitch, the output, the image size, r and a row band.
private func medianFast<T: PixelSample>(
    _ image: Image<T>, radius r: Int,
    large: (UnsafePointer<T>, Int, UnsafeMutablePointer<T>, Int, Int, Int, Range<Int>) -> Void
) -> Image<T> {
    let w = image.width, h = image.height
    let pw = w + 2 * r
    let padded = reflectPadded(image, r)
    var out = Image<T>(width: w, height: h, fill: .zero, bitDepth: image.bitDepth)
    padded.withUnsafeBufferPointer { pb in
        out.pixels.withUnsafeMutableBufferPointer { ob in
            let p = pb.baseAddress!
            let o = SendablePointer(ob.baseAddress!)
            parallelBands(h, minimumPerBand: 8) { band in
                switch r {
                case 1:
                    for y in band {
                        let q = p + y * pw
                        median3x3Row(q, q + pw, q + 2 * pw, count: w, out: o.base + y * w)
                    }
                case 2:
                    for y in band {
                        let q = p + y * pw
                        median5x5Row(q, q + pw, q + 2 * pw, q + 3 * pw, q + 4 * pw, count: w, out: o.base + y * w)
                    }
                default:
                    large(p, pw, o.base, w, h, r, band)
                }
            }
        }
    }
    return out
}

/// Float path for r ≥ 3: gathers each window into a scratch buffer and sorts it.
/// Unchecked: `p` is the reflect-padded image with pitch `pw = w + 2r`.
private func medianSortRows(_ p: UnsafePointer<Float>, _ pw: Int, _ out: UnsafeMutablePointer<Float>,
                            _ w: Int, _ h: Int, _ r: Int, _ band: Range<Int>) {
    let side = 2 * r + 1
    let n = side * side
    var scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
    defer { scratch.deallocate() }
    for y in band {
        for x in 0 ..< w {
            var k = 0
            for j in 0 ..< side {
                let row = p + (y + j) * pw + x
                for i in 0 ..< side { scratch[k] = row[i]; k += 1 }
            }
            scratch.sort()
            out[y * w + x] = scratch[n / 2]
        }
    }
}

/// Scalar reference: for every pixel, gathers the (2r+1)² samples at reflected
/// coordinates, sorts them and takes the middle one.
func medianReference<P: PixelSample>(_ image: Image<P>, radius r: Int) -> Image<P> {
    let w = image.width, h = image.height
    var out = image
    var window = [P]()
    for y in 0 ..< h {
        for x in 0 ..< w {
            window.removeAll(keepingCapacity: true)
            for j in -r ... r {
                for i in -r ... r {
                    window.append(image.pixels[reflectIndex(y + j, h) * w + reflectIndex(x + i, w)])
                }
            }
            window.sort()
            out.pixels[y * w + x] = window[window.count / 2]
        }
    }
    return out
}
