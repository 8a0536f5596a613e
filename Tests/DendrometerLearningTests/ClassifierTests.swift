import Testing
import DendrometerCore
@testable import DendrometerLearning

@Suite("Pixel classifier")
struct ClassifierTests {
    @Test("a bright disc on a noisy darker background: ≥ 98 % of pixels right from a few scribbles")
    func endToEnd() throws {
        let train = discScene(seed: 1)
        let model = try PixelClassifier.train([TrainingExample(image: train.image, labels: discScribbles(), pixelSize: nil)],
                                              parameters: smallParameters(trees: 20))
        #expect(model.classCount == 2 && model.referencePixelSizeMicrometres == nil)
        #expect(model.trainingPixelsPerClass == [discScribbles().pixels.filter { $0 == 1 }.count,
                                                 discScribbles().pixels.filter { $0 == 2 }.count])
        // A different noise realisation, and an 8-bit-like rescaling (normalisation makes it irrelevant).
        let test = discScene(seed: 2)
        let rescaled = test.image.map { $0 * 180 + 20 }
        let result = try model.predict(rescaled, pixelSize: nil)
        #expect(result.warnings.isEmpty)
        let classes = result.classMap()
        let right = zip(classes.pixels, test.truth.pixels).filter { $0 == $1 }.count
        #expect(Double(right) / Double(test.truth.count) >= 0.98, "\(right) of \(test.truth.count)")
        // Probabilities are a distribution at every pixel.
        let p = result.probabilities
        #expect(p.count == 2)
        #expect((0 ..< test.truth.count).allSatisfy { abs(p[0].pixels[$0] + p[1].pixels[$0] - 1) < 1e-5 })
        #expect(try model.classify(rescaled, pixelSize: nil) == classes)
    }

    @Test("three classes, two calibrated images; the physical scale follows the pixel size")
    func calibratedThreeClasses() throws {
        let a = discScene(seed: 3)
        var labels = discScribbles()
        for x in 50 ..< 60 { labels[x, 30] = 3 }      // a third class in the background, for the API
        var image = a.image
        for x in 44 ..< 64 { for y in 25 ..< 35 { image[x, y] = 0.1 } }
        let examples = [TrainingExample(image: image, labels: labels, pixelSize: PixelSize(micrometres: 0.1)),
                        TrainingExample(image: image, labels: labels, pixelSize: PixelSize(micrometres: 0.1))]
        let model = try PixelClassifier.train(examples, parameters: smallParameters(classNames: PixelClassifier.defaultClassNames))
        #expect(model.referencePixelSizeMicrometres == 0.1)
        #expect(model.trainingPixelSizesMicrometres == [0.1, 0.1])
        #expect(model.featureNames.first == "gaussian σ=0.07µm")
        let same = model.appliedScales(pixelSize: PixelSize(micrometres: 0.1))
        #expect(same.sigmas == model.featureBank.features.map(\.sigma) && same.warnings.isEmpty)
        let finer = model.appliedScales(pixelSize: PixelSize(micrometres: 0.05))
        #expect(zip(finer.sigmas, model.featureBank.features).allSatisfy { abs($0 - 2 * $1.sigma) < 1e-12 })
        let coarse = model.appliedScales(pixelSize: PixelSize(micrometres: 1))
        #expect(coarse.sigmas.min() == FeatureBank.minimumScalePixels && coarse.warnings.count == 1)
        // 1000 times finer: σ = 3.5 px at 0.1 µm would be 3500 px; every scale above 64 px is
        // lowered to 64 px (kernels and halos grow with σ), with one warning.
        let muchFiner = model.appliedScales(pixelSize: PixelSize(micrometres: 0.0001))
        #expect(muchFiner.sigmas.max() == FeatureBank.maximumScalePixels && muchFiner.warnings.count == 1)
        #expect(muchFiner.warnings.first?.contains("were lowered to 64 px; the image is much finer than the training images") == true)
        let uncalibrated = try model.predict(image, pixelSize: nil)
        #expect(uncalibrated.warnings.count == 1 && uncalibrated.warnings[0].contains("no pixel size"))
        #expect(uncalibrated.appliedScalesPixels == model.featureBank.features.map(\.sigma))
        let map = uncalibrated.classMap()
        #expect(map[55, 30] == 3 && map[32, 32] == 1 && map[3, 3] == 2)
    }

    @Test("stratified subsampling keeps small classes whole and is deterministic")
    func subsampling() {
        let byClass = [Array(0 ..< 10), Array(100 ..< 1100), Array(5000 ..< 5500)]
        let s = stratifiedSample(byClass, limit: 310, seed: 1)
        #expect(s.map(\.count) == [10, 150, 150])
        #expect(s[0] == byClass[0])
        #expect(s == stratifiedSample(byClass, limit: 310, seed: 1))
        #expect(s[1] == s[1].sorted() && Set(s[1]).count == 150 && s[1].allSatisfy { (100 ..< 1100).contains($0) })
        #expect(stratifiedSample(byClass, limit: 2000, seed: 1) == byClass)
    }

    @Test("training with subsampling uses at most maximumTrainingPixels")
    func trainingSubsample() throws {
        let scene = discScene(seed: 4)
        var params = smallParameters(trees: 5)
        params.maximumTrainingPixels = 300
        let model = try PixelClassifier.train([TrainingExample(image: scene.image, labels: scene.truth, pixelSize: nil)],
                                              parameters: params)
        #expect(model.trainingPixelsPerClass == [150, 150])
    }

    @Test("errors a scientist understands")
    func errors() {
        let scene = discScene(seed: 5)
        let small = Image<UInt8>(width: 100, height: 80)
        let big = Image<Float>(width: 768, height: 576, fill: 1)
        let sizeError = LearningError.labelSizeMismatch(imageIndex: 0, labelWidth: 100, labelHeight: 80, imageWidth: 768, imageHeight: 576)
        #expect(throws: sizeError) {
            try PixelClassifier.train([TrainingExample(image: big, labels: small, pixelSize: nil)], parameters: smallParameters())
        }
        #expect(sizeError.description == "the label image of training image 1 is 100 × 80 px but the image is 768 × 576 px")

        var onlyBackground = discScribbles()
        for i in onlyBackground.pixels.indices where onlyBackground.pixels[i] == 1 { onlyBackground.pixels[i] = 0 }
        #expect(throws: LearningError.classWithoutPixels(label: 1, name: "dendrite phase")) {
            try PixelClassifier.train([TrainingExample(image: scene.image, labels: onlyBackground, pixelSize: nil)],
                                      parameters: smallParameters())
        }
        #expect(LearningError.classWithoutPixels(label: 1, name: "dendrite phase").description.hasPrefix("no pixel is labelled 1 (dendrite phase)"))
        #expect(throws: LearningError.noLabelledPixels) {
            try PixelClassifier.train([TrainingExample(image: scene.image, labels: Image<UInt8>(width: 64, height: 64), pixelSize: nil)],
                                      parameters: smallParameters())
        }
        #expect(throws: LearningError.noTrainingImages) { try PixelClassifier.train([], parameters: smallParameters()) }
        #expect(throws: LearningError.mixedCalibration(calibrated: [1], uncalibrated: [0])) {
            try PixelClassifier.train([TrainingExample(image: scene.image, labels: discScribbles(), pixelSize: nil),
                                       TrainingExample(image: scene.image, labels: discScribbles(), pixelSize: PixelSize(micrometres: 0.2))],
                                      parameters: smallParameters())
        }
        var tooHigh = discScribbles()
        tooHigh[0, 0] = 3
        #expect(throws: LearningError.labelOutOfRange(imageIndex: 0, label: 3, classCount: 2)) {
            try PixelClassifier.train([TrainingExample(image: scene.image, labels: tooHigh, pixelSize: nil)], parameters: smallParameters())
        }
        #expect(throws: LearningError.constantImage(imageIndex: 0, value: 0.5)) {
            try PixelClassifier.train([TrainingExample(image: Image<Float>(width: 64, height: 64, fill: 0.5), labels: discScribbles(), pixelSize: nil)],
                                      parameters: smallParameters())
        }
        #expect(LearningError.newerModelFormat(found: 2, supported: 1).description
                == "model format 2 is newer than this dendrometer reads (1); update dendrometer")
        // Prediction on an image with no pixels: the error, on either path, not a crash.
        let model = try? PixelClassifier.train([TrainingExample(image: scene.image, labels: discScribbles(), pixelSize: nil)],
                                               parameters: smallParameters(trees: 3))
        let empty = Image<Float>(width: 0, height: 0, pixels: [], bitDepth: 32)
        #expect(throws: LearningError.emptyImage(imageIndex: nil)) { try model?.predict(empty, pixelSize: nil) }
        #expect(throws: LearningError.emptyImage(imageIndex: nil)) { try model?.classification(empty, pixelSize: nil) }
    }
}
