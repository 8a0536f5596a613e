// Top-level calibration: runs every vendor parser on a file's metadata and
// picks one pixel size by a fixed precedence, with the user's value on top.
// Rules and traps: data/real/PROVENANCE.md, "How pixel sizes were obtained".

import DendrometerCore
import Foundation

/// What the caller allows ``calibrate(_:options:)`` to use.
public struct CalibrationOptions: Sendable, Equatable {
    /// A pixel size given by the user (`--pixel-size`); overrides all metadata.
    public var userPixelSize: PixelSize?
    /// Accept plain TIFF `XResolution` in inch or cm units as a calibration
    /// (source `tiff-resolution`). Off by default: in SEM files it is a screen
    /// DPI, not a physical scale.
    public var trustTIFFResolution: Bool

    /// Creates options; the defaults use vendor metadata only.
    public init(userPixelSize: PixelSize? = nil, trustTIFFResolution: Bool = false) {
        self.userPixelSize = userPixelSize
        self.trustTIFFResolution = trustTIFFResolution
    }
}

/// The outcome of ``calibrate(_:options:)``.
public struct CalibrationResult: Sendable, Equatable {
    /// The chosen pixel size (µm) and its source; `.none` when uncalibrated.
    public var calibration: Calibration
    /// The data bar stated by vendor metadata (FEI `[Image] ResolutionY`, JEOL
    /// `$CM_FULL_SIZE`, Hitachi `DataSize`), px; nil when not stated.
    public var metadataDataBar: PixelRect?
    /// The vendor block that stated the data bar (or stated there is none).
    public var dataBarSource: CalibrationSource?
    /// Whether metadata states the scanned raster height, so that a nil
    /// `metadataDataBar` means "no data bar" and pixel detection is skipped.
    public var dataBarKnownFromMetadata: Bool
    /// Every vendor block that was found, in precedence order (for `inspect`).
    public var candidates: [VendorCalibration]
    /// Messages for the user: fallbacks, disagreements, ignored tags, and
    /// "no calibration metadata found; µm values will be null — pass --pixel-size".
    public var warnings: [String]

    /// Creates a result.
    public init(calibration: Calibration, metadataDataBar: PixelRect? = nil, dataBarSource: CalibrationSource? = nil,
                dataBarKnownFromMetadata: Bool = false, candidates: [VendorCalibration] = [], warnings: [String] = []) {
        self.calibration = calibration; self.metadataDataBar = metadataDataBar; self.dataBarSource = dataBarSource
        self.dataBarKnownFromMetadata = dataBarKnownFromMetadata; self.candidates = candidates; self.warnings = warnings
    }
}

/// Runs every vendor parser over `metadata` and returns one calibration.
///
/// Precedence (first block that yields a positive pixel size wins):
/// 1. user value (`options.userPixelSize`, source `user`); a vendor value that
///    differs from it by more than 1 % is mentioned in a warning;
/// 2. FEI / Thermo INI (tags 34682, 34680, 34683);
/// 3. Zeiss `CZ_SEM` (tag 34118);
/// 4. TESCAN (tag 50431, then `.hdr` sidecar);
/// 5. JEOL or Hitachi `.txt` sidecar (told apart by content);
/// 6. ImageJ `ImageDescription` `unit=` + `XResolution`;
/// 7. plain TIFF resolution, only with `options.trustTIFFResolution`.
///
/// Instrument blocks rank above sidecars (which can be stale or belong to
/// another export) and above ImageJ (a re-save that may have been rescaled).
/// A block that exists but holds no usable value (e.g. FEI `HV=notafloat`
/// and no `PixelWidth`) falls through to the next with a warning. Two blocks
/// that disagree by more than 1 % produce a warning. The data bar comes from
/// the highest-precedence block that states the raster height.
///
/// - Parameters:
///   - metadata: what the reader found (tags, resolution, sidecars, size in px).
///   - options: user override and TIFF-resolution opt-in.
/// - Returns: the calibration (µm per px) with source and detail, the
///   metadata data bar (px) and warnings. Never throws.
///
/// Example: metadata with tag 34682 `[Scan] PixelWidth=3.3724e-006`,
/// `[Image] ResolutionY=442`, size 512 × 471 → `3.3724 µm/px`, source `fei`,
/// data bar `PixelRect(x: 0, y: 442, width: 512, height: 29)`.
public func calibrate(_ metadata: SourceMetadata, options: CalibrationOptions = CalibrationOptions()) -> CalibrationResult {
    var candidates: [VendorCalibration] = []
    var warnings: [String] = []

    if let r = FEIMetadata.parse(metadata) { candidates.append(r) }
    if let r = ZeissMetadata.parse(metadata) { candidates.append(r) }
    if let r = TESCANMetadata.parse(metadata) { candidates.append(r) }
    if let txt = metadata.sidecars["txt"] {
        switch SidecarKind.of(txt) {
        case .jeol: candidates.append(JEOLSidecar.parse(txt, imageWidth: metadata.width, imageHeight: metadata.height))
        case .hitachi: candidates.append(HitachiSidecar.parse(txt, imageWidth: metadata.width, imageHeight: metadata.height))
        case .unknown: warnings.append("sidecar .txt is neither JEOL ($CM_/$$SM_ lines) nor Hitachi ([SemImageFile]); ignored")
        }
    }
    if let r = ImageJDescription.parse(metadata) { candidates.append(r) }

    let tiffRes = TIFFResolutionCalibration.parse(metadata.resolution).plausible()
    if options.trustTIFFResolution { candidates.append(tiffRes) }
    // Numbers read from files are untrusted: a pixel size no microscope produces is dropped here,
    // the one place every vendor value passes, with the key and value in the warning.
    candidates = candidates.map { $0.plausible() }

    // Data bar: highest-precedence block that states the raster height.
    let barBlock = candidates.first { $0.dataBarKnown }
    let bar = barBlock?.dataBar

    for c in candidates {
        warnings.append(contentsOf: c.notes)
    }

    let calibrated = candidates.filter { $0.pixelSize != nil }
    let vendorChoice = calibrated.first
    for c in candidates where c.pixelSize == nil {
        warnings.append("\(c.source.rawValue): no calibration (\(c.detail))")
    }
    if let chosen = vendorChoice {
        for other in calibrated.dropFirst() {
            let a = chosen.pixelSize!.micrometres, b = other.pixelSize!.micrometres
            if abs(a - b) / a > 0.01 {
                warnings.append("\(other.source.rawValue) metadata gives \(VendorText.format(b)) µm/px (\(other.detail)) but \(chosen.source.rawValue) gives \(VendorText.format(a)) µm/px; using \(chosen.source.rawValue)")
            }
        }
    }

    let calibration: Calibration
    if let user = options.userPixelSize {
        calibration = Calibration(pixelSize: user, source: .user, detail: "--pixel-size \(VendorText.format(user.micrometres))um")
        if let v = vendorChoice, let p = v.pixelSize, abs(p.micrometres - user.micrometres) / user.micrometres > 0.01 {
            warnings.append("user pixel size \(VendorText.format(user.micrometres)) µm overrides \(v.source.rawValue) metadata \(VendorText.format(p.micrometres)) µm (\(v.detail)), which differs by \(String(format: "%.1f", 100 * abs(p.micrometres - user.micrometres) / user.micrometres)) %")
        }
    } else if let v = vendorChoice, let p = v.pixelSize {
        // Unit conversions (m → µm) leave binary noise (5e-08 m → 0.049999999999999996 µm);
        // vendor values carry at most ~7 significant digits, so 12 lose nothing.
        calibration = Calibration(pixelSize: p.roundedToSignificantDigits(12), source: v.source, detail: v.detail)
    } else {
        var reason = "no calibration metadata found"
        if let c = candidates.first { reason = c.detail }
        calibration = .uncalibrated(reason)
        warnings.append("no calibration metadata found; µm values will be null — pass --pixel-size")
        if !options.trustTIFFResolution, let r = metadata.resolution, tiffRes.pixelSize != nil {
            warnings.append("TIFF XResolution \(VendorText.format(r.x)) px per \(r.unit == 2 ? "inch" : "cm") ignored: it is not a physical calibration in SEM files")
        }
    }

    return CalibrationResult(calibration: calibration, metadataDataBar: bar, dataBarSource: barBlock?.source,
                             dataBarKnownFromMetadata: barBlock != nil, candidates: candidates, warnings: warnings)
}
