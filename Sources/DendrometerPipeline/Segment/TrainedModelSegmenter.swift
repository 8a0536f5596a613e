// The trained-model segmenter (`--model FILE`): a pixel classifier trained by
// `dendrometer train` on a few labelled pixels of images from the same
// microscope (ilastik / Trainable Weka Segmentation style) labels every pixel
// of the field as class 1 (dendrite phase incl. the anode layer), 2 (the
// electrolyte or background the dendrites grow into) or 3 (anything else:
// pores, cracks, cathode particles, current collector, debris).
//
// Class 1 becomes the phase mask (specks and pinholes cleaned as for a
// threshold); class 3 becomes the record's `other` mask, from which the
// cathode stage can recognise a cathode composite. The classifier sees the
// field as recorded (no denoising): it learnt its own smoothing scales.
//
// Example: a model trained on one labelled Li-In micrograph at 0.05 µm/px
// applied to a 0.1 µm/px image of the same cell computes its features at half
// the px scales (its scales are in µm), so a 1.6 µm Gaussian stays 1.6 µm.

import DendrometerCore
import DendrometerLearning
import DendrometerSegmentation
import Foundation

/// Segments the dendrite phase with a trained pixel classifier.
public struct TrainedModelSegmenter: PhaseSegmenter {
    /// The classifier.
    public var model: PixelClassifier
    /// Its file name (for reports).
    public var name: String
    /// What the user said the phase looks like (`--phase bright|dark`); unspecified: inferred from the image.
    public var appearance: PhaseAppearance
    /// Whether the record keeps the class probability planes (`--save-probabilities`). Without them
    /// only the class map is computed, which stops each pixel's trees once its class is certain.
    public var keepsProbabilities: Bool

    /// A segmenter applying `model`.
    public init(model: PixelClassifier, name: String, appearance: PhaseAppearance = .unspecified,
                keepsProbabilities: Bool = false) {
        self.model = model
        self.name = name
        self.appearance = appearance
        self.keepsProbabilities = keepsProbabilities
    }

    /// The class holding the dendrite phase (and the anode layer).
    public static let phaseClass = 1
    /// The first class of "anything else" (classes ≥ this are neither phase nor matrix).
    public static let otherClass = 3

    public func segment(_ field: PreparedField, parameters: AnalysisParameters) throws(AnalysisError) -> PhaseSegmentation {
        let classes: Image<UInt8>, probabilities: [Image<Float>], modelWarnings: [String]
        do {
            if keepsProbabilities {
                let prediction = try model.predict(field.original, pixelSize: field.pixelSize)
                (classes, probabilities, modelWarnings) = (prediction.classMap(), prediction.probabilities, prediction.warnings)
            } else {
                let result = try model.classification(field.original, pixelSize: field.pixelSize)
                (classes, probabilities, modelWarnings) = (result.classes, [], result.warnings)
            }
        } catch { throw .badModel(name, error.description) }
        var phaseBits = [UInt8](repeating: 0, count: classes.count)
        var otherBits = [UInt8](repeating: 0, count: classes.count)
        for i in classes.pixels.indices {
            let c = Int(classes.pixels[i])
            phaseBits[i] = c == Self.phaseClass ? 1 : 0
            otherBits[i] = c >= Self.otherClass ? 1 : 0
        }
        let raw = BinaryMask(width: field.width, height: field.height, normalizedBits: phaseBits)
        let speckPx = parameters.dendrites.minimumAreaPixels(pixelSize: field.pixelSize)
        let phase = try PhaseSegmentation.cleaned(raw, speckPx: speckPx, holePx: parameters.threshold.fillHolesBelowPx)
        var warnings = modelWarnings
        if phase.area == 0 { warnings.append("the model \(name) finds no dendrite phase (class 1) in this image; was it trained on images like this one?") }
        let other = model.classCount >= Self.otherClass ? BinaryMask(width: field.width, height: field.height, normalizedBits: otherBits) : nil
        var look = appearance, lookWhy = "given"
        if look == .unspecified { (look, lookWhy) = PhaseAppearance.inferred(phase: phase, other: other, grey: field.denoised) }
        var record = PhaseSegmentation(
            phase: phase, other: other, appearance: look, method: .model(name),
            reason: "trained pixel classifier \(name) (\(model.summary)); class 1 = dendrite phase incl. the anode layer; \(look) (\(lookWhy))",
            warnings: warnings, texture: field.denoised)
        record.classProbabilities = probabilities
        return record
    }
}

extension PixelClassifier {
    /// One line for reports: classes, forest size, features and their scales.
    public var summary: String {
        let scales = featureBank.scales
        let unit: String, shown: [Double]
        if let p = referencePixelSizeMicrometres {
            unit = "µm"
            shown = scales.map { $0 * p }
        } else {
            unit = "px"
            shown = scales
        }
        let list = shown.map { String(format: "%.3g", $0) }.joined(separator: ", ")
        return "\(classCount) classes, \(forest.treeCount) trees, \(featureBank.featureCount) features at σ = \(list) \(unit)"
    }
}

extension TrainedModelSegmenter {
    /// Largest model file read, bytes (a forest of 1000 deep trees is a few hundred MB).
    public static let maximumModelFileBytes = 1 << 30

    /// Reads a model file written by `dendrometer train`.
    ///
    /// - Throws: ``AnalysisError/badModel(_:_:)`` naming the file: not a regular file (a pipe,
    ///   a device), larger than ``maximumModelFileBytes``, unreadable, damaged, or from a newer version.
    public static func loadModel(_ path: String) throws(AnalysisError) -> PixelClassifier {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes else { throw .badModel(path, "cannot read the model file") }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw .badModel(path, "not a regular file (a model file written by 'dendrometer train' is expected)")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maximumModelFileBytes else {
            throw .badModel(path, "the file has \(size) bytes, more than any model (at most \(maximumModelFileBytes))")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .badModel(path, "cannot read the model file") }
        do { return try PixelClassifier(serialized: [UInt8](data)) } catch { throw .badModel(path, error.description) }
    }
}
