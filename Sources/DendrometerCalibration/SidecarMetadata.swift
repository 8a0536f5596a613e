// JEOL and Hitachi `.txt` sidecars (same basename as the image). Both vendors
// use the `.txt` extension; they are told apart by content: Hitachi files hold
// an INI section `[SemImageFile]`, JEOL files hold `$CM_…` / `$$SM_…` lines.
//
// JEOL layout (real files probelab_reimager/jeol/*.txt, JXA-8530F):
//   $CM_MAG 95
//   $$SM_MICRON_BAR 101          scale-bar length, px at $CM_FULL_SIZE
//   $$SM_MICRON_MARKER 100um     scale-bar label, number + unit
//   $CM_FULL_SIZE 1280 960       acquisition raster, px (data bar excluded)
// Hitachi layout (Bio-Formats HitachiReader; S-4800, SU-70, TM3000/TM4000):
//   [SemImageFile]
//   PixelSize=24.8               nm per pixel of the acquisition raster
//   DataSize=1280x960            acquisition raster, px

import DendrometerCore
import Foundation

/// Which vendor wrote a `.txt` sidecar.
public enum SidecarKind: Sendable, Equatable {
    /// JEOL `$CM_…` / `$$SM_…` lines.
    case jeol
    /// Hitachi INI with a `[SemImageFile]` section.
    case hitachi
    /// Neither.
    case unknown

    /// Classifies a sidecar by its content.
    public static func of(_ text: String) -> SidecarKind {
        if text.range(of: "[SemImageFile]", options: .caseInsensitive) != nil { return .hitachi }
        for line in VendorText.lines(text).prefix(400) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("$CM_") || t.hasPrefix("$$SM_") || t.hasPrefix("$SEM_DATA_VERSION") { return .jeol }
        }
        return .unknown
    }
}

/// Scales an acquisition raster (`fullWidth × fullHeight`, px) to the stored
/// image width and returns the data bar below it, if any.
private func barBelowRaster(fullWidth: Int, fullHeight: Int, imageWidth: Int, imageHeight: Int) -> PixelRect? {
    guard fullWidth > 0, fullHeight > 0, imageWidth > 0, imageHeight > 0 else { return nil }
    let rows = Int(saturating: (Double(fullHeight) * Double(imageWidth) / Double(fullWidth)).rounded())
    guard imageHeight > rows, rows > 0 else { return nil }
    return PixelRect(x: 0, y: rows, width: imageWidth, height: imageHeight - rows)
}

/// Parser for JEOL `.txt` sidecars.
///
/// pixel size (µm) = `$$SM_MICRON_MARKER` (µm) ÷ `$$SM_MICRON_BAR` (px) ×
/// (`$CM_FULL_SIZE` width ÷ stored image width). The bar length is an integer,
/// so expect ≈1 % quantisation error. The data bar is the rows below
/// `$CM_FULL_SIZE` height scaled to the stored width.
///
/// Example: marker `100um`, bar `45`, full size `1280 960`, image 640 × 512 →
/// 100 / 45 × 1280 / 640 = 4.444… µm/px; raster rows 960 × 640/1280 = 480, data
/// bar `PixelRect(x: 0, y: 480, width: 640, height: 32)`.
public enum JEOLSidecar {
    /// `KEY value` pairs (first occurrence wins).
    static func fields(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for raw in VendorText.lines(text) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("$") else { continue }
            let key: Substring, value: Substring
            if let sp = line.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                key = line[..<sp]; value = line[sp...]
            } else {
                key = line[...]; value = ""
            }
            let k = String(key)
            if out[k] == nil { out[k] = value.trimmingCharacters(in: .whitespaces) }
        }
        return out
    }

    /// Parses a JEOL sidecar.
    ///
    /// - Parameters:
    ///   - text: Latin-1 sidecar text (LF or CRLF).
    ///   - imageWidth: stored raster width, px.
    ///   - imageHeight: stored raster height, px (data bar included).
    /// - Returns: the pixel size in µm, or no calibration with a reason.
    public static func parse(_ text: String, imageWidth: Int, imageHeight: Int) -> VendorCalibration {
        let f = fields(text)
        let markerKey = ["$$SM_MICRON_MARKER", "$CM_MICRON_MARKER"].first { f[$0] != nil }
        let barKey = ["$$SM_MICRON_BAR", "$CM_MICRON_BAR"].first { f[$0] != nil }
        var notes: [String] = []
        let (fullW, _, bar, barKnown) = stated(size: f["$CM_FULL_SIZE"], separators: [" ", "\t"], exactlyTwo: false,
                                                   imageWidth: imageWidth, imageHeight: imageHeight)
        guard let mk = markerKey, let bk = barKey else {
            var r = VendorCalibration.none(.jeol, key: "$$SM_MICRON_MARKER / $$SM_MICRON_BAR",
                                           reason: "JEOL sidecar has no $$SM_MICRON_MARKER / $$SM_MICRON_BAR")
            r.dataBar = bar; r.dataBarKnown = barKnown
            return r
        }
        let markerText = f[mk]!, barText = f[bk]!
        guard let markerUm = VendorText.length(markerText), let barPx = VendorText.positiveNumber(barText) else {
            var r = VendorCalibration.none(.jeol, key: "\(mk) / \(bk)",
                                           reason: "JEOL sidecar: expected a length such as 100um and a positive bar length in px, got \(mk) '\(markerText)', \(bk) '\(barText)'")
            r.dataBar = bar; r.dataBarKnown = barKnown
            return r
        }
        var scale = 1.0
        var raw = "\(markerText) / \(barText) px"
        if let fw = fullW, imageWidth > 0 {
            scale = Double(fw) / Double(imageWidth)
            raw += " × \(fw)/\(imageWidth)"
            if fw != imageWidth {
                notes.append("JEOL $CM_FULL_SIZE width \(fw) differs from the image width \(imageWidth) px; pixel size scaled by \(fw)/\(imageWidth)")
            }
        } else if let stated = f["$CM_FULL_SIZE"] {
            notes.append("JEOL $CM_FULL_SIZE '\(stated)' is not a plausible raster size; assumed the scale bar refers to the stored width")
        } else {
            notes.append("JEOL sidecar has no $CM_FULL_SIZE; assumed the scale bar refers to the stored width")
        }
        return VendorCalibration(source: .jeol, pixelSize: PixelSize(micrometres: markerUm / barPx * scale),
                                 key: "\(mk) / \(bk)" + (fullW != nil ? " × $CM_FULL_SIZE width / image width" : ""),
                                 rawValue: raw, dataBar: bar, dataBarKnown: barKnown, notes: notes)
    }
}

/// Parser for Hitachi `.txt` sidecars (`[SemImageFile]` INI).
///
/// pixel size (µm) = `PixelSize` (nm) × 10⁻³, rescaled by `DataSize` width ÷
/// stored image width when they differ. `DataSize=W x H` gives the acquisition
/// raster; rows below it (scaled to the stored width) are the data bar.
///
/// Example: `PixelSize=24.8`, `DataSize=1280x960`, image 1280 × 1024 →
/// 0.0248 µm/px, data bar `PixelRect(x: 0, y: 960, width: 1280, height: 64)`.
public enum HitachiSidecar {
    /// Parses a Hitachi sidecar.
    ///
    /// - Parameters:
    ///   - text: Latin-1 sidecar text.
    ///   - imageWidth: stored raster width, px.
    ///   - imageHeight: stored raster height, px (data bar included).
    /// - Returns: the pixel size in µm, or no calibration with a reason.
    public static func parse(_ text: String, imageWidth: Int, imageHeight: Int) -> VendorCalibration {
        let ini = INIDocument(text)
        guard ini.has(section: "SemImageFile") else {
            return .none(.hitachi, key: "[SemImageFile] PixelSize", reason: "Hitachi sidecar has no [SemImageFile] section")
        }
        let (fullW, _, bar, barKnown) = stated(size: ini.value("SemImageFile", "DataSize")?.lowercased(),
                                                   separators: ["x", "*", " "], exactlyTwo: true,
                                                   imageWidth: imageWidth, imageHeight: imageHeight)
        let raw = ini.value("SemImageFile", "PixelSize")
        guard let raw, let nm = VendorText.positiveNumber(raw) else {
            var r = VendorCalibration.none(.hitachi, key: "[SemImageFile] PixelSize",
                                           reason: raw == nil ? "Hitachi sidecar has no PixelSize"
                                                              : "Hitachi PixelSize: expected a positive number of nm, got '\(raw!)'")
            r.dataBar = bar; r.dataBarKnown = barKnown
            return r
        }
        var notes: [String] = []
        var scale = 1.0
        if let fw = fullW, imageWidth > 0, fw != imageWidth {
            scale = Double(fw) / Double(imageWidth)
            notes.append("Hitachi DataSize width \(fw) differs from the image width \(imageWidth) px; pixel size scaled by \(fw)/\(imageWidth)")
        }
        return VendorCalibration(source: .hitachi, pixelSize: PixelSize(micrometres: nm * 1e-3 * scale),
                                 key: "[SemImageFile] PixelSize", rawValue: "\(raw) nm",
                                 dataBar: bar, dataBarKnown: barKnown, notes: notes)
    }
}

/// The full scan size a sidecar states (`$CM_FULL_SIZE 1280 960`, `DataSize=1280x960`)
/// and the data bar it implies below the scanned rows (see `barBelowRaster`).
/// `barKnown` says the metadata settles whether there is a bar at all.
private func stated(size text: String?, separators: Set<Character>, exactlyTwo: Bool,
                    imageWidth: Int, imageHeight: Int) -> (width: Int?, height: Int?, bar: PixelRect?, barKnown: Bool) {
    guard let text else { return (nil, nil, nil, false) }
    let parts = text.split(whereSeparator: { separators.contains($0) })
    guard exactlyTwo ? parts.count == 2 : parts.count >= 2,
          let fw = VendorText.rasterSize(parts[0]), let fh = VendorText.rasterSize(parts[1]) else { return (nil, nil, nil, false) }
    return (fw, fh, barBelowRaster(fullWidth: fw, fullHeight: fh, imageWidth: imageWidth, imageHeight: imageHeight), imageWidth > 0)
}
