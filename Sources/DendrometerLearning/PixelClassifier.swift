// Interactive pixel classification in the manner of ilastik (Sommer et al.,
// ISBI 2011; Berg et al., Nature Methods 2019) and Trainable Weka Segmentation
// (Arganda-Carreras et al., Bioinformatics 2017): a scientist labels a few
// pixels of each phase in one micrograph, a random forest (Breiman 2001) learns
// the phases from a multi-scale feature bank computed at every pixel, and the
// model then gives per-pixel class probabilities for other micrographs.
//
// Differences from ilastik, and why:
// - Each image is normalised by its own 0.5/99.5 % percentiles (BSE brightness
//   and contrast are arbitrary; see IntensityNormalisation.swift).
// - Scales are physical when the training images are calibrated: σ_px =
//   σ_µm / pixel size, so a model trained at one magnification describes the same
//   neighbourhoods at another.

import DendrometerCore

/// One labelled training image.
public struct TrainingExample: Sendable {
    /// Raw grey values (any range; normalised per image).
    public var image: Image<Float>
    /// Same shape as `image`: 0 = unlabelled, 1...K = class (1 = dendrite phase by convention).
    public var labels: Image<UInt8>
    /// Pixel size, or nil for an uncalibrated image (then every training image must be uncalibrated).
    public var pixelSize: PixelSize?

    /// A training example from a Float image.
    public init(image: Image<Float>, labels: Image<UInt8>, pixelSize: PixelSize?) {
        self.image = image
        self.labels = labels
        self.pixelSize = pixelSize
    }

    /// A training example from an 8- or 16-bit image (converted to Float).
    public init<P: PixelSample>(image: Image<P>, labels: Image<UInt8>, pixelSize: PixelSize?) {
        self.init(image: image.asFloat(), labels: labels, pixelSize: pixelSize)
    }
}

/// Everything `train` needs besides the examples.
public struct TrainingParameters: Sendable, Equatable {
    /// Class names, index c − 1 for label c; their count is the class count K (1...255).
    public var classNames: [String]
    /// The features computed at every pixel.
    public var featureBank: FeatureBank
    /// The per-image grey-value normalisation.
    public var normalisation: IntensityNormalisation
    /// Forest size, depth, seed ….
    public var forest: RandomForest.Parameters
    /// More labelled pixels than this are subsampled, stratified by class (default 200 000).
    public var maximumTrainingPixels: Int
    /// Rows per feature tile (memory ≈ featureCount × tileRows × width × 4 bytes per core).
    public var tileRows: Int

    /// Parameters with the documented defaults (3 classes: dendrite phase, electrolyte, other).
    public init(classNames: [String] = PixelClassifier.defaultClassNames, featureBank: FeatureBank = FeatureBank(),
                normalisation: IntensityNormalisation = IntensityNormalisation(),
                forest: RandomForest.Parameters = RandomForest.Parameters(),
                maximumTrainingPixels: Int = 200_000, tileRows: Int = defaultFeatureTileRows) {
        self.classNames = classNames
        self.featureBank = featureBank
        self.normalisation = normalisation
        self.forest = forest
        self.maximumTrainingPixels = maximumTrainingPixels
        self.tileRows = tileRows
    }
}

/// Per-pixel class probabilities of one image, with the scales used and any warnings.
public struct PixelPrediction: Sendable, Equatable {
    /// One Float plane per class: `probabilities[c − 1]` is P(class c) at every pixel, in [0, 1];
    /// the planes sum to 1 at each pixel (up to rounding).
    public var probabilities: [Image<Float>]
    /// The σ (px) applied for each feature of the bank, after pixel-size scaling and clamping.
    public var appliedScalesPixels: [Double]
    /// Things the caller should show the user (calibration mismatch, clamped scales).
    public var warnings: [String]

    /// The most probable class (1...K) at each pixel; ties go to the lower class.
    public func classMap() -> Image<UInt8> {
        guard let first = probabilities.first else { return Image<UInt8>(width: 0, height: 0) }
        var out = Image<UInt8>(width: first.width, height: first.height, fill: 1, bitDepth: 8)
        for c in 1 ..< probabilities.count {
            let plane = probabilities[c].pixels
            for i in out.pixels.indices where plane[i] > probabilities[Int(out.pixels[i]) - 1].pixels[i] {
                out.pixels[i] = UInt8(c + 1)
            }
        }
        return out
    }
}

/// The most probable class of every pixel of one image, with the scales used and any warnings
/// (``PixelClassifier/classification(_:pixelSize:tileRows:)``).
public struct PixelClassification: Sendable, Equatable {
    /// The most probable class (1...K) at each pixel; ties go to the lower class.
    public var classes: Image<UInt8>
    /// The σ (px) applied for each feature of the bank, after pixel-size scaling and clamping.
    public var appliedScalesPixels: [Double]
    /// Things the caller should show the user (calibration mismatch, clamped scales).
    public var warnings: [String]
}

/// A trained pixel classifier: feature bank, normalisation rule, calibration and random forest.
///
/// ```swift
/// var labels = Image<UInt8>(width: 768, height: 576)      // 0 = unlabelled
/// labels[100, 200] = 1                                      // dendrite phase
/// labels[400, 50] = 2                                       // electrolyte
/// labels[600, 500] = 3                                      // other
/// let model = try PixelClassifier.train([TrainingExample(image: grey, labels: labels,
///                                                        pixelSize: PixelSize(micrometres: 0.05))],
///                                       parameters: TrainingParameters())
/// let result = try model.predict(otherGrey, pixelSize: PixelSize(micrometres: 0.1))
/// let phases = result.classMap()                            // 1...3 per pixel
/// let bytes = model.serialized()                            // save as .dmpc
/// ```
public struct PixelClassifier: Sendable, Equatable {
    /// The newest model file format this code writes and reads: 2 (feature banks with a Gaussian
    /// pyramid for large scales). Models whose bank has no pyramid are written as format 1, which
    /// every version of the tool reads.
    public static let currentFormatVersion = 2

    /// The format a model with `bank` is written in: 1 without a pyramid, 2 with one.
    static func formatVersion(for bank: FeatureBank) -> Int { bank.pyramid == nil ? 1 : 2 }
    /// Class names for K = 3 (label 1, 2, 3).
    public static let defaultClassNames = ["dendrite phase", "electrolyte", "other"]

    /// Format version of the model: the one its file was written in (1 for a bank without a
    /// pyramid, 2 with one).
    public let formatVersion: Int
    /// Class names; label c is `classNames[c − 1]`.
    public let classNames: [String]
    /// The features computed at every pixel.
    public let featureBank: FeatureBank
    /// The per-image grey-value normalisation applied before the features.
    public let normalisation: IntensityNormalisation
    /// Pixel size (µm) at which the bank's scales are in px, or nil when trained on uncalibrated images.
    public let referencePixelSizeMicrometres: Double?
    /// Pixel size of each training image, µm (nil entries: uncalibrated).
    public let trainingPixelSizesMicrometres: [Double?]
    /// Labelled pixels of each class used for training (after subsampling), index c − 1 for class c.
    public let trainingPixelsPerClass: [Int]
    /// The trained forest (class index c − 1 for label c).
    public let forest: RandomForest

    /// Number of classes K.
    public var classCount: Int { classNames.count }
    /// The forest's training parameters.
    public var forestParameters: RandomForest.Parameters { forest.parameters }
    /// One name per feature plane, with scales in µm when the model is calibrated.
    public var featureNames: [String] { featureBank.featureNames(pixelSize: referencePixelSizeMicrometres) }

    init(formatVersion: Int, classNames: [String], featureBank: FeatureBank, normalisation: IntensityNormalisation,
         referencePixelSizeMicrometres: Double?, trainingPixelSizesMicrometres: [Double?],
         trainingPixelsPerClass: [Int], forest: RandomForest) {
        self.formatVersion = formatVersion
        self.classNames = classNames
        self.featureBank = featureBank
        self.normalisation = normalisation
        self.referencePixelSizeMicrometres = referencePixelSizeMicrometres
        self.trainingPixelSizesMicrometres = trainingPixelSizesMicrometres
        self.trainingPixelsPerClass = trainingPixelsPerClass
        self.forest = forest
    }

    /// Trains a classifier on labelled pixels of one or more images.
    ///
    /// Steps: check shapes, labels and calibration; subsample the labelled pixels (at most
    /// `maximumTrainingPixels`, stratified: classes with few pixels keep them all, the rest share
    /// the remainder, drawn with the forest seed); normalise each image; compute the feature bank
    /// tile by tile (only tiles holding selected pixels) at σ_px = σ × reference / image pixel size,
    /// the reference being the first image's pixel size; train the forest.
    ///
    /// - Throws: ``LearningError`` — no examples, empty image, label image of another size,
    ///   label > K, no labelled pixel, a class without pixels, mixed calibrated/uncalibrated images,
    ///   an invalid pixel size, a constant image, invalid parameters.
    public static func train(_ examples: [TrainingExample], parameters: TrainingParameters) throws(LearningError) -> PixelClassifier {
        guard !examples.isEmpty else { throw .noTrainingImages }
        let k = parameters.classNames.count
        guard k >= 1 && k <= RandomForest.maximumClassCount else {
            throw .invalidParameter(name: "the number of class names", value: "\(k)", requirement: "1 ... \(RandomForest.maximumClassCount)")
        }
        let bank = parameters.featureBank
        try bank.validate()
        try parameters.normalisation.validate()
        try parameters.forest.validate(featureCount: bank.featureCount)
        guard parameters.maximumTrainingPixels >= 1 else {
            throw .invalidParameter(name: "the maximum training pixel count", value: "\(parameters.maximumTrainingPixels)", requirement: "≥ 1")
        }
        guard parameters.tileRows >= 1 else {
            throw .invalidParameter(name: "the tile height", value: "\(parameters.tileRows)", requirement: "≥ 1 row")
        }

        // Shapes and calibration.
        var calibrated = [Int](), uncalibrated = [Int]()
        for (i, e) in examples.enumerated() {
            if e.image.isEmpty { throw .emptyImage(imageIndex: i) }
            if e.labels.width != e.image.width || e.labels.height != e.image.height {
                throw .labelSizeMismatch(imageIndex: i, labelWidth: e.labels.width, labelHeight: e.labels.height,
                                         imageWidth: e.image.width, imageHeight: e.image.height)
            }
            if let p = e.pixelSize {
                guard p.isPhysical else { throw .invalidPixelSize(imageIndex: i, micrometres: p.micrometres) }
                calibrated.append(i)
            } else {
                uncalibrated.append(i)
            }
        }
        if !calibrated.isEmpty && !uncalibrated.isEmpty {
            throw .mixedCalibration(calibrated: calibrated, uncalibrated: uncalibrated)
        }
        let reference = examples[0].pixelSize?.micrometres

        // Labelled pixels per class, coded image · 2³² + pixel index.
        var byClass = [[Int]](repeating: [], count: k)
        for (i, e) in examples.enumerated() {
            for (p, label) in e.labels.pixels.enumerated() where label != 0 {
                guard Int(label) <= k else { throw .labelOutOfRange(imageIndex: i, label: Int(label), classCount: k) }
                byClass[Int(label) - 1].append(i << 32 | p)
            }
        }
        if byClass.allSatisfy(\.isEmpty) { throw .noLabelledPixels }
        if let missing = byClass.firstIndex(where: \.isEmpty) {
            throw .classWithoutPixels(label: missing + 1, name: parameters.classNames[missing])
        }
        let selected = stratifiedSample(byClass, limit: parameters.maximumTrainingPixels, seed: parameters.forest.seed)

        // Features at the selected pixels, sample order = (image, pixel).
        let nf = bank.featureCount
        let codes = selected.flatMap { $0 }.sorted()
        var labelOfCode = [Int: UInt8]()
        for (c, list) in selected.enumerated() { for code in list { labelOfCode[code] = UInt8(c) } }
        let classIndices = codes.map { labelOfCode[$0]! }
        var features = [Float](repeating: 0, count: codes.count * nf)
        var start = 0
        for (i, e) in examples.enumerated() {
            var end = start
            while end < codes.count && codes[end] >> 32 == i { end += 1 }
            defer { start = end }
            if end == start { continue }
            let pixels = codes[start ..< end].map { $0 & 0xFFFF_FFFF }
            let normalised = try parameters.normalisation.normalised(e.image, imageIndex: i)
            let sigmas = bank.features.map { f in
                FeatureBank.clampedScale(f.sigma * (reference.map { $0 / e.pixelSize!.micrometres } ?? 1))
            }
            let plan = FeaturePlan(bank: bank, appliedSigmas: sigmas)
            let w = e.image.width
            let tileRows = max(1, min(parameters.tileRows, e.image.height))
            var tiles = [Int]()
            for p in pixels where tiles.last != p / w / tileRows { tiles.append(p / w / tileRows) }
            let firstSample = start
            features.withUnsafeMutableBufferPointer { fb in
                let dst = SendablePointer(fb.baseAddress!)
                pixels.withUnsafeBufferPointer { pb in
                    forEachFeatureTile(normalised, plan: plan, tileRows: tileRows, tiles: tiles) { rows, planes, stride in
                        let first = rows.lowerBound * w
                        var s = lowerBound(pb, first)
                        while s < pb.count && pb[s] < rows.upperBound * w {
                            let local = pb[s] - first
                            let row = dst.base + (firstSample + s) * nf
                            for f in 0 ..< nf { row[f] = planes[f * stride + local] }
                            s += 1
                        }
                    }
                }
            }
        }
        let forest = try RandomForest.train(features: features, featureCount: nf, labels: classIndices,
                                            classCount: k, parameters: parameters.forest)
        return PixelClassifier(formatVersion: Self.formatVersion(for: bank), classNames: parameters.classNames, featureBank: bank,
                               normalisation: parameters.normalisation, referencePixelSizeMicrometres: reference,
                               trainingPixelSizesMicrometres: examples.map { $0.pixelSize?.micrometres },
                               trainingPixelsPerClass: selected.map(\.count), forest: forest)
    }

    /// The σ in px applied to an image of `pixelSize`, one per bank feature, and warnings.
    ///
    /// Calibrated model and image: σ × reference / pixel size (the same µm), clamped to
    /// [``FeatureBank/minimumScalePixels``, ``FeatureBank/maximumScalePixels``]. If only one of them is calibrated, the scales
    /// are used in px as trained, with a warning.
    public func appliedScales(pixelSize: PixelSize?) -> (sigmas: [Double], warnings: [String]) {
        var warnings = [String]()
        var factor = 1.0
        switch (referencePixelSizeMicrometres, pixelSize) {
        case let (reference?, size?):
            factor = reference / size.micrometres
            if size.widthMicrometres != size.heightMicrometres {
                warnings.append("the image's pixels are not square (\(size)); feature scales use the pixel width")
            }
        case let (reference?, nil):
            warnings.append("the model was trained on calibrated images (\(PixelSize.format(reference)) µm/px) but this image "
                            + "has no pixel size; feature scales are applied in px as trained, which is only right at the same magnification")
        case (nil, _?):
            warnings.append("the model was trained on uncalibrated images; this image's pixel size is ignored and feature "
                            + "scales are applied in px as trained")
        case (nil, nil):
            break
        }
        var raised = [Double](), lowered = [Double]()
        let sigmas = featureBank.features.map { f -> Double in
            let s = f.sigma * factor
            if s < FeatureBank.minimumScalePixels { raised.append(s) }
            if s > FeatureBank.maximumScalePixels { lowered.append(s) }
            return FeatureBank.clampedScale(s)
        }
        if let smallest = raised.min() {
            warnings.append("\(Set(raised).count) feature scale(s) fall below \(FeatureBank.minimumScalePixels) px at this "
                            + "pixel size (smallest \(PixelSize.format(smallest)) px) and were raised to \(FeatureBank.minimumScalePixels) px; "
                            + "the image is much coarser than the training images")
        }
        if let largest = lowered.max() {
            warnings.append("\(Set(lowered).count) feature scale(s) exceed \(PixelSize.format(FeatureBank.maximumScalePixels)) px at this "
                            + "pixel size (largest \(PixelSize.format(largest)) px) and were lowered to \(PixelSize.format(FeatureBank.maximumScalePixels)) px; "
                            + "the image is much finer than the training images")
        }
        return (sigmas, warnings)
    }

    /// Class probabilities at every pixel of `image`.
    ///
    /// - Parameters:
    ///   - image: raw grey values, any range (normalised like the training images).
    ///   - pixelSize: the image's pixel size, or nil when uncalibrated (see ``appliedScales(pixelSize:)``).
    ///   - tileRows: rows per feature tile (memory ≈ featureCount × tileRows × width × 4 bytes per
    ///     core); nil: the plan's own (``FeaturePlan/defaultTileRows``).
    /// - Returns: probability planes, applied scales and warnings.
    /// - Throws: ``LearningError/emptyImage(imageIndex:)``, ``LearningError/constantImage(imageIndex:value:)``,
    ///   ``LearningError/invalidPixelSize(imageIndex:micrometres:)``, or an invalid tile height.
    /// - Complexity: O(W·H·(Σσ + trees·depth)); tiles run in parallel.
    public func predict(_ image: Image<Float>, pixelSize: PixelSize?,
                        tileRows: Int? = nil) throws(LearningError) -> PixelPrediction {
        if image.isEmpty { throw .emptyImage(imageIndex: nil) }    // before touching the output buffer
        let k = classCount, w = image.width, n = image.count
        var planes = [Float](repeating: 0, count: k * n)
        let (sigmas, warnings) = try planes.withUnsafeMutableBufferPointer { ob throws(LearningError) in
            let out = SendablePointer(ob.baseAddress!)
            return try forEachTileOfFeatures(image, pixelSize: pixelSize, tileRows: tileRows) { rows, features, stride, scratch in
                let tileN = rows.count * w
                forest.predict(planes: features, planeStride: stride, count: tileN,
                               output: out.base + rows.lowerBound * w, classStride: n, scratch: scratch)
            }
        }
        let images = (0 ..< k).map { c in
            Image<Float>(width: w, height: image.height, pixels: Array(planes[c * n ..< (c + 1) * n]), bitDepth: 32)
        }
        return PixelPrediction(probabilities: images, appliedScalesPixels: sigmas, warnings: warnings)
    }

    /// The most probable class at every pixel of `image`, without the probabilities: equal to
    /// `predict(image, …).classMap()`, and faster, since a pixel stops running trees once no
    /// remaining tree can change its class (see ForestPrediction.swift). Same parameters and
    /// errors as ``predict(_:pixelSize:tileRows:)``.
    public func classification(_ image: Image<Float>, pixelSize: PixelSize?,
                               tileRows: Int? = nil) throws(LearningError) -> PixelClassification {
        if image.isEmpty { throw .emptyImage(imageIndex: nil) }    // before touching the output buffer
        let w = image.width
        var classes = Image<UInt8>(width: w, height: image.height, fill: 0, bitDepth: 8)
        let (sigmas, warnings) = try classes.pixels.withUnsafeMutableBufferPointer { ob throws(LearningError) in
            let out = SendablePointer(ob.baseAddress!)
            return try forEachTileOfFeatures(image, pixelSize: pixelSize, tileRows: tileRows) { rows, features, stride, scratch in
                let tileN = rows.count * w, dst = out.base + rows.lowerBound * w
                forest.classify(planes: features, planeStride: stride, count: tileN,
                                output: dst, scratch: scratch)
                for i in 0 ..< tileN { dst[i] &+= 1 }      // class index 0 ..< K → label 1 ... K
            }
        }
        return PixelClassification(classes: classes, appliedScalesPixels: sigmas, warnings: warnings)
    }

    /// Validates the inputs, normalises `image`, and passes every feature tile to `body(rows, planes,
    /// plane stride, scratch)` on all cores, with a per-worker scratch of the forest's block size.
    private func forEachTileOfFeatures(
        _ image: Image<Float>, pixelSize: PixelSize?, tileRows requested: Int?,
        _ body: (Range<Int>, UnsafePointer<Float>, Int, RandomForest.PredictionScratch) -> Void
    ) throws(LearningError) -> (sigmas: [Double], warnings: [String]) {
        if image.isEmpty { throw .emptyImage(imageIndex: nil) }
        if let p = pixelSize, !p.isPhysical { throw .invalidPixelSize(imageIndex: nil, micrometres: p.micrometres) }
        if let requested, requested < 1 {
            throw .invalidParameter(name: "the tile height", value: "\(requested)", requirement: "≥ 1 row")
        }
        let (sigmas, warnings) = appliedScales(pixelSize: pixelSize)
        let normalised = try normalisation.normalised(image)
        let plan = FeaturePlan(bank: featureBank, appliedSigmas: sigmas)
        forEachFeatureTile(normalised, plan: plan, tileRows: requested ?? plan.defaultTileRows) { rows, features, stride in
            body(rows, features, stride, forest.makePredictionScratch())
        }
        return (sigmas, warnings)
    }

    /// Class probability planes (`[c − 1]` for class c); see ``predict(_:pixelSize:tileRows:)`` for warnings.
    public func probabilities(for image: Image<Float>, pixelSize: PixelSize?) throws(LearningError) -> [Image<Float>] {
        try predict(image, pixelSize: pixelSize).probabilities
    }

    /// The most probable class 1...K at every pixel; see ``predict(_:pixelSize:tileRows:)`` for warnings.
    public func classify(_ image: Image<Float>, pixelSize: PixelSize?) throws(LearningError) -> Image<UInt8> {
        try classification(image, pixelSize: pixelSize).classes
    }
}

/// First index of the sorted buffer whose value is ≥ `value`.
func lowerBound(_ b: UnsafeBufferPointer<Int>, _ value: Int) -> Int {
    var lo = 0, hi = b.count
    while lo < hi { let mid = (lo + hi) / 2; if b[mid] < value { lo = mid + 1 } else { hi = mid } }
    return lo
}

/// Stratified subsample of at most `limit` items over classes: classes are served from the
/// smallest up, each receiving min(its size, remaining budget / remaining classes), so small
/// classes keep every pixel; items are drawn without replacement (partial Fisher–Yates with
/// SplitMix64 seeded from `seed`). Deterministic; each class's selection is returned sorted.
func stratifiedSample(_ byClass: [[Int]], limit: Int, seed: UInt64) -> [[Int]] {
    let total = byClass.reduce(0) { $0 + $1.count }
    if total <= limit { return byClass }
    var quota = [Int](repeating: 0, count: byClass.count)
    var budget = limit, remaining = byClass.count
    for c in byClass.indices.sorted(by: { (byClass[$0].count, $0) < (byClass[$1].count, $1) }) {
        quota[c] = min(byClass[c].count, budget / remaining)
        budget -= quota[c]
        remaining -= 1
    }
    var rng = SplitMix64(seed: seed ^ stratifiedSampleSeedSalt)
    return byClass.indices.map { c in
        var items = byClass[c]
        let q = quota[c]
        if q >= items.count { return items }
        for i in 0 ..< q {
            let j = i + Int(rng.next().multipliedFullWidth(by: UInt64(items.count - i)).high)
            items.swapAt(i, j)
        }
        return items[..<q].sorted()
    }
}

/// Mixed into the forest seed for the training-pixel subsample, so it does not reuse the trees' streams.
let stratifiedSampleSeedSalt: UInt64 = 0x5EED_5A3B_1E00_0001
