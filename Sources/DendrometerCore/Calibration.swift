/// Where a pixel size came from. Raw values are the strings used in reports
/// (`calibration.source` in the JSON of docs/REFERENCE.md §3).
public enum CalibrationSource: String, Sendable, Codable, CaseIterable {
    /// FEI / Thermo Fisher INI metadata (TIFF tags 34680, 34682, 34683).
    case fei
    /// Zeiss SmartSEM `CZ_SEM` tag 34118.
    case zeiss
    /// JEOL `.txt` sidecar (scale-bar marker / bar length).
    case jeol
    /// Hitachi `.txt` sidecar (`PixelSize=` in nm).
    case hitachi
    /// TESCAN tag 50431 or `.hdr` sidecar (`[MAIN] PixelSizeX` in m).
    case tescan
    /// ImageJ `ImageDescription` (`unit=`) plus `XResolution`.
    case imagej
    /// Plain TIFF `XResolution`/`ResolutionUnit`: only when the user explicitly trusts it.
    case tiffResolution = "tiff-resolution"
    /// Given by the user (`--pixel-size`).
    case user
    /// No calibration: µm values are unavailable.
    case none
}

/// The physical scale of an image together with its provenance.
public struct Calibration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The pixel size, or `nil` when the image is uncalibrated.
    public var pixelSize: PixelSize?
    /// Where the pixel size came from (``CalibrationSource/none`` when `pixelSize` is nil).
    public var source: CalibrationSource
    /// Human-readable provenance, e.g. `"[Scan] PixelWidth = 3.3724e-06 m in tag 34682"`.
    public var detail: String

    /// A calibration with a known pixel size.
    public init(pixelSize: PixelSize, source: CalibrationSource, detail: String) {
        self.pixelSize = pixelSize
        self.source = source
        self.detail = detail
    }

    /// No calibration, with the reason (shown to the user as a warning).
    public static func uncalibrated(_ reason: String) -> Calibration {
        Calibration(pixelSize: nil, source: .none, detail: reason)
    }

    private init(pixelSize: PixelSize?, source: CalibrationSource, detail: String) {
        self.pixelSize = pixelSize
        self.source = source
        self.detail = detail
    }

    /// Whether µm values can be reported.
    public var isCalibrated: Bool { pixelSize != nil }

    /// Converts a length in px to µm, or `nil` when uncalibrated.
    public func micrometres(fromPixels px: Double) -> Double? {
        pixelSize.map { px * $0.micrometres }
    }

    /// Converts an area in px² to µm², or `nil` when uncalibrated.
    public func squareMicrometres(fromPixels px2: Double) -> Double? {
        pixelSize.map { px2 * $0.areaSquareMicrometres }
    }

    public var description: String {
        if let p = pixelSize { return "\(p) (\(source.rawValue): \(detail))" }
        return "uncalibrated (\(detail))"
    }
}
