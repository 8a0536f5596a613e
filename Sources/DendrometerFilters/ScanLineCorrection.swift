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
/// - Returns: the image with each row shifted by minus its median difference to its neighbours.
/// - Complexity: O(rows × cols) (one median of ≤ 1024 sampled columns per row).
///
/// ```swift
/// // rows [1,1,1], [9,9,9], [1,1,1] (a streak of +8 in the middle row) → all rows ≈ 1
/// ```
public func correctingScanLines(_ image: Image<Float>) -> Image<Float> {
    let w = image.width, h = image.height
    guard w > 0, h >= 3 else { return image }
    var offsets = [Float](repeating: 0, count: h)
    image.pixels.withUnsafeBufferPointer { p in
        offsets.withUnsafeMutableBufferPointer { off in
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
                        diffs[j] = p[y * w + x] - 0.5 * (p[(y - 1) * w + x] + p[(y + 1) * w + x])
                        j += 1
                    }
                    off[y] = HalfStepMedian.kth(diffs, samples / 2, counts: &counts) ?? selectKth(&diffs, samples / 2)
                }
            }
        }
    }
    // Rows 0 and h − 1 keep offset 0.
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
        var lowest = Int.max, highest = Int.min
        for v in values {
            let q = 2 * v   // exact for a Float
            guard q == q.rounded(), abs(q) <= Float(limit) else { return nil }
            let b = Int(saturating: q)
            lowest = min(lowest, b); highest = max(highest, b)
        }
        return counts.withUnsafeMutableBufferPointer { c in
            for v in values { c[Int(saturating: 2 * v) + limit] &+= 1 }
            var seen = 0, answer = highest
            for b in lowest ... highest {
                seen += Int(c[b + limit])
                if seen > k { answer = b; break }
            }
            for b in lowest ... highest { c[b + limit] = 0 }
            return Float(answer) / 2
        }
    }
}
