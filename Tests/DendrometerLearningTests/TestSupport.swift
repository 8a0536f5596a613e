import Foundation
import DendrometerCore
@testable import DendrometerLearning

/// An image with f(x, y) at every pixel.
func image(width: Int, height: Int, _ f: (Double, Double) -> Double) -> Image<Float> {
    var img = Image<Float>(width: width, height: height, fill: 0)
    for y in 0 ..< height { for x in 0 ..< width { img[x, y] = Float(f(Double(x), Double(y))) } }
    return img
}

/// Planar features of `image` (not normalised) for `bank` at its own scales.
func features(_ image: Image<Float>, bank: FeatureBank, tileRows: Int = defaultFeatureTileRows) -> [Float] {
    computeFeatures(image, plan: FeaturePlan(bank: bank, appliedSigmas: bank.features.map(\.sigma)), tileRows: tileRows)
}

/// Largest |a − b| over the pixels with border distance ≥ `margin`, in plane `plane`.
func interiorError(_ planes: [Float], plane: Int, width: Int, height: Int, margin: Int, expected: (Int, Int) -> Double) -> Double {
    var worst = 0.0
    for y in margin ..< height - margin {
        for x in margin ..< width - margin {
            worst = max(worst, abs(Double(planes[plane * width * height + y * width + x]) - expected(x, y)))
        }
    }
    return worst
}

/// A normal deviate (Box–Muller) from a seeded generator.
func gaussianNoise(_ rng: inout SplitMix64) -> Double {
    let u1 = (Double(rng.next() >> 11) + 0.5) / Double(1 << 53)
    let u2 = Double(rng.next() >> 11) / Double(1 << 53)
    return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
}

/// 64 × 64 image: a bright disc (radius 16 px, grey 0.7) on a darker background (0.3),
/// plus Gaussian noise of standard deviation `noise`; and its truth (1 = disc, 2 = background).
func discScene(seed: UInt64, noise: Double = 0.05, size: Int = 64, radius: Double = 16) -> (image: Image<Float>, truth: Image<UInt8>) {
    var rng = SplitMix64(seed: seed)
    var img = Image<Float>(width: size, height: size, fill: 0)
    var truth = Image<UInt8>(width: size, height: size, fill: 2)
    let c = Double(size) / 2
    for y in 0 ..< size {
        for x in 0 ..< size {
            let inside = (Double(x) - c) * (Double(x) - c) + (Double(y) - c) * (Double(y) - c) <= radius * radius
            img[x, y] = Float((inside ? 0.7 : 0.3) + noise * gaussianNoise(&rng))
            if inside { truth[x, y] = 1 }
        }
    }
    return (img, truth)
}

/// Sparse scribbles on the disc scene: a short stroke inside the disc (class 1) and
/// a few short strokes in the background (class 2).
func discScribbles(size: Int = 64) -> Image<UInt8> {
    var labels = Image<UInt8>(width: size, height: size, fill: 0)
    for x in 24 ..< 40 { labels[x, 32] = 1 }
    for y in 26 ..< 38 { labels[32, y] = 1 }
    for x in 2 ..< 14 { labels[x, 4] = 2; labels[size - 1 - x, size - 5] = 2 }
    for y in 40 ..< 60 { labels[4, y] = 2 }
    return labels
}

/// A small, fast training setup for tests: few trees, a reduced bank.
func smallParameters(classNames: [String] = ["dendrite phase", "electrolyte"], trees: Int = 10,
                     bank: FeatureBank = FeatureBank(scales: [0.7, 1.0, 1.6, 3.5])) -> TrainingParameters {
    TrainingParameters(classNames: classNames, featureBank: bank,
                       forest: RandomForest.Parameters(treeCount: trees, maximumDepth: 12, seed: 7))
}
