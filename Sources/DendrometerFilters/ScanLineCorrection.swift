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
                for k in band {
                    let y = k + 1
                    var j = 0
                    for x in stride(from: 0, to: w, by: step) {
                        diffs[j] = p[y * w + x] - 0.5 * (p[(y - 1) * w + x] + p[(y + 1) * w + x])
                        j += 1
                    }
                    off[y] = selectKth(&diffs, samples / 2)
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
