import Foundation

/// The physical size of one pixel, in micrometres (µm). Pixels are square
/// unless `heightMicrometres` differs; lengths along rows use `widthMicrometres`.
public struct PixelSize: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Width of one pixel (along x), µm.
    public var widthMicrometres: Double
    /// Height of one pixel (along y), µm.
    public var heightMicrometres: Double

    /// A square pixel of `micrometres` µm. Must be finite and positive.
    public init(micrometres: Double) {
        self.init(widthMicrometres: micrometres, heightMicrometres: micrometres)
    }

    /// A possibly rectangular pixel, both sides in µm.
    public init(widthMicrometres: Double, heightMicrometres: Double) {
        self.widthMicrometres = widthMicrometres
        self.heightMicrometres = heightMicrometres
    }

    /// The pixel size reported as a single number: the width, µm.
    public var micrometres: Double { widthMicrometres }

    /// The same size with both sides rounded to `digits` significant digits.
    public func roundedToSignificantDigits(_ digits: Int) -> PixelSize {
        func round(_ v: Double) -> Double {
            guard v.isFinite, v != 0 else { return v }
            let scale = pow(10, Double(digits) - (log10(abs(v))).rounded(.up))
            return (v * scale).rounded() / scale
        }
        return PixelSize(widthMicrometres: round(widthMicrometres), heightMicrometres: round(heightMicrometres))
    }

    /// Area of one pixel, µm².
    public var areaSquareMicrometres: Double { widthMicrometres * heightMicrometres }

    /// Whether both sides are finite and strictly positive.
    public var isPhysical: Bool {
        widthMicrometres.isFinite && heightMicrometres.isFinite && widthMicrometres > 0 && heightMicrometres > 0
    }

    /// Pixel sizes any microscope image can have, µm: 10 pm (beyond atomic-resolution TEM) to
    /// 10 mm (a photograph of the whole cell at 1 px per 10 mm would show nothing). A value read
    /// from a file or typed outside this range is a corrupt or mis-typed number, not a calibration.
    public static let plausibleMicrometres: ClosedRange<Double> = 1e-5 ... 1e4

    /// Whether both sides lie in ``plausibleMicrometres`` (to within rounding: 10 pm typed as
    /// `10pm` is 9.999999999999999e-06 µm after the unit conversion).
    public var isPlausible: Bool {
        let lo = Self.plausibleMicrometres.lowerBound * (1 - 1e-9), hi = Self.plausibleMicrometres.upperBound * (1 + 1e-9)
        return (lo ... hi).contains(widthMicrometres) && (lo ... hi).contains(heightMicrometres)
    }

    /// A user-supplied pixel size (``init(parsing:)``) that is also plausible.
    ///
    /// - Throws: ``UnitError`` as ``init(parsing:)``, or ``UnitError/implausiblePixelSize(_:micrometres:)``.
    public static func parsingPixelSize(_ text: String) throws(UnitError) -> PixelSize {
        let p = try PixelSize(parsing: text)
        guard p.isPlausible else { throw .implausiblePixelSize(text, micrometres: p.micrometres) }
        return p
    }

    public var description: String {
        widthMicrometres == heightMicrometres
            ? "\(PixelSize.format(widthMicrometres)) µm/px"
            : "\(PixelSize.format(widthMicrometres)) × \(PixelSize.format(heightMicrometres)) µm/px"
    }

    /// A length printed with six significant digits, as used in reports and messages.
    public static func format(_ v: Double) -> String {
        String(format: "%.6g", v)
    }
}

extension PixelSize {
    /// Parses a user-supplied pixel size with its unit: `0.25um`, `0.25 µm`,
    /// `250nm`, `2.5e-7m`, `0.00025mm`. A bare number is refused: a pixel size
    /// without a unit is a trap.
    ///
    /// - Throws: ``UnitError`` when the text is not a positive number followed by
    ///   one of `m`, `mm`, `um`, `µm`, `micron`, `nm`, `pm`.
    public init(parsing text: String) throws(UnitError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var numberEnd = trimmed.startIndex
        for i in trimmed.indices {
            let c = trimmed[i]
            if c.isNumber || c == "." || c == "+" || c == "-" || c == "e" || c == "E" {
                // An 'e' followed by a letter starts a unit, not an exponent.
                if (c == "e" || c == "E") {
                    let next = trimmed.index(after: i)
                    if next == trimmed.endIndex || !(trimmed[next].isNumber || trimmed[next] == "-" || trimmed[next] == "+") { break }
                }
                numberEnd = trimmed.index(after: i)
            } else {
                break
            }
        }
        let numberText = String(trimmed[..<numberEnd])
        let unitText = trimmed[numberEnd...].trimmingCharacters(in: .whitespaces).lowercased()
        guard let value = Double(numberText), value.isFinite, value > 0 else {
            throw .notAPositiveLength(text)
        }
        let factor: Double
        switch unitText {
        case "m": factor = 1e6
        case "mm": factor = 1e3
        case "um", "µm", "μm", "micron", "microns", "micrometer", "micrometre": factor = 1
        case "nm": factor = 1e-3
        case "pm": factor = 1e-6
        case "": throw .missingUnit(text)
        default: throw .unknownUnit(text, unit: unitText)
        }
        self.init(micrometres: value * factor)
    }
}

/// A length or pixel size the user typed could not be understood.
public enum UnitError: Error, Equatable, CustomStringConvertible {
    /// The number part is missing, not finite or not positive.
    case notAPositiveLength(String)
    /// A number without a unit (ambiguous).
    case missingUnit(String)
    /// A unit Dendrometer does not know.
    case unknownUnit(String, unit: String)
    /// A pixel size outside ``PixelSize/plausibleMicrometres``.
    case implausiblePixelSize(String, micrometres: Double)

    public var description: String {
        switch self {
        case .notAPositiveLength(let t): "expected a positive length such as 0.25um or 250nm, got '\(t)'"
        case .missingUnit(let t): "'\(t)' has no unit; write e.g. \(t)um or \(t)nm"
        case .unknownUnit(let t, let u): "unknown unit '\(u)' in '\(t)'; expected m, mm, um (µm), nm or pm"
        case .implausiblePixelSize(let t, let um):
            "'\(t)' is \(PixelSize.format(um)) µm per pixel, outside the plausible 10 pm – 10 mm (1e-5 – 1e4 µm); check the number and its unit"
        }
    }
}
