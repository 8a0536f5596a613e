// FEI / Thermo Fisher SEM metadata: INI text in TIFF tags 34682 (FEI_HELIOS),
// 34680 (FEI_SFEG) and 34683 (FEI_TITAN). Reference: tifffile
// `TiffFile.fei_metadata` and hyperspy/rosettasciio `tiff` reader; see
// data/real/PROVENANCE.md "How pixel sizes were obtained".

import DendrometerCore
import Foundation

/// Parser for the FEI / Thermo Fisher INI metadata block.
///
/// Rules:
/// - pixel size = `[Scan] PixelWidth` in metres × 10⁶ (µm); if that key is
///   missing or not a positive number, `[EScan] PixelWidth`. `PixelHeight` from
///   the same section gives the pixel height when valid (else square pixels).
/// - the scanned raster is `[Image] ResolutionX × ResolutionY`. When the stored
///   image is wider or narrower than `ResolutionX` (an export rescaled it), the
///   pixel size is multiplied by `ResolutionX / imageWidth`.
/// - data bar = rows `ResolutionY ..< imageHeight` across the full width when
///   `imageHeight > ResolutionY` (FEI burns a 29–70-row bar below the scan).
///
/// Example: `[Scan] PixelWidth=3.3724e-006`, `[Image] ResolutionX=512`,
/// `ResolutionY=442`, image 512 × 471 → 3.3724 µm/px, data bar
/// `PixelRect(x: 0, y: 442, width: 512, height: 29)`.
public enum FEIMetadata {
    /// Tags that may carry FEI INI text, in the order they are tried.
    public static let tags = [MetadataTag.feiHelios, MetadataTag.feiSFEG, MetadataTag.feiTitan]

    /// Whether `text` looks like an FEI INI block (has `[Scan]`, `[EScan]`,
    /// `[Image]` or `[Beam]`). The SFEG/TITAN tags sometimes hold XML or
    /// base64 instead, which is not INI.
    public static func looksLikeINI(_ text: String) -> Bool {
        let ini = INIDocument(text)
        return ["scan", "escan", "image", "beam"].contains { ini.has(section: $0) }
    }

    /// Parses one FEI INI text.
    ///
    /// - Parameters:
    ///   - text: the INI text (Latin-1 decoded tag value).
    ///   - imageWidth: stored raster width, px (data bar included).
    ///   - imageHeight: stored raster height, px (data bar included).
    ///   - tag: the TIFF tag the text came from, for the provenance string.
    /// - Returns: the pixel size in µm from `[Scan]`/`[EScan] PixelWidth`, or no
    ///   calibration with a reason; never throws.
    public static func parse(_ text: String, imageWidth: Int, imageHeight: Int, tag: Int? = nil) -> VendorCalibration {
        let ini = INIDocument(text)
        let tagNote = tag.map { " (tag \($0))" } ?? ""
        var notes: [String] = []

        // Scanned raster from [Image]; gives the data bar and any export rescale.
        let resX = ini.value("Image", "ResolutionX").flatMap { VendorText.rasterSize($0) }
        let resY = ini.value("Image", "ResolutionY").flatMap { VendorText.rasterSize($0) }
        var scale = 1.0
        if let rx = resX, imageWidth > 0, rx != imageWidth {
            scale = Double(rx) / Double(imageWidth)
            notes.append("FEI [Image] ResolutionX=\(rx) differs from the image width \(imageWidth) px; pixel size scaled by \(rx)/\(imageWidth)")
        }
        var dataBar: PixelRect?
        var barKnown = false
        if let ry = resY, imageHeight > 0, imageWidth > 0 {
            let rasterRows = Int(saturating: (Double(ry) / scale).rounded())
            barKnown = true
            if imageHeight > rasterRows {
                dataBar = PixelRect(x: 0, y: rasterRows, width: imageWidth, height: imageHeight - rasterRows)
            }
        }

        var result: VendorCalibration
        var candidates: [(section: String, raw: String?)] = []
        for section in ["Scan", "EScan"] {
            candidates.append((section, ini.value(section, "PixelWidth")))
        }
        if let hit = candidates.first(where: { $0.raw.flatMap { VendorText.positiveNumber($0) } != nil }) {
            let raw = hit.raw!
            let w = VendorText.positiveNumber(raw)! * 1e6 * scale
            let h = ini.value(hit.section, "PixelHeight").flatMap { VendorText.positiveNumber($0) }.map { $0 * 1e6 * scale } ?? w
            if hit.section == "EScan" {
                let scanRaw = candidates[0].raw.map { "'\($0)'" } ?? "missing"
                notes.append("FEI [Scan] PixelWidth is \(scanRaw); used [EScan] PixelWidth")
            }
            result = VendorCalibration(source: .fei, pixelSize: PixelSize(widthMicrometres: w, heightMicrometres: h),
                                       key: "[\(hit.section)] PixelWidth\(tagNote)", rawValue: "\(raw) m")
        } else {
            let found = candidates.compactMap { c in c.raw.map { "[\(c.section)] PixelWidth='\($0)'" } }
            let why = found.isEmpty
                ? "FEI metadata\(tagNote) has no [Scan] or [EScan] PixelWidth"
                : "FEI metadata\(tagNote): expected a positive number of metres, got \(found.joined(separator: ", "))"
            result = .none(.fei, key: "[Scan] PixelWidth\(tagNote)", reason: why)
        }
        result.dataBar = dataBar
        result.dataBarKnown = barKnown
        result.notes = notes
        return result
    }

    /// Parses every FEI tag present in `metadata` and returns the first that
    /// yields a calibration, else the first INI-looking block (with its reason
    /// and data bar), else nil when no FEI INI block exists.
    public static func parse(_ metadata: SourceMetadata) -> VendorCalibration? {
        let parsed = tags.compactMap { tag -> VendorCalibration? in
            guard let text = metadata.textTags[tag], looksLikeINI(text) else { return nil }
            return parse(text, imageWidth: metadata.width, imageHeight: metadata.height, tag: tag)
        }
        guard var chosen = parsed.first(where: { $0.pixelSize != nil }) ?? parsed.first else { return nil }
        // A block without [Image] may leave the data bar to another FEI tag.
        if !chosen.dataBarKnown, let other = parsed.first(where: { $0.dataBarKnown }) {
            chosen.dataBar = other.dataBar
            chosen.dataBarKnown = true
        }
        return chosen
    }
}
