// Li's iterative minimum cross-entropy threshold.
// References: C. H. Li & C. K. Lee, "Minimum cross entropy thresholding",
// Pattern Recognition 26(4), 617–625 (1993); C. H. Li & P. K. S. Tam, "An
// iterative algorithm for minimum cross entropy thresholding", Pattern
// Recognition Letters 19(8), 771–776 (1998). This is scikit-image's variant
// (`skimage.filters.threshold_li`): values shifted so the minimum is 0,
// start at the mean, iterate t ← (μb − μf) / (ln μb − ln μf) until the change
// is ≤ tolerance (0.5 for integer images, half the smallest gap between
// distinct values for float images), stop early when μb = 0.
import DendrometerCore
import Foundation

/// Li's minimum cross-entropy threshold of an 8-bit image, in image units
/// (not necessarily an integer). Pixels `> t` are above.
///
/// - Parameter image: any shape (rows, cols), at least one pixel.
/// - Returns: the threshold; the value itself for a single-valued image.
/// - Throws: ``SegmentationError/emptyImage(operation:)``.
/// - Complexity: O(pixels) for the histogram + O(256) per iteration.
///
/// ```swift
/// let image = Image<UInt8>(width: 6, height: 1, pixels: [10, 20, 30, 200, 210, 220])
/// try liThreshold(image)   // 73.42355813211348 (skimage.filters.threshold_li gives the same)
/// ```
public func liThreshold(_ image: Image<UInt8>) throws(SegmentationError) -> Double {
    try liFromHistogram(valueHistogram(image, operation: "Li threshold"))
}

/// Li's threshold of a 16-bit image (full 65536-bin histogram). See the `UInt8` overload.
/// - Complexity: O(pixels) + O(65536) per iteration.
public func liThreshold(_ image: Image<UInt16>) throws(SegmentationError) -> Double {
    try liFromHistogram(valueHistogram(image, operation: "Li threshold"))
}

/// Li's threshold of a float image, computed on the finite pixel values
/// themselves (no binning); NaN and ±infinity are ignored.
///
/// - Throws: ``SegmentationError/emptyImage(operation:)``,
///   ``SegmentationError/noFiniteValues(operation:)``.
/// - Complexity: O(pixels · log pixels) (one sort), then O(log pixels) per iteration.
public func liThreshold(_ image: Image<Float>) throws(SegmentationError) -> Double {
    guard !image.isEmpty else { throw .emptyImage(operation: "Li threshold") }
    var values = image.pixels.filter(\.isFinite).map(Double.init)
    guard !values.isEmpty else { throw .noFiniteValues(operation: "Li threshold") }
    values.sort()
    let lo = values[0]
    if values[values.count - 1] == lo { return lo }
    var tolerance = Double.infinity
    var prefix = [Double](repeating: 0, count: values.count + 1)
    for i in values.indices {
        values[i] -= lo
        prefix[i + 1] = prefix[i] + values[i]
        if i > 0, values[i] > values[i - 1] { tolerance = min(tolerance, values[i] - values[i - 1]) }
    }
    tolerance /= 2
    let n = values.count
    var tNext = prefix[n] / Double(n)
    var tCurr = -2 * tolerance
    while abs(tNext - tCurr) > tolerance {
        tCurr = tNext
        // First index with value > tCurr.
        var a = 0, b = n
        while a < b {
            let m = (a + b) / 2
            if values[m] > tCurr { b = m } else { a = m + 1 }
        }
        guard a > 0, a < n else { break }
        let meanBack = prefix[a] / Double(a)
        let meanFore = (prefix[n] - prefix[a]) / Double(n - a)
        if meanBack == 0 { break }
        tNext = (meanBack - meanFore) / (log(meanBack) - log(meanFore))
    }
    return tNext + lo
}

/// Li's threshold of an image of any sample type.
public func liThreshold(_ image: AnyImage) throws(SegmentationError) -> Double {
    switch image {
    case .uint8(let i): try liThreshold(i)
    case .uint16(let i): try liThreshold(i)
    case .float32(let i): try liThreshold(i)
    }
}

/// Li iteration on an integer histogram (bins are single integer values).
private func liFromHistogram(_ hc: HistogramOrConstant) -> Double {
    let h: ValueHistogram
    switch hc {
    case .constant(let v): return v
    case .histogram(let hist): h = hist
    }
    let lo = h.centers[0]
    let x = h.centers.map { $0 - lo }
    let c = h.counts
    let total = h.total
    var sum = 0.0
    for i in c.indices { sum += c[i] * x[i] }
    let tolerance = 0.5
    var tNext = sum / total
    var tCurr = -2 * tolerance
    while abs(tNext - tCurr) > tolerance {
        tCurr = tNext
        var wb = 0.0, sb = 0.0
        for i in c.indices where x[i] <= tCurr {
            wb += c[i]
            sb += c[i] * x[i]
        }
        let wf = total - wb, sf = sum - sb
        guard wb > 0, wf > 0 else { break }
        let meanBack = sb / wb, meanFore = sf / wf
        if meanBack == 0 { break }
        tNext = (meanBack - meanFore) / (log(meanBack) - log(meanFore))
    }
    return tNext + lo
}
