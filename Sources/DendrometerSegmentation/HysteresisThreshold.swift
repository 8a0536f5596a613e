// Hysteresis thresholding (Canny 1986; scikit-image
// `filters.apply_hysteresis_threshold`): a pixel is kept when it passes the
// LOW threshold and belongs to an 8-connected component of low-passing pixels
// that contains at least one pixel passing the HIGH threshold. Thin, faint
// continuations of a strong structure (tapered dendrite tips) are kept;
// isolated faint specks are not.

import DendrometerCore

/// The pixels passing `low` that are 8-connected (through low-passing pixels) to a pixel passing `high`.
///
/// - Parameters:
///   - image: shape (rows, cols), any sample type.
///   - low: the permissive threshold, image units.
///   - high: the strict threshold, image units.
///   - polarity: `.bright` keeps values > threshold, `.dark` values ≤ threshold (as ``segment(_:threshold:polarity:)``).
/// - Complexity: O(pixels) (one labelling pass).
///
/// ```swift
/// // values  [0, 5, 9, 5, 0, 5]   low 4, high 8, bright
/// // result  [0, 1, 1, 1, 0, 0]   (the last 5 is not connected to the 9)
/// ```
public func hysteresisThreshold<P: PixelSample>(_ image: Image<P>, low: Double, high: Double, polarity: Polarity) -> BinaryMask {
    hysteresisThreshold(image, low: low, high: high, polarity: polarity, minimumArea: 0)
}

/// Hysteresis and speck removal in one labelling: the 8-connected components of the
/// low-passing pixels that hold a pixel passing `high` and have at least `minimumArea` pixels.
/// The components of a hysteresis result are whole components of the low-passing pixels, so
/// this equals ``removeSmallObjects(_:minimumArea:)`` applied to
/// ``hysteresisThreshold(_:low:high:polarity:)``, without a second labelling or a label image
/// (components are handled as runs of pixels). Whether a run holds a high-passing pixel is read
/// from the image itself (the test of ``segment(_:threshold:polarity:)``), so no high-passing
/// mask is made: one full-size mask fewer at a segmentation's peak.
///
/// Example: values [0, 5, 9, 5, 0, 9], low 4, high 8, bright, `minimumArea` 2 → mask
/// [0, 1, 1, 1, 0, 0] (the last 9 passes high but is a one-pixel speck).
///
/// - Parameter minimumArea: components of fewer pixels are dropped, px (0 keeps all).
/// - Complexity: O(pixels).
public func hysteresisThreshold<P: PixelSample>(_ image: Image<P>, low: Double, high: Double, polarity: Polarity,
                                               minimumArea: Int) -> BinaryMask {
    if image.isEmpty { return BinaryMask(width: image.width, height: image.height) }
    var weak = segment(image, threshold: low, polarity: polarity)
    let forest = RunForest(weak, value: 1, connectivity: .eight)
    let w = image.width, bright = polarity == .bright
    // Per component: pixel count and whether a run holds a high-passing pixel.
    var area = [Int](repeating: 0, count: forest.componentCount + 1)
    var anchored = [Bool](repeating: false, count: forest.componentCount + 1)
    // The result is written into the low-passing mask's own buffer (its runs are in the forest):
    // one full-size mask fewer at the segmentation's peak.
    var out = weak.bits
    weak = BinaryMask(width: 0, height: 0)
    out.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    forest.runs.withUnsafeBufferPointer { runs in
        forest.componentOfRun.withUnsafeBufferPointer { component in
            image.pixels.withUnsafeBufferPointer { px in
                // `segment`'s test: above `high` for a bright phase, at or below it for a dark one;
                // NaN is never phase. (An integer sample above ⌊high⌋ is above `high`.)
                @inline(__always) func passesHigh(_ i: Int) -> Bool {
                    let v = Double(px[i].floatValue)
                    return !v.isNaN && (v > high) == bright
                }
                for y in 0 ..< image.height {
                    let row = y * w
                    for i in forest.rowStart[y] ..< forest.rowStart[y + 1] {
                        let c = Int(component[i]), x0 = Int(runs[i].x0), x1 = Int(runs[i].x1)
                        area[c] += x1 - x0
                        if !anchored[c] {
                            for x in x0 ..< x1 where passesHigh(row + x) { anchored[c] = true; break }
                        }
                    }
                }
            }
            out.withUnsafeMutableBufferPointer { o in
                for y in 0 ..< image.height {
                    let row = y * w
                    for i in forest.rowStart[y] ..< forest.rowStart[y + 1] {
                        let c = Int(component[i])
                        guard anchored[c], area[c] >= minimumArea else { continue }
                        (o.baseAddress! + row + Int(runs[i].x0)).update(repeating: 1, count: Int(runs[i].x1 - runs[i].x0))
                    }
                }
            }
        }
    }
    return BinaryMask(width: image.width, height: image.height, normalizedBits: out)
}
