// Otsu's global threshold: the value that maximises the between-class variance
// of the two classes "≤ t" and "> t".
// Reference: N. Otsu, "A threshold selection method from gray-level
// histograms", IEEE Trans. SMC 9(1), 62–66 (1979). Same criterion, histogram
// and tie rule (first maximum) as `skimage.filters.threshold_otsu`.
import DendrometerCore

/// Otsu's threshold of an 8-bit image, in its units (0...255).
///
/// A pixel is "above" the threshold when its value is `> t`, as in
/// scikit-image: `segment(image, threshold: t, polarity: .bright)`.
///
/// - Parameter image: any shape (rows, cols) with at least one pixel.
/// - Returns: the bin value maximising `w₁ w₂ (μ₁ − μ₂)²` over the 256-bin
///   histogram; the value itself when the image holds a single value.
/// - Throws: ``SegmentationError/emptyImage(operation:)``.
/// - Complexity: O(pixels) for the histogram (parallel chunks) + O(256).
///
/// ```swift
/// let image = Image<UInt8>(width: 4, height: 1, pixels: [10, 12, 200, 202])
/// try otsuThreshold(image)   // 12.0
/// ```
public func otsuThreshold(_ image: Image<UInt8>) throws(SegmentationError) -> Double {
    switch try valueHistogram(image, operation: "Otsu threshold") {
    case .constant(let v): return v
    case .histogram(let h): return otsu(h)
    }
}

/// Otsu's threshold of a 16-bit image over the full 65536-bin histogram (one
/// bin per value, no re-binning), in its units.
///
/// - Parameter image: any shape (rows, cols) with at least one pixel.
/// - Returns: the threshold value; pixels `> t` are above.
/// - Throws: ``SegmentationError/emptyImage(operation:)``.
/// - Complexity: O(pixels) + O(65536).
///
/// ```swift
/// let image = Image<UInt16>(width: 4, height: 1, pixels: [1000, 1003, 40000, 40010])
/// try otsuThreshold(image)   // 1003.0
/// ```
public func otsuThreshold(_ image: Image<UInt16>) throws(SegmentationError) -> Double {
    switch try valueHistogram(image, operation: "Otsu threshold") {
    case .constant(let v): return v
    case .histogram(let h): return otsu(h)
    }
}

/// Otsu's threshold of a float image, from `bins` equal-width bins over the
/// [min, max] of its finite values (NaN and ±infinity are ignored).
///
/// - Parameters:
///   - image: any shape (rows, cols) with at least one finite pixel.
///   - bins: number of histogram bins, ≥ 2 (default
///     ``defaultFloatHistogramBins`` = 4096). The result is a bin centre, so it
///     is resolved to (max − min) / bins.
/// - Returns: the threshold value (image units); matches
///   `skimage.filters.threshold_otsu(image, nbins=bins)`.
/// - Throws: ``SegmentationError/emptyImage(operation:)``,
///   ``SegmentationError/noFiniteValues(operation:)``,
///   ``SegmentationError/invalidParameter(name:expected:got:)``.
/// - Complexity: O(pixels) + O(bins).
///
/// ```swift
/// let image = Image<Float>(width: 4, height: 1, pixels: [0, 0.1, 0.9, 1])
/// try otsuThreshold(image, bins: 4)   // 0.125 (centre of the first bin)
/// ```
public func otsuThreshold(_ image: Image<Float>, bins: Int = defaultFloatHistogramBins) throws(SegmentationError) -> Double {
    switch try valueHistogram(image, bins: bins, operation: "Otsu threshold") {
    case .constant(let v): return v
    case .histogram(let h): return otsu(h)
    }
}

/// Otsu's threshold of an image of any sample type (float images use
/// ``defaultFloatHistogramBins`` bins).
public func otsuThreshold(_ image: AnyImage) throws(SegmentationError) -> Double {
    switch image {
    case .uint8(let i): try otsuThreshold(i)
    case .uint16(let i): try otsuThreshold(i)
    case .float32(let i): try otsuThreshold(i)
    }
}

/// Otsu on a trimmed histogram with at least 2 bins (precondition, unchecked):
/// argmax over i of w₁(i) w₂(i+1) (μ₁(i) − μ₂(i+1))², first maximum wins.
func otsu(_ h: ValueHistogram) -> Double {
    let n = h.counts.count
    // Suffix sums of weight and weighted value (class 2 = bins i+1 ..< n).
    var w2 = [Double](repeating: 0, count: n + 1)
    var s2 = [Double](repeating: 0, count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
        w2[i] = w2[i + 1] + h.counts[i]
        s2[i] = s2[i + 1] + h.counts[i] * h.centers[i]
    }
    var w1 = 0.0, s1 = 0.0
    var best = -1.0, bestIndex = 0
    for i in 0 ..< n - 1 {
        w1 += h.counts[i]
        s1 += h.counts[i] * h.centers[i]
        let m1 = s1 / w1, m2 = s2[i + 1] / w2[i + 1]
        let v = w1 * w2[i + 1] * (m1 - m2) * (m1 - m2)
        if v > best {
            best = v
            bestIndex = i
        }
    }
    return h.centers[bestIndex]
}
