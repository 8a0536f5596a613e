// Contrast of the segmented phase against the rest of the field, in units of
// the rest's grey noise: (median(phase) − median(rest)) / (1.4826 · MAD(rest)),
// a robust contrast-to-noise ratio on the denoised image. A BSE image where
// Li-In (In, Z = 49) stands out of Li6PS5Cl gives a CNR of several units; a
// value near 1 means the phase is hardly distinguishable from its matrix and
// every threshold-based number deserves a check. The sign says how the phase
// looks (positive bright, negative dark).
//
// The medians are taken over a regular subsample (every k-th pixel in x and
// y, k chosen so at most ``PhaseContrast/sampleLimit`` pixels are read): the
// statistic is of a distribution, not of single pixels.
//
// Worked example: phase pixels at 200, rest at 100 ± noise with MAD 10 →
// CNR (200 − 100) / 14.8 ≈ 6.7.

import DendrometerCore

/// How clearly the phase stands out of the rest of the field.
public struct PhaseContrast: Sendable, Equatable {
    /// Median grey of the phase.
    public var phaseMedian: Double
    /// Median grey of the rest of the field.
    public var restMedian: Double
    /// Robust standard deviation of the rest (1.4826 × its median absolute deviation).
    public var restNoise: Double
    /// (phase − rest) / rest noise; positive when the phase is brighter.
    public var contrastToNoise: Double

    /// Pixels read at most (per class, about).
    static let sampleLimit = 262_144
    /// MAD → standard deviation for Gaussian noise.
    static let madToSigma = 1.4826

    /// The contrast of `phase` in `image` (same shape); nil when either side has no pixel or the
    /// rest has no spread.
    public static func measure(_ image: Image<Float>, phase: BinaryMask) -> PhaseContrast? {
        precondition(image.width == phase.width && image.height == phase.height, "image and mask sizes differ")
        let step = max(1, Int(saturating: (Double(image.count) / Double(sampleLimit)).squareRoot().rounded(.up)))
        var inside = [Float](), outside = [Float]()
        for y in stride(from: 0, to: image.height, by: step) {
            let row = y * image.width
            for x in stride(from: 0, to: image.width, by: step) {
                if phase.bits[row + x] != 0 { inside.append(image.pixels[row + x]) } else { outside.append(image.pixels[row + x]) }
            }
        }
        guard !inside.isEmpty, !outside.isEmpty else { return nil }
        let pm = median(&inside), rm = median(&outside)
        var deviations = outside.map { abs($0 - Float(rm)) }
        let noise = madToSigma * median(&deviations)
        guard noise > 0 else { return nil }
        return PhaseContrast(phaseMedian: pm, restMedian: rm, restNoise: noise, contrastToNoise: (pm - rm) / noise)
    }

    /// Median (the lower middle for an even count), reordering `values`: by selection, the value
    /// a full sort would put there.
    private static func median(_ values: inout [Float]) -> Double {
        Double(selectKth(&values, (values.count - 1) / 2))
    }
}
