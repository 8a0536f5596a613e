// Training data for the trained-model segmenter (`dendrometer train`).
//
// Label convention (the user labels a few pixels of an image, like ilastik's
// brush strokes): 0 = unlabelled, 1 = dendrite phase (the anode/substrate
// layer AND the dendrites rising from it), 2 = electrolyte (the matrix the
// dendrites grow into, or empty background), 3 = anything else (pores, cracks,
// cathode particles, current collector, debris). Other numbering (ilastik's
// or Fiji's) is mapped with ``LabelMapping``, e.g. `2,5=1 3=2 0,1,4=3`.
//
// A label image is the size of the micrograph or of its scanned field (the
// data bar cut off); the classifier trains on the field's recorded grey
// values, exactly what ``TrainedModelSegmenter`` later sees.

import DendrometerCore
import DendrometerIO
import DendrometerLearning

/// Maps label values of another convention onto classes 0…3.
public struct LabelMapping: Sendable, Equatable {
    /// class for each source value; values absent from the table become 0 (unlabelled).
    public var table: [Int: UInt8]

    /// The identity on the Dendrometer convention (0…3); other values are errors.
    public static let identity = LabelMapping(table: [0: 0, 1: 1, 2: 2, 3: 3])
    /// The classes a label can map to.
    public static let classNames = ["dendrite phase", "electrolyte", "other"]

    /// A mapping from explicit rules.
    public init(table: [Int: UInt8]) { self.table = table }

    /// Parses rules `FROM[,FROM...]=CLASS`, e.g. `["2,5=1", "3=2", "0,1,4,6,7,8=3"]`.
    /// - Throws: ``AnalysisError/badLabels(_:_:)`` naming the rule.
    public init(rules: [String]) throws(AnalysisError) {
        var table: [Int: UInt8] = [:]
        for rule in rules {
            let parts = rule.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let to = Int(parts[1]), (0 ... LabelMapping.classNames.count).contains(to) else {
                throw .badLabels("--map \(rule)", "expected FROM[,FROM...]=CLASS with CLASS 0-3 (0 unlabelled, 1 dendrite phase, 2 electrolyte, 3 other)")
            }
            for f in parts[0].split(separator: ",") {
                guard let from = Int(f.trimmingCharacters(in: .whitespaces)), (0 ... 65535).contains(from) else {
                    throw .badLabels("--map \(rule)", "expected label values 0-65535 before '=', got '\(f)'")
                }
                table[from] = UInt8(to)
            }
        }
        self.table = table
    }
}

/// One labelled micrograph, ready for training.
public enum TrainingSet {
    /// The training example for `micrograph` with the label image at `labelsPath`.
    ///
    /// - Throws: ``AnalysisError/badLabels(_:_:)`` for an unreadable label image, a wrong
    ///   size, or values outside the convention that `mapping` does not map.
    public static func example(_ micrograph: Micrograph, labelsPath: String, mapping: LabelMapping = .identity,
                               maximumPixels: Int = ReadOptions.defaultMaximumPixels) throws(AnalysisError) -> TrainingExample {
        let field = micrograph.scannedField
        guard !field.isEmpty else { throw .emptyField }
        let loaded: LoadedImage
        do { loaded = try ImageFile.read(labelsPath, options: ReadOptions(maximumPixels: maximumPixels, readSidecars: false)) } catch {
            throw .badLabels(labelsPath, error.description.droppingPathPrefix(labelsPath))
        }
        let values: [Int]
        switch loaded.image {
        case .uint8(let i): values = i.pixels.map(Int.init)
        case .uint16(let i): values = i.pixels.map(Int.init)
        case .float32: throw .badLabels(labelsPath, "a float image; labels must be integers (8- or 16-bit grey)")
        }
        if loaded.metadata.photometric == "palette" || loaded.metadata.samplesPerPixel > 1 {
            throw .badLabels(labelsPath, "labels must be one grey 8- or 16-bit channel (indexed or RGB colours are read as grey and lose their numbers)")
        }
        let w = loaded.image.width, h = loaded.image.height
        let raster = PixelRect(x: 0, y: 0, width: micrograph.image.width, height: micrograph.image.height)
        let crop: PixelRect
        if w == field.width && h == field.height {
            crop = PixelRect(x: 0, y: 0, width: w, height: h)
        } else if w == raster.width && h == raster.height {
            crop = field
        } else {
            throw .badLabels(labelsPath, "the label image is \(w) × \(h) px but the image is \(raster.width) × \(raster.height) px"
                             + (field == raster ? "" : " (scanned field \(field.width) × \(field.height) px)"))
        }
        // One lookup per pixel through a table over every possible value (-1: not allowed).
        let identity = mapping == .identity
        var table = [Int16](repeating: identity ? -1 : 0, count: (values.max() ?? 0) + 1)
        for (v, c) in mapping.table where v < table.count { table[v] = Int16(c) }
        var labels = [UInt8](repeating: 0, count: crop.area)
        for y in 0 ..< crop.height {
            for x in 0 ..< crop.width {
                let v = values[(y + crop.y) * w + x + crop.x]
                let c = table[v]
                guard c >= 0 else {
                    throw .badLabels(labelsPath, "label value \(v) at x \(x + crop.x), y \(y + crop.y) is not 0 (unlabelled), 1 (dendrite phase), 2 (electrolyte) or 3 (other); map other numbering with --map, e.g. --map \(v)=3")
                }
                labels[y * crop.width + x] = UInt8(c)
            }
        }
        let full = micrograph.image.asFloat()
        let image = field == raster ? full : full.cropped(to: field)
        return TrainingExample(image: image, labels: Image(width: crop.width, height: crop.height, pixels: labels, bitDepth: 8),
                               pixelSize: micrograph.calibration.pixelSize)
    }
}
