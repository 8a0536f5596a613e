// TESCAN INI metadata (tag 50431 or `.hdr` sidecar), ImageJ ImageDescription
// calibration, and the opt-in plain TIFF resolution. References: TESCAN
// sample kit_tomo_mapper/tescan-minimal.hdr; ImageJ `TiffDecoder` /
// tifffile `TiffFile.imagej_metadata`; TIFF 6.0 §ResolutionUnit.

import DendrometerCore
import Foundation

/// Parser for TESCAN INI metadata (`[MAIN] PixelSizeX` / `PixelSizeY` in metres).
///
/// Tag 50431 may carry a binary preamble before the INI text; lines without
/// `=` are skipped, so only the `[MAIN]` section matters.
///
/// Example: `[MAIN]` / `PixelSizeX=0.00000005` → 5e-8 m = 0.05 µm/px.
public enum TESCANMetadata {
    /// Parses TESCAN INI text.
    ///
    /// - Parameter text: Latin-1 text of tag 50431 or of the `.hdr` sidecar.
    /// - Returns: the pixel size in µm (height from `PixelSizeY` when valid),
    ///   or no calibration with a reason.
    public static func parse(_ text: String) -> VendorCalibration {
        let ini = INIDocument(text)
        guard ini.has(section: "MAIN") else {
            return .none(.tescan, key: "[MAIN] PixelSizeX", reason: "TESCAN metadata has no [MAIN] section")
        }
        guard let raw = ini.value("MAIN", "PixelSizeX"), let m = VendorText.positiveNumber(raw) else {
            let got = ini.value("MAIN", "PixelSizeX").map { "got '\($0)'" } ?? "key missing"
            return .none(.tescan, key: "[MAIN] PixelSizeX", reason: "TESCAN [MAIN] PixelSizeX: expected a positive number of metres, \(got)")
        }
        let w = m * 1e6
        let rawY = ini.value("MAIN", "PixelSizeY")
        let h = rawY.flatMap { VendorText.positiveNumber($0) }.map { $0 * 1e6 } ?? w
        // Both keys are named when both are used, so a warning about the pair points at the right one.
        let usesY = rawY.flatMap { VendorText.positiveNumber($0) } != nil
        return VendorCalibration(source: .tescan, pixelSize: PixelSize(widthMicrometres: w, heightMicrometres: h),
                                 key: usesY ? "[MAIN] PixelSizeX, PixelSizeY" : "[MAIN] PixelSizeX",
                                 rawValue: usesY ? "\(raw) m × \(rawY!) m" : "\(raw) m")
    }

    /// Parses tag 50431, else the `.hdr` sidecar; nil when neither exists or
    /// neither holds a `[MAIN]` section.
    public static func parse(_ metadata: SourceMetadata) -> VendorCalibration? {
        var candidates: [(String, String)] = []
        if let t = metadata.textTags[MetadataTag.tescan] { candidates.append(("tag 50431", t)) }
        if let t = metadata.sidecars["hdr"] { candidates.append((".hdr sidecar", t)) }
        var first: VendorCalibration?
        for (origin, text) in candidates {
            guard INIDocument(text).has(section: "MAIN") else { continue }
            var r = parse(text)
            r.key += " (\(origin))"
            if r.pixelSize != nil { return r }
            if first == nil { first = r }
        }
        return first
    }
}

/// Parser for ImageJ calibration: an `ImageDescription` beginning with
/// `ImageJ=` and holding `unit=…`, plus TIFF `XResolution` in pixels per unit.
///
/// pixel size = 1 / XResolution in `unit` (µm after conversion); height from
/// `YResolution` when it differs. `unit` may be `micron`, `um`, `µm` (also the
/// escape `\u00B5m`), `nm`, `mm`, `cm`, `m`. No `unit=`, or `pixel`/`inch`,
/// means not calibrated (ImageJ then writes no physical scale).
///
/// Example: `unit=micron`, XResolution 5928571/1000000 = 5.928571 px/µm →
/// 1 / 5.928571 = 0.1686747 µm/px.
public enum ImageJDescription {
    /// Whether an ImageDescription was written by ImageJ.
    public static func isImageJ(_ description: String) -> Bool {
        description.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("ImageJ=")
    }

    /// Parses an ImageJ description with the TIFF resolution.
    ///
    /// - Parameters:
    ///   - description: the ImageDescription text.
    ///   - resolution: TIFF XResolution/YResolution (pixels per `unit`); the
    ///     TIFF ResolutionUnit is ignored (ImageJ writes NONE).
    /// - Returns: the pixel size in µm, or no calibration with a reason.
    public static func parse(_ description: String, resolution: TIFFResolution?) -> VendorCalibration {
        var unit: String?
        for raw in VendorText.lines(description) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("unit=") { unit = String(line.dropFirst(5)); break }
        }
        guard let unitRaw = unit else {
            return .none(.imagej, key: "ImageDescription unit=", reason: "ImageJ description has no unit= (image not spatially calibrated)")
        }
        let u = unitRaw.replacingOccurrences(of: "\\u00B5", with: "µ").replacingOccurrences(of: "\\u00b5", with: "µ")
        guard let perUnit = VendorText.micrometresPerUnit(u) else {
            return .none(.imagej, key: "ImageDescription unit=", reason: "ImageJ unit '\(unitRaw)' is not a length unit (expected micron, um, nm, mm, cm or m)",
                         rawValue: unitRaw)
        }
        guard let res = resolution, res.x.isFinite, res.x > 0 else {
            return .none(.imagej, key: "ImageDescription unit= + XResolution",
                         reason: "ImageJ unit=\(unitRaw) but XResolution is missing or not positive")
        }
        let w = perUnit / res.x
        let h = (res.y.isFinite && res.y > 0) ? perUnit / res.y : w
        guard w.isFinite, w > 0, h.isFinite, h > 0 else {
            return .none(.imagej, key: "ImageDescription unit= + XResolution", reason: "ImageJ calibration is not a finite positive size")
        }
        return VendorCalibration(source: .imagej, pixelSize: PixelSize(widthMicrometres: w, heightMicrometres: h),
                                 key: "ImageDescription unit= + 1/XResolution",
                                 rawValue: "unit=\(unitRaw), XResolution=\(res.x) px/unit")
    }

    /// Parses tag 270 of `metadata` when it was written by ImageJ; nil otherwise.
    public static func parse(_ metadata: SourceMetadata) -> VendorCalibration? {
        guard let d = metadata.textTags[MetadataTag.imageDescription], isImageJ(d) else { return nil }
        return parse(d, resolution: metadata.resolution)
    }
}

/// Plain TIFF `XResolution` / `ResolutionUnit` as a pixel size. NOT a
/// calibration in SEM files (JEOL writes 270.9 dpi, Thermo NSS 16.8 px/cm,
/// NIST 1/1 without unit); used only when the caller opts in.
///
/// pixel size = 25 400 / XResolution µm (unit 2, inch) or 10 000 / XResolution
/// µm (unit 3, cm). Unit 1 (none) never yields a size.
///
/// Example: 300 px/inch → 25 400 / 300 = 84.667 µm/px.
public enum TIFFResolutionCalibration {
    /// Converts TIFF resolution tags to a pixel size in µm, or explains why not.
    public static func parse(_ resolution: TIFFResolution?) -> VendorCalibration {
        guard let r = resolution else {
            return .none(.tiffResolution, key: "XResolution", reason: "no TIFF XResolution tag")
        }
        let perUnit: Double
        switch r.unit {
        case 2: perUnit = 25_400
        case 3: perUnit = 10_000
        default:
            return .none(.tiffResolution, key: "XResolution", reason: "TIFF ResolutionUnit \(r.unit) is not inch (2) or centimetre (3)")
        }
        guard r.x.isFinite, r.x > 0 else {
            return .none(.tiffResolution, key: "XResolution", reason: "TIFF XResolution: expected a positive number, got \(r.x)")
        }
        let w = perUnit / r.x
        let h = (r.y.isFinite && r.y > 0) ? perUnit / r.y : w
        return VendorCalibration(source: .tiffResolution, pixelSize: PixelSize(widthMicrometres: w, heightMicrometres: h),
                                 key: "XResolution / ResolutionUnit",
                                 rawValue: "\(r.x) px per \(r.unit == 2 ? "inch" : "cm")")
    }
}
