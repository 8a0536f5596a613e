// Typed errors of the pixel-classification module. Every message is one line a
// scientist can act on: it names the image, the class or the file problem and,
// where it helps, what was expected.

/// What can go wrong when training, applying, saving or loading a pixel classifier.
public enum LearningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `train` was called without any training example.
    case noTrainingImages
    /// An image (or label image) has no pixels. `imageIndex` is nil for prediction.
    case emptyImage(imageIndex: Int?)
    /// The label image of training example `imageIndex` does not have the image's shape (px).
    case labelSizeMismatch(imageIndex: Int, labelWidth: Int, labelHeight: Int, imageWidth: Int, imageHeight: Int)
    /// A label value above the class count (0 = unlabelled, 1...classCount are classes).
    case labelOutOfRange(imageIndex: Int, label: Int, classCount: Int)
    /// No pixel of any training image carries a label 1...K.
    case noLabelledPixels
    /// Class `label` (1...K) has no labelled pixel in any training image.
    case classWithoutPixels(label: Int, name: String)
    /// Some training images have a pixel size and others do not.
    case mixedCalibration(calibrated: [Int], uncalibrated: [Int])
    /// A pixel size that is not finite and positive (µm).
    case invalidPixelSize(imageIndex: Int?, micrometres: Double)
    /// Every finite pixel of the image has the same grey value (or none is finite): nothing to normalise.
    case constantImage(imageIndex: Int?, value: Float?)
    /// A training or forest parameter outside its allowed range.
    case invalidParameter(name: String, value: String, requirement: String)
    /// Feature rows and labels passed to ``RandomForest/train(features:featureCount:labels:classCount:parameters:)`` disagree.
    case sampleCountMismatch(features: Int, labels: Int, featureCount: Int)
    /// A feature matrix handed to a trained forest has the wrong number of columns.
    case featureCountMismatch(expected: Int, got: Int)
    /// The bytes do not start with the model file magic `DMPC`.
    case notAModelFile
    /// The model file was written by a newer Dendrometer.
    case newerModelFormat(found: Int, supported: Int)
    /// The model file is shorter than its header declares (cut off while copying or downloading).
    case truncatedModel(expectedBytes: Int, gotBytes: Int)
    /// The model file is damaged: checksum mismatch or inconsistent content.
    case damagedModel(reason: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .noTrainingImages:
            return "no training image was given; label a few pixels of at least one image"
        case let .emptyImage(index):
            return "\(Self.imageName(index)) has no pixels"
        case let .labelSizeMismatch(index, lw, lh, iw, ih):
            return "the label image of training image \(index + 1) is \(lw) × \(lh) px but the image is \(iw) × \(ih) px"
        case let .labelOutOfRange(index, label, k):
            return "training image \(index + 1) has label \(label), but only 0 (unlabelled) and classes 1...\(k) exist"
        case .noLabelledPixels:
            return "no pixel is labelled; mark a few pixels of every class (labels 1...K, 0 = unlabelled)"
        case let .classWithoutPixels(label, name):
            return "no pixel is labelled \(label) (\(name)); mark a few pixels of that class in at least one image"
        case let .mixedCalibration(cal, uncal):
            return "training images \(Self.list(cal)) have a pixel size but \(Self.list(uncal)) do not; "
                + "give every training image a pixel size, or none"
        case let .invalidPixelSize(index, v):
            return "\(Self.imageName(index)) has pixel size \(v) µm; expected a finite positive size"
        case let .constantImage(index, value):
            if let value { return "\(Self.imageName(index)) is constant (every pixel is \(value)); there is no contrast to classify" }
            return "\(Self.imageName(index)) has no finite pixel value; there is nothing to classify"
        case let .invalidParameter(name, value, requirement):
            return "expected \(name) to be \(requirement), got \(value)"
        case let .sampleCountMismatch(f, l, fc):
            return "\(f) feature values do not make \(l) samples of \(fc) features"
        case let .featureCountMismatch(e, g):
            return "the forest was trained on \(e) features, got samples of \(g)"
        case .notAModelFile:
            return "not a Dendrometer pixel-classifier file (it does not start with DMPC)"
        case let .newerModelFormat(found, supported):
            return "model format \(found) is newer than this dendrometer reads (\(supported)); update dendrometer"
        case let .truncatedModel(expected, got):
            return "the model file is truncated: \(got) of \(expected) bytes"
        case let .damagedModel(reason):
            return "the model file is damaged: \(reason)"
        }
    }

    private static func imageName(_ index: Int?) -> String {
        index.map { "training image \($0 + 1)" } ?? "the image"
    }

    private static func list(_ indices: [Int]) -> String {
        indices.map { String($0 + 1) }.joined(separator: ", ")
    }
}
