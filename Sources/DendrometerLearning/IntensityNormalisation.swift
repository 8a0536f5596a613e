// Per-image intensity normalisation before feature computation.
//
// Why: in BSE micrographs brightness and contrast are set by hand at the
// microscope and images are stored as 8- or 16-bit, so absolute grey values
// are arbitrary. ilastik learns on raw values; a model trained on one session
// would then fail on the next. Mapping each image by its own robust range (the
// 0.5th and 99.5th percentiles, as in CSBDeep/CARE's percentile normalisation)
// makes the features comparable between images and sessions while ignoring a
// few hot or dead pixels.

import DendrometerCore

/// Maps an image's grey values to [0, 1] by its own low and high percentiles.
///
/// v ↦ clamp((v − p_low) / (p_high − p_low), 0, 1); non-finite samples (NaN, ±∞ in
/// float TIFFs) are ignored when computing the percentiles, NaN maps to 0, ±∞ to 1 / 0.
/// Percentiles use linear interpolation between order statistics (numpy's default) of
/// all finite samples, or of every k-th sample when there are more than
/// ``maximumSamples`` (k = ⌈count / maximumSamples⌉, deterministic). When the two
/// percentiles coincide (more than 99 % of the pixels share one value) the finite
/// minimum and maximum are used instead; an image whose finite samples are all equal is
/// an error (nothing to classify).
///
/// ```swift
/// let n = IntensityNormalisation()           // 0.5 % / 99.5 %
/// // An 8-bit image whose grey values run 20 ... 220 evenly maps 21 → ≈ 0 and 219 → ≈ 1.
/// ```
public struct IntensityNormalisation: Sendable, Codable, Equatable {
    /// Lower percentile, % (default 0.5).
    public var lowerPercentile: Double
    /// Upper percentile, % (default 99.5).
    public var upperPercentile: Double
    /// Largest number of samples the percentiles are taken from (default 2²⁰).
    public var maximumSamples: Int

    /// The rule as a sentence (stored in model files and reports).
    public var rule: String {
        "each image mapped to [0, 1] by its own \(lowerPercentile)th and \(upperPercentile)th percentiles of finite values, clipped"
    }

    /// Percentile normalisation with the given bounds (%).
    public init(lowerPercentile: Double = 0.5, upperPercentile: Double = 99.5, maximumSamples: Int = 1 << 20) {
        self.lowerPercentile = lowerPercentile
        self.upperPercentile = upperPercentile
        self.maximumSamples = maximumSamples
    }

    /// Checks 0 ≤ lower < upper ≤ 100 and maximumSamples ≥ 2.
    func validate() throws(LearningError) {
        guard lowerPercentile.isFinite, upperPercentile.isFinite, lowerPercentile >= 0,
              lowerPercentile < upperPercentile, upperPercentile <= 100 else {
            throw .invalidParameter(name: "normalisation percentiles", value: "\(lowerPercentile), \(upperPercentile)",
                                    requirement: "0 ≤ lower < upper ≤ 100")
        }
        guard maximumSamples >= 2 else {
            throw .invalidParameter(name: "normalisation sample count", value: "\(maximumSamples)", requirement: "≥ 2")
        }
    }

    /// The grey values mapped to 0 and 1.
    ///
    /// - Parameter imageIndex: used in the error message (nil for prediction).
    /// - Throws: ``LearningError/emptyImage(imageIndex:)``, ``LearningError/constantImage(imageIndex:value:)``.
    public func bounds(of image: Image<Float>, imageIndex: Int? = nil) throws(LearningError) -> (low: Float, high: Float) {
        if image.isEmpty { throw .emptyImage(imageIndex: imageIndex) }
        let stride = max(1, (image.count + maximumSamples - 1) / maximumSamples)
        var sample = [Float]()
        sample.reserveCapacity(image.count / stride + 1)
        var i = 0
        while i < image.count {
            let v = image.pixels[i]
            if v.isFinite { sample.append(v) }
            i += stride
        }
        // The two order statistics around each percentile, by selection (O(n)) rather than a
        // sort: the same values a sort would put at those ranks. The upper percentile is
        // selected among the values after the lower one's (selection leaves the larger ones
        // there), and the rank after k is the smallest value after index k.
        var selectedBelow = 0
        func percentile(_ p: Double) -> Float {
            let pos = p / 100 * Double(sample.count - 1)
            let k = max(selectedBelow, Int(saturating: pos.rounded(.down)))
            let frac = pos - Double(k)
            let a = selectKth(&sample, k, in: selectedBelow ..< sample.count)
            selectedBelow = k
            if k + 1 >= sample.count { return a }
            let b = sample[(k + 1)...].min()!
            return Float(Double(a) + frac * (Double(b) - Double(a)))
        }
        if sample.count >= 2 {
            let low = percentile(lowerPercentile), high = percentile(upperPercentile)
            if high > low { return (low, high) }
        }
        var low = Float.infinity, high = -Float.infinity
        for v in image.pixels where v.isFinite {
            low = min(low, v)
            high = max(high, v)
        }
        if !(high > low) { throw .constantImage(imageIndex: imageIndex, value: low.isFinite ? low : nil) }
        return (low, high)
    }

    /// The image mapped to [0, 1] (see the type's documentation).
    public func normalised(_ image: Image<Float>, imageIndex: Int? = nil) throws(LearningError) -> Image<Float> {
        let (low, high) = try bounds(of: image, imageIndex: imageIndex)
        let scale = 1 / (high - low)
        let n = image.count
        let pixels = [Float](unsafeUninitializedCapacity: n) { out, initialized in
            let dst = SendablePointer(out.baseAddress!)
            image.pixels.withUnsafeBufferPointer { src in
                let s = SendableConstPointer(src.baseAddress!)
                parallelBands(n, minimumPerBand: 1 << 16) { range in
                    for i in range {
                        let v = (s.base[i] - low) * scale
                        // NaN fails both comparisons and becomes 0.
                        (dst.base + i).initialize(to: v >= 1 ? 1 : (v > 0 ? v : 0))
                    }
                }
            }
            initialized = n
        }
        return Image<Float>(width: image.width, height: image.height, pixels: pixels, bitDepth: 32)
    }
}
