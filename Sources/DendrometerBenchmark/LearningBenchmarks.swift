// Trained pixel classification (`analyze --model`): features plus the random
// forest over every pixel, on the scene of tools/bench_pixel_classifier.py, the
// scikit-image + scikit-learn peer (`multiscale_basic_features` +
// `RandomForestClassifier` + `predict_segmenter`): bright discs (class 1) and
// dark bands (class 3) on a mid-grey background (class 2), Gaussian noise
// σ 0.08 of the grey range. Training on 10⁵ pixels with their true class is
// done once, untimed; the model has the default 49-plane feature bank and 100
// trees.

import DendrometerCore
import DendrometerLearning
import Foundation

/// Trained-model benchmark cases.
public enum LearningBenchmarks {
    /// Labelled pixels the benchmark model is trained on (at most a twentieth of the image).
    static let trainingPixels = 100_000

    /// The disc/band scene at `width × height` and its true classes (the peer script's rule; also
    /// the scene of the learning timing test).
    public static func scene(width: Int, height: Int, seed: UInt64) -> (grey: Image<Float>, truth: Image<UInt8>) {
        var rng = SplitMix64(seed: seed)
        var grey = Image<Float>(width: width, height: height, fill: 0)
        var truth = Image<UInt8>(width: width, height: height, fill: 2)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let cx = Double(x % 128) - 64, cy = Double(y % 128) - 64
                let disc = cx * cx + cy * cy < 30 * 30
                let band = !disc && (y % 200) < 12
                // Box–Muller: one standard normal from two uniforms in (0, 1].
                let u1 = (Double(rng.next() >> 11) + 1) / 9_007_199_254_740_992
                let u2 = Double(rng.next() >> 11) / 9_007_199_254_740_992
                let noise = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
                grey[x, y] = Float((disc ? 0.75 : (band ? 0.15 : 0.45)) + 0.08 * noise)
                truth[x, y] = disc ? 1 : (band ? 3 : 2)
            }
        }
        return (grey, truth)
    }

    /// A default model trained on random pixels of the scene with their true class.
    static func trainedModel(_ grey: Image<Float>, _ truth: Image<UInt8>) throws -> PixelClassifier {
        var rng = SplitMix64(seed: 2)
        var labels = Image<UInt8>(width: grey.width, height: grey.height, fill: 0)
        let wanted = min(trainingPixels, grey.count / 20)
        var labelled = 0
        while labelled < wanted {
            let i = Int(rng.next() % UInt64(grey.count))
            if labels.pixels[i] == 0 { labels.pixels[i] = truth.pixels[i]; labelled += 1 }
        }
        return try PixelClassifier.train([TrainingExample(image: grey, labels: labels, pixelSize: nil)],
                                         parameters: TrainingParameters(classNames: PixelClassifier.defaultClassNames))
    }

    /// Features + class map (what `analyze --model` runs), and features + probabilities
    /// (`--save-probabilities`). The checksum is the number of pixels given their true class.
    public static let cases: [BenchmarkCase] = [
        BenchmarkCase(name: "pixel-classifier-classes") { ctx in
            let (grey, truth) = scene(width: ctx.image.width, height: ctx.image.height, seed: 1)
            let model = try trainedModel(grey, truth)
            return {
                let classes = try model.classification(grey, pixelSize: nil).classes
                return Double(zip(classes.pixels, truth.pixels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) })
            }
        },
        BenchmarkCase(name: "pixel-classifier-probabilities") { ctx in
            let (grey, truth) = scene(width: ctx.image.width, height: ctx.image.height, seed: 1)
            let model = try trainedModel(grey, truth)
            return {
                let classes = try model.predict(grey, pixelSize: nil).classMap()
                return Double(zip(classes.pixels, truth.pixels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) })
            }
        },
    ]
}
