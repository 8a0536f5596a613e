// Triangle threshold: the histogram bin farthest from the line joining the
// histogram peak to the far end of its longer tail.
// Reference: G. W. Zack, W. E. Rogers, S. A. Latt, "Automatic measurement of
// sister chromatid exchange frequency", J. Histochem. Cytochem. 25(7),
// 741–753 (1977). Same histogram, normalisation and tie rule as
// `skimage.filters.threshold_triangle`.
import DendrometerCore

/// Triangle threshold of an 8-bit image, in image units. Pixels `> t` are above.
///
/// - Parameter image: any shape (rows, cols), at least one pixel.
/// - Returns: the bin value farthest from the peak–tail line; the value itself
///   for a single-valued image.
/// - Throws: ``SegmentationError/emptyImage(operation:)``.
/// - Complexity: O(pixels) + O(256).
///
/// ```swift
/// // peak at 0, long tail to the right: threshold just after the peak
/// let image = Image<UInt8>(width: 8, height: 1, pixels: [0, 0, 0, 0, 0, 1, 2, 7])
/// try triangleThreshold(image)   // 1.0
/// ```
public func triangleThreshold(_ image: Image<UInt8>) throws(SegmentationError) -> Double {
    switch try valueHistogram(image, operation: "triangle threshold") {
    case .constant(let v): return v
    case .histogram(let h): return triangle(h)
    }
}

/// Triangle threshold of a 16-bit image (full 65536-bin histogram). See the `UInt8` overload.
public func triangleThreshold(_ image: Image<UInt16>) throws(SegmentationError) -> Double {
    switch try valueHistogram(image, operation: "triangle threshold") {
    case .constant(let v): return v
    case .histogram(let h): return triangle(h)
    }
}

/// Triangle threshold of a float image from `bins` equal-width bins over
/// [min, max] of the finite values; matches
/// `skimage.filters.threshold_triangle(image, nbins=bins)`.
public func triangleThreshold(_ image: Image<Float>, bins: Int = defaultFloatHistogramBins) throws(SegmentationError) -> Double {
    switch try valueHistogram(image, bins: bins, operation: "triangle threshold") {
    case .constant(let v): return v
    case .histogram(let h): return triangle(h)
    }
}

/// Triangle method on a trimmed histogram (≥ 2 bins, first and last non-empty).
func triangle(_ h: ValueHistogram) -> Double {
    var hist = h.counts
    let n = hist.count
    var peak = 0
    for i in 1 ..< n where hist[i] > hist[peak] { peak = i }
    let peakHeight = hist[peak]
    var low = 0
    let high = n - 1
    // Flip when the left tail is shorter, so the long tail is on the left.
    let flip = peak - low < high - peak
    if flip {
        hist.reverse()
        low = n - high - 1
        peak = n - peak - 1
    }
    let width = Double(peak - low)
    guard width > 0 else { return h.centers[flip ? n - 1 - low : low] }
    let norm = (peakHeight * peakHeight + width * width).squareRoot()
    let ph = peakHeight / norm, wd = width / norm
    var best = -Double.infinity, bestX = 0
    for x in 0 ..< peak - low {
        let length = ph * Double(x) - wd * hist[x + low]
        if length > best {
            best = length
            bestX = x
        }
    }
    var level = bestX + low
    if flip { level = n - level - 1 }
    return h.centers[level]
}
