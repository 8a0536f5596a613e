// Shared text helpers for the vendor metadata parsers: line splitting that
// accepts CR, LF and CRLF, a forgiving INI reader, and number/length parsing
// that refuses NaN, infinities, zero and negative values.
//
// Nothing here throws: vendor metadata is untrusted text and a parser must
// turn junk into "no calibration, because …", never into a crash.

import DendrometerCore
import Foundation

/// The outcome of one vendor parser: a pixel size (µm) with the key it came
/// from, or the reason there is none, plus any data-bar rectangle the vendor
/// states.
///
/// ```swift
/// let r = FEIMetadata.parse("[Scan]\nPixelWidth=2.5e-9\n", imageWidth: 4, imageHeight: 4)
/// r.pixelSize?.micrometres   // 0.0025
/// r.key                      // "[Scan] PixelWidth"
/// ```
public struct VendorCalibration: Sendable, Equatable {
    /// Which vendor block this came from.
    public var source: CalibrationSource
    /// Pixel size in µm, or `nil` when the block holds no usable calibration.
    public var pixelSize: PixelSize?
    /// The metadata key the value came from (e.g. `[Scan] PixelWidth`,
    /// `AP_IMAGE_PIXEL_SIZE`), or the key that was looked for.
    public var key: String
    /// The raw value text as stored (e.g. `3.3724e-006`, `2.615 µm`), when found.
    public var rawValue: String?
    /// Why there is no calibration (when `pixelSize` is nil).
    public var reason: String?
    /// The data bar stated by the metadata (rows below the scanned raster), px,
    /// in the coordinates of the image as stored.
    public var dataBar: PixelRect?
    /// Whether the metadata states the scanned raster height, so that the
    /// absence of `dataBar` means "no data bar" rather than "unknown".
    public var dataBarKnown: Bool
    /// Non-fatal remarks (fallback keys used, rescaling applied, inconsistencies).
    public var notes: [String]

    /// Creates a parser outcome.
    public init(source: CalibrationSource, pixelSize: PixelSize?, key: String, rawValue: String? = nil,
                reason: String? = nil, dataBar: PixelRect? = nil, dataBarKnown: Bool = false,
                notes: [String] = []) {
        self.source = source; self.pixelSize = pixelSize; self.key = key; self.rawValue = rawValue
        self.reason = reason; self.dataBar = dataBar; self.dataBarKnown = dataBarKnown; self.notes = notes
    }

    /// This outcome with its pixel size dropped when it is not plausible (not finite, or outside
    /// ``PixelSize/plausibleMicrometres``): the number is corrupt, not a calibration.
    func plausible() -> VendorCalibration {
        guard let p = pixelSize, !p.isPlausible else { return self }
        var out = self
        out.pixelSize = nil
        out.reason = "\(key)\(rawValue.map { " = \($0)" } ?? "") gives \(PixelSize.format(p.micrometres)) µm per pixel, outside the plausible 10 pm – 10 mm; ignored"
        return out
    }

    /// A block that yields no calibration, with the reason.
    static func none(_ source: CalibrationSource, key: String, reason: String,
                     rawValue: String? = nil) -> VendorCalibration {
        VendorCalibration(source: source, pixelSize: nil, key: key, rawValue: rawValue, reason: reason)
    }

    /// Human-readable provenance: `key = raw value`, or the reason.
    public var detail: String {
        if pixelSize != nil {
            var d = key
            if let raw = rawValue { d += " = \(raw)" }
            return d
        }
        return reason ?? "no calibration in \(key)"
    }
}

/// Text utilities shared by the vendor parsers.
enum VendorText {
    /// Splits text into lines on CR, LF, CRLF or NUL (trailing NULs of TIFF
    /// ASCII tags, binary preambles before TESCAN INI text).
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false,
                   whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" || $0 == "\0" })
    }

    /// Parses a finite floating-point number (`3.3724e-006`, ` 42 `, `+1.5`).
    /// Refuses `nan`, `inf`, hexadecimal floats and anything with extra text.
    static func number(_ text: some StringProtocol) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count < 64,
              t.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }),
              let v = Double(t), v.isFinite else { return nil }
        return v
    }

    /// Parses a strictly positive finite number, or nil.
    static func positiveNumber(_ text: some StringProtocol) -> Double? {
        guard let v = number(text), v > 0 else { return nil }
        return v
    }

    /// Largest raster side a vendor file may state, px (2²⁰: 16 times the widest SEM scan, 65 536 px;
    /// beyond it the number is corrupt, and as an `Int` it could not be used anyway).
    static let maximumRasterSide = 1 << 20

    /// A raster size in px (`ResolutionX`, `$CM_FULL_SIZE`, `DataSize`): a finite number that
    /// rounds to 1 … ``maximumRasterSide``; nil otherwise (never traps on 1e300 or NaN).
    static func rasterSize(_ text: some StringProtocol) -> Int? {
        guard let v = positiveNumber(text), v.isFinite else { return nil }
        let r = v.rounded()
        guard r >= 1, r <= Double(maximumRasterSide) else { return nil }
        return Int(saturating: r)
    }

    /// Micrometres per unit for the length units found in vendor metadata:
    /// `m`, `mm`, `um`, `µm` (Latin-1 micro sign, Greek mu, or the UTF-8 bytes
    /// of µ decoded as Latin-1 `Âµ`), `micron`, `nm`, `pm`, `fm`, `cm`.
    static func micrometresPerUnit(_ unit: some StringProtocol) -> Double? {
        var u = unit.trimmingCharacters(in: .whitespaces).lowercased()
        u = u.replacingOccurrences(of: "\u{00C2}\u{00B5}", with: "µ") // UTF-8 µ read as Latin-1
            .replacingOccurrences(of: "\u{00E2}\u{00B5}", with: "µ")
            .replacingOccurrences(of: "\u{03BC}", with: "µ")            // Greek small mu
        switch u {
        case "m": return 1e6
        case "cm": return 1e4
        case "mm": return 1e3
        case "um", "µm", "micron", "microns", "micrometer", "micrometre", "micrometers", "micrometres": return 1
        case "nm": return 1e-3
        case "pm": return 1e-6
        case "fm": return 1e-9
        default: return nil
        }
    }

    /// Parses `number unit` (`2.615 µm`, `12.33 nm`, `100um`, `2.677 mm`) to µm.
    /// Returns nil for non-finite, zero or negative values and unknown units.
    static func length(_ text: some StringProtocol) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        var end = t.startIndex
        var i = t.startIndex
        while i < t.endIndex {
            let c = t[i]
            if c.isASCII && (c.isNumber || c == "." || c == "+" || c == "-") {
                end = t.index(after: i)
            } else if c == "e" || c == "E" {
                // An exponent only when a digit (optionally signed) follows.
                let n = t.index(after: i)
                guard n < t.endIndex else { break }
                var d = n
                if t[d] == "+" || t[d] == "-" { d = t.index(after: d) }
                guard d < t.endIndex, t[d].isASCII, t[d].isNumber else { break }
                end = t.index(after: i)
            } else {
                break
            }
            i = t.index(after: i)
        }
        guard let value = positiveNumber(t[..<end]),
              let factor = micrometresPerUnit(t[end...]) else { return nil }
        let um = value * factor
        return um.isFinite && um > 0 ? um : nil
    }
}

/// A forgiving INI reader: `[Section]` headers, `key=value` lines; keys and
/// sections compare case-insensitively; lines without `=` (binary junk,
/// comments) are skipped; the first occurrence of a key in a section wins.
struct INIDocument {
    /// Lower-cased section → lower-cased key → (original key, raw value).
    private(set) var sections: [String: [String: (key: String, value: String)]] = [:]
    /// Section names in lower case, in order of appearance.
    private(set) var sectionOrder: [String] = []

    init(_ text: String) {
        var current = ""
        for raw in VendorText.lines(text) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
                current = String(line[line.index(after: line.startIndex)..<close])
                    .trimmingCharacters(in: .whitespaces).lowercased()
                if sections[current] == nil { sections[current] = [:]; sectionOrder.append(current) }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { continue }
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if sections[current] == nil { sections[current] = [:]; sectionOrder.append(current) }
            if sections[current]![key.lowercased()] == nil {
                sections[current]![key.lowercased()] = (key, value)
            }
        }
    }

    /// Whether the section exists (case-insensitive).
    func has(section: String) -> Bool { sections[section.lowercased()] != nil }

    /// The raw value of `key` in `section`, trimmed, or nil.
    func value(_ section: String, _ key: String) -> String? {
        sections[section.lowercased()]?[key.lowercased()]?.value
    }
}

extension VendorText {
    /// Formats a number with 6 significant digits for messages (`0.0116504`).
    static func format(_ v: Double) -> String { PixelSize.format(v) }

    /// Decodes bytes as Latin-1 (each byte is one code point U+0000…U+00FF).
    static func latin1(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
    }
}
