// Scan-line (row offset) correction for SEM images.
//
// SEM images are acquired line by line; beam-current or detector drift adds a
// constant offset to whole rows, seen as horizontal streaks. Each row's offset
// is estimated robustly as the median over the row of its difference to the
// mean of the rows above and below (structure varies smoothly across rows, so
// the median ignores it), then subtracted. This is the "median of line
// differences" destriping used in scanning-probe and SEM processing (e.g.
// Gwyddion's "align rows: median of differences").

import DendrometerCore

/// Removes per-row offsets (scan-line streaks) from an image of shape (rows, cols).
///
/// - Parameter image: any image; returned as Float.
/// - Returns: the image with each row shifted by minus its median difference to its neighbours
///   (``scanLineOffsets(_:)``).
/// - Complexity: O(rows × cols) (one median of ≤ 1024 sampled columns per row).
///
/// ```swift
/// // rows [1,1,1], [9,9,9], [1,1,1] (a streak of +8 in the middle row) → all rows ≈ 1
/// ```
public func correctingScanLines(_ image: Image<Float>) -> Image<Float> {
    let w = image.width, h = image.height
    guard w > 0, h >= 3 else { return image }
    let offsets = scanLineOffsets(image)
    let out = [Float](unsafeUninitializedCapacity: w * h) { dst, initialized in
        adviseHugePages(UnsafeMutableRawPointer(dst.baseAddress), byteCount: w * h * MemoryLayout<Float>.stride)
        let d = SendablePointer(dst.baseAddress!)
        image.pixels.withUnsafeBufferPointer { p in
            offsets.withUnsafeBufferPointer { off in
                parallelBands(h, minimumPerBand: 32) { rows in
                    for y in rows {
                        let o = off[y]
                        for x in y * w ..< (y + 1) * w { (d.base + x).initialize(to: p[x] - o) }
                    }
                }
            }
        }
        initialized = w * h
    }
    return Image(width: w, height: h, pixels: out, bitDepth: 32)
}

/// The scan-line offset of every row of an image of shape (rows, cols): the median over the row
/// (at most ~1024 evenly spaced columns) of each sample minus the mean of the samples above and
/// below it, in the image's grey units; rows 0 and rows − 1, and every row of an image with fewer
/// than 3 rows, have offset 0. Subtracting them is ``correctingScanLines(_:)``; a filter can
/// subtract them as it reads the rows instead (``gaussianBlur(_:sigma:subtractingRowOffsets:)``),
/// so the corrected image is never stored. Samples are read as Floats (exact for 8 and 16 bits).
///
/// - Complexity: O(rows × min(cols, 1024)).
///
/// ```swift
/// // rows [1,1,1], [9,9,9], [1,1,1] → offsets [0, 8, 0]
/// ```
public func scanLineOffsets<P: PixelSample>(_ image: Image<P>) -> [Float] {
    let w = image.width, h = image.height
    var offsets = [Float](repeating: 0, count: h)
    guard w > 0, h >= 3 else { return offsets }
    image.pixels.withUnsafeBufferPointer { buf in
        let raw = UnsafeRawPointer(buf.baseAddress!)
        offsets.withUnsafeMutableBufferPointer { off in
            let out = SendablePointer(off.baseAddress!)
            if P.self == UInt8.self {
                rowOffsetsU8(raw.assumingMemoryBound(to: UInt8.self), width: w, height: h, into: out)
            } else if P.self == UInt16.self {
                rowOffsets(raw.assumingMemoryBound(to: UInt16.self), width: w, height: h, into: out) { Float($0) }
            } else if P.self == Float.self {
                rowOffsets(raw.assumingMemoryBound(to: Float.self), width: w, height: h, into: out) { $0 }
            } else {
                rowOffsets(buf.baseAddress!, width: w, height: h, into: out) { $0.floatValue }
            }
        }
    }
    return offsets
}

/// ``rowOffsets(_:width:height:into:_:)`` for 8-bit samples: each difference, a sample minus the
/// mean of its neighbours above and below, is counted as the integer half step 2p − a − b (within
/// ±510, the counting range of ``HalfStepMedian``), with no Float conversion and no check: the
/// same k-th value as the Float path, in one pass per row.
private func rowOffsetsU8(_ p: UnsafePointer<UInt8>, width w: Int, height h: Int, into off: SendablePointer<Float>) {
    let step = max(1, w / 1024)
    let samples = (w + step - 1) / step
    parallelBands(h - 2, minimumPerBand: 16) { band in
        var counts = [Int32](repeating: 0, count: HalfStepMedian.bins)
        counts.withUnsafeMutableBufferPointer { c in
            for k in band {
                let y = k + 1
                let above = p + (y - 1) * w, row = p + y * w, below = p + (y + 1) * w
                var lowest = Int.max, highest = Int.min
                for x in stride(from: 0, to: w, by: step) {
                    let q = 2 * Int(row[x]) - Int(above[x]) - Int(below[x])
                    c[q + HalfStepMedian.limit] &+= 1
                    lowest = min(lowest, q); highest = max(highest, q)
                }
                off.base[y] = HalfStepMedian.kthCounted(samples / 2, c, lowest, highest)
            }
        }
    }
}

/// The body of ``scanLineOffsets(_:)`` for one sample type (specialised per call site):
/// rows 1 ..< height − 1 of `off` are written.
@inline(__always)
private func rowOffsets<T>(_ p: UnsafePointer<T>, width w: Int, height h: Int, into off: SendablePointer<Float>,
                           _ float: (T) -> Float) {
    // The median is taken over at most ~1024 evenly spaced columns: plenty for a
    // robust offset, and it keeps the cost linear in the image size.
    let step = max(1, w / 1024)
    let samples = (w + step - 1) / step
    parallelBands(h - 2, minimumPerBand: 16) { band in
        var diffs = [Float](repeating: 0, count: samples)
        var counts = [Int32](repeating: 0, count: HalfStepMedian.bins)
        for k in band {
            let y = k + 1
            var j = 0
            for x in stride(from: 0, to: w, by: step) {
                diffs[j] = float(p[y * w + x]) - 0.5 * (float(p[(y - 1) * w + x]) + float(p[(y + 1) * w + x]))
                j += 1
            }
            off.base[y] = HalfStepMedian.kth(diffs, samples / 2, counts: &counts) ?? selectKth(&diffs, samples / 2)
        }
    }
}

/// Selection by counting for the scan-line differences of integer-valued images (8-bit
/// micrographs as Float; 16-bit ones while their row differences stay within ±1024): a pixel
/// minus the mean of its two neighbours is then a multiple of ½, and a histogram of those half
/// steps gives the k-th smallest in two linear passes (no data-dependent branches, unlike
/// quickselect). Same value as ``selectKth``: the k-th order statistic is one number however it
/// is found.
///
/// Example: differences [1.5, −0.5, 0, 1.5, 3] → half steps 3, −1, 0, 3, 6; k = 2 → the third
/// smallest half step, 3 → 1.5.
enum HalfStepMedian {
    /// Half steps −limit … +limit are counted: differences of samples up to ±1024.
    static let limit = 2048
    static let bins = 2 * limit + 1

    /// The `k`-th smallest of `values` (0-based) when every value is a multiple of ½ within
    /// ±`limit`/2; nil otherwise (then use ``selectKth``). `counts` (``bins`` zeros) is scratch
    /// space, left zeroed.
    static func kth(_ values: [Float], _ k: Int, counts: inout [Int32]) -> Float? {
        precondition(k >= 0 && k < values.count && counts.count == bins, "HalfStepMedian: bad rank or scratch")
        for v in values {
            let q = 2 * v   // exact for a Float
            guard q == q.rounded(), abs(q) <= Float(limit) else { return nil }
        }
        return counts.withUnsafeMutableBufferPointer { c in
            var lowest = Int.max, highest = Int.min
            for v in values {
                let b = Int(saturating: 2 * v)
                c[b + limit] &+= 1
                lowest = min(lowest, b); highest = max(highest, b)
            }
            return kthCounted(k, c, lowest, highest)
        }
    }

    /// The `k`-th smallest (0-based) of the half steps counted in `c` (indices offset by
    /// ``limit``), all within `lowest` … `highest`, as a value (half step / 2); clears those counts.
    @inline(__always)
    static func kthCounted(_ k: Int, _ c: UnsafeMutableBufferPointer<Int32>, _ lowest: Int, _ highest: Int) -> Float {
        var seen = 0, answer = highest
        for b in lowest ... highest {
            seen += Int(c[b + limit])
            if seen > k { answer = b; break }
        }
        for b in lowest ... highest { c[b + limit] = 0 }
        return Float(answer) / 2
    }
}
