// The external-mask segmenter (`--mask FILE [--mask-label N[,M]]`): a
// segmentation made elsewhere — an ilastik "Simple Segmentation" export, a
// Fiji binary, napari labels — enters the pipeline here, and every later stage
// (interface, depth, orientation, regions, labels) runs on it unchanged.
//
// The mask is the dendrite phase INCLUDING the anode layer (the interface is
// found as the boundary of that layer). Integer images: non-zero is phase, or
// the listed label values are. Float images in [0, 1] are probability maps:
// phase where p ≥ 0.5. A mask may be the size of the whole raster (the data
// bar is then cut off like the image's) or of the scanned field.
//
// Example: an ilastik export with 1 = Li-In, 2 = electrolyte, 3 = pore, given
// as `--mask cell_Simple Segmentation.png --mask-label 1`.

import DendrometerCore
import DendrometerIO

/// A phase mask read from a file, before it is matched to a micrograph.
public struct ExternalMask: Sendable {
    /// Phase (1) / not (0), the file's full size.
    public var mask: BinaryMask
    /// The file it came from.
    public var path: String
    /// Label values taken as phase (empty: non-zero, or p ≥ 0.5 for a probability map).
    public var labels: [Int]

    /// A mask from pixels already in memory.
    public init(mask: BinaryMask, path: String, labels: [Int] = []) {
        self.mask = mask
        self.path = path
        self.labels = labels
    }

    /// Reads a mask file (TIFF, PNG, BMP).
    ///
    /// - Parameters:
    ///   - labels: label values that are phase; empty = every non-zero value.
    ///   - channel: page of a multi-page file holding the phase (a probability map exported one
    ///     page per class); nil requires a single-page file.
    /// - Throws: ``AnalysisError/badMask(_:_:)`` naming the file and what is wrong.
    public static func read(_ path: String, labels: [Int] = [], channel: Int? = nil,
                            maximumPixels: Int = ReadOptions.defaultMaximumPixels) throws(AnalysisError) -> ExternalMask {
        let loaded: LoadedImage
        do { loaded = try ImageFile.read(path, options: ReadOptions(page: channel ?? 0, maximumPixels: maximumPixels, readSidecars: false)) } catch {
            throw .badMask(path, error.description.droppingPathPrefix(path))
        }
        let meta = loaded.metadata
        if channel == nil, meta.pageCount > 1 {
            throw .badMask(path, "it has \(meta.pageCount) pages (a probability map, one page per class?); name the phase's page with --mask-channel N")
        }
        if meta.photometric == "palette" {
            throw .badMask(path, "it is an indexed-colour image whose colours are read as grey, which scrambles label numbers; save the labels as a grey 8- or 16-bit image")
        }
        if meta.samplesPerPixel > 1 {
            throw .badMask(path, "it has \(meta.samplesPerPixel) channels per pixel (\(meta.photometric)); save the segmentation as one grey or label channel")
        }
        let bits: [UInt8]
        switch loaded.image {
        case .float32(let img):
            guard labels.isEmpty else {
                throw .badMask(path, "--mask-label picks integer labels but this is a float image (a probability map: phase where p ≥ 0.5)")
            }
            bits = img.pixels.map { $0 >= 0.5 ? 1 : 0 }
        case .uint8(let img):
            bits = Self.select(img.pixels, labels)
        case .uint16(let img):
            bits = Self.select(img.pixels, labels)
        }
        let mask = BinaryMask(width: loaded.image.width, height: loaded.image.height, normalizedBits: bits)
        return ExternalMask(mask: mask, path: path, labels: labels)
    }

    static func select<P: FixedWidthInteger>(_ pixels: [P], _ labels: [Int]) -> [UInt8] {
        if labels.isEmpty { return pixels.map { $0 != 0 ? 1 : 0 } }
        var table = [UInt8](repeating: 0, count: Int(P.max) + 1)
        for l in labels where l >= 0 && l <= Int(P.max) { table[l] = 1 }
        return pixels.map { table[Int($0)] }
    }
}

/// Takes the phase from a mask made elsewhere.
public struct ExternalMaskSegmenter: PhaseSegmenter {
    /// The mask, full-raster or field size.
    public var mask: ExternalMask
    /// What the user said the phase looks like (`--phase bright|dark`); unspecified: inferred from the image.
    public var appearance: PhaseAppearance

    /// A segmenter handing `mask` on.
    public init(mask: ExternalMask, appearance: PhaseAppearance = .unspecified) {
        self.mask = mask
        self.appearance = appearance
    }

    public func segment(_ field: PreparedField, parameters: AnalysisParameters) throws(AnalysisError) -> PhaseSegmentation {
        let m = mask.mask
        let phase: BinaryMask
        if m.width == field.width, m.height == field.height {
            phase = m
        } else if m.width == field.rasterWidth, m.height == field.rasterHeight {
            phase = m.cropped(to: field.rect)
        } else {
            let fieldText = field.rect.width == field.rasterWidth && field.rect.height == field.rasterHeight
                ? "" : " or its scanned field \(field.width) × \(field.height) px"
            throw .badMask(mask.path, "the mask is \(m.width) × \(m.height) px but the image is \(field.rasterWidth) × \(field.rasterHeight) px\(fieldText)")
        }
        let area = phase.area
        let which = mask.labels.isEmpty ? "non-zero" : "label \(mask.labels.map(String.init).joined(separator: ","))"
        guard area > 0 else { throw .badMask(mask.path, "no pixel of the mask is \(which) inside the scanned field: nothing is phase") }
        guard area < phase.width * phase.height else {
            throw .badMask(mask.path, "every pixel of the scanned field is \(which): the mask marks no electrolyte")
        }
        var look = appearance, lookWhy = "given"
        if look == .unspecified { (look, lookWhy) = PhaseAppearance.inferred(phase: phase, other: nil, grey: field.denoised) }
        var record = PhaseSegmentation(
            phase: phase, appearance: look, method: .mask(mask.path, labels: mask.labels),
            reason: "external mask \(mask.path) (\(which) = dendrite phase incl. the anode layer), taken as given; \(look) (\(lookWhy))",
            texture: field.denoised)
        // The mask marks the dendrites and the anode, not the cathode composite's particles; where
        // those have the phase's grey (NCM is bright like Li-In) they show, as in a threshold's raw
        // phase, among the pixels past the grey halfway between the mask's phase and the rest,
        // and the cathode is sought there too (a band the mask itself covers is refused:
        // cathode.maximumMaskShare).
        if look == .bright || look == .dark, let c = PhaseContrast.measure(field.denoised, phase: phase),
           (c.phaseMedian > c.restMedian) == (look == .bright) {
            record.rawPhaseThreshold = (c.phaseMedian + c.restMedian) / 2
        }
        return record
    }
}

extension String {
    /// The message without a leading "PATH: " (errors of the reader name the file themselves).
    func droppingPathPrefix(_ path: String) -> String {
        hasPrefix(path + ": ") ? String(dropFirst(path.count + 2)) : self
    }
}
