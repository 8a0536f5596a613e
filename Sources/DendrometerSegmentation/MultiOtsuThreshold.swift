// Multi-level Otsu for three classes: the two thresholds t₁ < t₂ that maximise
// the between-class variance of "≤ t₁", "(t₁, t₂]" and "> t₂".
// Reference: P.-S. Liao, T.-S. Chen, P.-C. Chung, "A fast algorithm for
// multilevel thresholding", J. Inf. Sci. Eng. 17, 713–727 (2001); same
// criterion and histogram as `skimage.filters.threshold_multiotsu(classes=3)`.
// Exhaustive search over pairs of non-empty bins with prefix sums (moving a
// threshold across empty bins does not change the classes, and the first
// maximum is the one that ends on a non-empty bin, as in scikit-image).
import DendrometerCore

/// Two thresholds (t₁, t₂) that split an 8-bit image into three classes by
/// multi-level Otsu, in image units: class 0 is `≤ t₁`, class 1 is
/// `t₁ < v ≤ t₂`, class 2 is `> t₂`.
///
/// - Parameter image: any shape (rows, cols) with at least 3 distinct values.
/// - Throws: ``SegmentationError/tooFewValues(needed:got:)`` with fewer than
///   3 distinct values, ``SegmentationError/emptyImage(operation:)``.
/// - Complexity: O(pixels) + O(k²) for k distinct values.
///
/// ```swift
/// let image = Image<UInt8>(width: 6, height: 1, pixels: [10, 11, 100, 101, 200, 201])
/// try multiOtsuThresholds(image)   // (11.0, 101.0)
/// ```
public func multiOtsuThresholds(_ image: Image<UInt8>) throws(SegmentationError) -> (Double, Double) {
    try multiOtsu(valueHistogram(image, operation: "multi-Otsu"))
}

/// Multi-Otsu (three classes) of a 16-bit image over its full 65536-bin
/// histogram. See the `UInt8` overload.
/// - Complexity: O(pixels) + O(k²) for k distinct values (k ≤ 65536).
public func multiOtsuThresholds(_ image: Image<UInt16>) throws(SegmentationError) -> (Double, Double) {
    try multiOtsu(valueHistogram(image, operation: "multi-Otsu"))
}

/// Multi-Otsu (three classes) of a float image from `bins` equal-width bins
/// over [min, max] of its finite values; thresholds are bin centres. Matches
/// `skimage.filters.threshold_multiotsu(image, classes=3, nbins=bins)`.
/// - Complexity: O(pixels) + O(bins²) at most.
public func multiOtsuThresholds(_ image: Image<Float>, bins: Int = defaultFloatHistogramBins) throws(SegmentationError) -> (Double, Double) {
    try multiOtsu(valueHistogram(image, bins: bins, operation: "multi-Otsu"))
}

private func multiOtsu(_ hc: HistogramOrConstant) throws(SegmentationError) -> (Double, Double) {
    guard case .histogram(let full) = hc else { throw .tooFewValues(needed: 3, got: 1) }
    // Keep non-empty bins only.
    var p: [Double] = [], v: [Double] = []
    for i in full.counts.indices where full.counts[i] > 0 {
        p.append(full.counts[i])
        v.append(full.centers[i])
    }
    let k = p.count
    guard k >= 3 else { throw .tooFewValues(needed: 3, got: k) }
    if k == 3 { return (v[0], v[1]) }
    // Shift values to reduce cancellation; the criterion Σ S²/P is
    // invariant (up to constants) under an affine change of values.
    let shift = v[0]
    var cp = [Double](repeating: 0, count: k + 1), cs = [Double](repeating: 0, count: k + 1)
    for i in 0 ..< k {
        cp[i + 1] = cp[i] + p[i]
        cs[i + 1] = cs[i] + p[i] * (v[i] - shift)
    }
    var best = -Double.infinity, bestA = 0, bestB = 1
    cp.withUnsafeBufferPointer { cp in
        cs.withUnsafeBufferPointer { cs in
            // class 0 = bins 0...a, class 1 = a+1...b, class 2 = b+1..<k.
            for a in 0 ..< k - 2 {
                let p0 = cp[a + 1], s0 = cs[a + 1]
                let t0 = s0 * s0 / p0
                for b in a + 1 ..< k - 1 {
                    let p1 = cp[b + 1] - p0, s1 = cs[b + 1] - s0
                    let p2 = cp[k] - cp[b + 1], s2 = cs[k] - cs[b + 1]
                    let var3 = t0 + s1 * s1 / p1 + s2 * s2 / p2
                    if var3 > best {
                        best = var3
                        bestA = a
                        bestB = b
                    }
                }
            }
        }
    }
    return (v[bestA], v[bestB])
}
