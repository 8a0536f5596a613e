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
    if image.isEmpty { return BinaryMask(width: image.width, height: image.height) }
    let weak = segment(image, threshold: low, polarity: polarity)
    let strong = segment(image, threshold: high, polarity: polarity)
    let labels = labelComponents(weak, connectivity: .eight)
    var keep = [UInt8](repeating: 0, count: labels.components.count + 1)
    var out = [UInt8](repeating: 0, count: weak.count)
    labels.labels.withUnsafeBufferPointer { lb in
        strong.bits.withUnsafeBufferPointer { sb in
            keep.withUnsafeMutableBufferPointer { k in
                for i in 0 ..< sb.count where sb[i] != 0 { k[Int(lb[i])] = 1 }
                k[0] = 0
            }
        }
        keep.withUnsafeBufferPointer { k in
            out.withUnsafeMutableBufferPointer { o in
                let dst = SendablePointer(o.baseAddress!), w = image.width
                parallelBands(image.height, minimumPerBand: 64) { rows in
                    for i in rows.lowerBound * w ..< rows.upperBound * w { dst.base[i] = k[Int(lb[i])] }
                }
            }
        }
    }
    return BinaryMask(width: image.width, height: image.height, normalizedBits: out)
}
