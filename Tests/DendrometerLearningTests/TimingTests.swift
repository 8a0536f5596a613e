import Testing
import Foundation
import DendrometerCore
import DendrometerBenchmark
@testable import DendrometerLearning

/// Release-mode speed check, skipped unless DENDROMETER_LEARNING_TIMING=1. Prints timings; asserts nothing
/// about them. Run: DENDROMETER_LEARNING_TIMING=1 swift test -c release -Xswiftc -enable-testing --filter Timing
@Suite("Timing (DENDROMETER_LEARNING_TIMING=1)")
struct TimingTests {
    static let enabled = ProcessInfo.processInfo.environment["DENDROMETER_LEARNING_TIMING"] == "1"

    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    @Test("training on 10⁵ labelled pixels; features + prediction at 2048² with 100 trees", .enabled(if: enabled))
    func timing() throws {
        let size = 2048
        let (img, truth) = LearningBenchmarks.scene(width: size, height: size, seed: 1)   // as `dendrometer bench`
        // 10⁵ labelled pixels at random positions, truth labels.
        var rng = SplitMix64(seed: 2)
        var labels = Image<UInt8>(width: size, height: size, fill: 0)
        var labelled = 0
        while labelled < 100_000 {
            let i = Int(rng.next() % UInt64(size * size))
            if labels.pixels[i] == 0 { labels.pixels[i] = truth.pixels[i]; labelled += 1 }
        }
        let params = TrainingParameters(classNames: PixelClassifier.defaultClassNames)
        var model: PixelClassifier? = nil
        let trainAll = try seconds {
            model = try PixelClassifier.train([TrainingExample(image: img, labels: labels, pixelSize: nil)], parameters: params)
        }
        let m = model!
        // Forest training alone on the same samples.
        var rows = [Float](), ys = [UInt8]()
        let plan = FeaturePlan(bank: m.featureBank, appliedSigmas: m.featureBank.features.map(\.sigma))
        let normalised = try m.normalisation.normalised(img)
        let nf = plan.featureCount
        let allFeatures = Image<Float>(width: size, height: 256, pixels: Array(normalised.pixels[0 ..< size * 256]))
        let planes = computeFeatures(allFeatures, plan: plan)
        for i in 0 ..< size * 256 where labels.pixels[i] != 0 {
            for f in 0 ..< nf { rows.append(planes[f * size * 256 + i]) }
            ys.append(labels.pixels[i] - 1)
        }
        // Repeat the band's samples to reach 10⁵ (the forest sees 10⁵ rows × 49 features).
        let base = ys.count
        var r2 = rows, y2 = ys
        while y2.count < 100_000 { let j = y2.count % base; r2 += rows[j * nf ..< (j + 1) * nf]; y2.append(ys[j]) }
        let forestOnly = try seconds {
            _ = try RandomForest.train(features: r2, featureCount: nf, labels: y2, classCount: 3, parameters: params.forest)
        }
        let featuresOnly = seconds {
            forEachFeatureTile(normalised, plan: plan, tileRows: defaultFeatureTileRows) { _, _, _ in }
        }
        var prediction: PixelPrediction? = nil
        let predict = try seconds { prediction = try m.predict(img, pixelSize: nil) }
        let map = prediction!.classMap()
        let accuracy = Double(zip(map.pixels, truth.pixels).filter { $0 == $1 }.count) / Double(truth.count)
        let bytes = m.serialized()
        // Worst case for depth: 10⁵ samples of 49 random features, labels from 3 features with 20 % flipped.
        var hr = SplitMix64(seed: 5)
        let hx = (0 ..< 100_000 * nf).map { _ in Float(hr.next() % 65_536) / 65_536 }
        let hy = (0 ..< 100_000).map { i -> UInt8 in
            let v = hx[i * nf] + hx[i * nf + 7] * hx[i * nf + 20]
            return hr.next() % 5 == 0 ? UInt8(hr.next() % 3) : (v < 0.5 ? 0 : (v < 1 ? 1 : 2))
        }
        var hard: RandomForest? = nil
        let hardTrain = try seconds {
            hard = try RandomForest.train(features: hx, featureCount: nf, labels: hy, classCount: 3, parameters: params.forest)
        }
        let deep = PixelClassifier(formatVersion: 1, classNames: m.classNames, featureBank: m.featureBank, normalisation: m.normalisation,
                                   referencePixelSizeMicrometres: nil, trainingPixelSizesMicrometres: [nil],
                                   trainingPixelsPerClass: m.trainingPixelsPerClass, forest: hard!)
        let deepPredict = try seconds { _ = try deep.predict(img, pixelSize: nil) }
        print("""
            [learning timing] hard data: forest training 10⁵ × \(nf) (20 % label noise): \(String(format: "%.2f", hardTrain)) s, \
            \(hard!.nodeCount) nodes (\(hard!.nodeCount / 100) per tree)
            [learning timing] hard data: features + prediction, 2048², 100 deep trees: \(String(format: "%.2f", deepPredict)) s
            [learning timing] threads \(Concurrency.maximumThreads), features \(nf), trees \(m.forest.treeCount), \
            nodes \(m.forest.nodeCount), model file \(bytes.count) bytes
            [learning timing] train (features at 10⁵ labelled px of 2048² + forest): \(String(format: "%.2f", trainAll)) s
            [learning timing] forest training alone, 10⁵ samples × \(nf) features: \(String(format: "%.2f", forestOnly)) s
            [learning timing] features only, 2048²: \(String(format: "%.2f", featuresOnly)) s
            [learning timing] features + prediction, 2048², 100 trees: \(String(format: "%.2f", predict)) s \
            (accuracy on the synthetic truth \(String(format: "%.4f", accuracy)))
            """)
    }
}
