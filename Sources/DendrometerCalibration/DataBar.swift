// Combines the data bar stated by vendor metadata with pixel detection.

import DendrometerCore

/// Where a data-bar rectangle came from.
public enum DataBarSource: Sendable, Hashable, CustomStringConvertible {
    /// Stated by vendor metadata (FEI `ResolutionY`, JEOL `$CM_FULL_SIZE`, Hitachi `DataSize`).
    case metadata(CalibrationSource)
    /// Found from the pixels by ``DataBarDetector``.
    case detected

    /// `metadata (fei)` or `detected`.
    public var description: String {
        switch self {
        case .metadata(let s): "metadata (\(s.rawValue))"
        case .detected: "detected"
        }
    }
}

/// The SEM annotation strip to exclude from analysis.
public struct DataBar: Sendable, Hashable {
    /// The strip, px, clipped to the image.
    public var rect: PixelRect
    /// Where it came from.
    public var source: DataBarSource

    /// Creates a data bar.
    public init(rect: PixelRect, source: DataBarSource) {
        self.rect = rect; self.source = source
    }
}

/// Locates the data bar: the one stated by metadata when there is one;
/// nothing when FEI or Hitachi metadata states the scanned raster fills the
/// image (their `ResolutionY` / `DataSize` is the scan itself, and the bar is
/// only ever appended below it); otherwise the one ``DataBarDetector`` finds in
/// the pixels (Zeiss, ImageJ, unknown, and JEOL whose `$CM_FULL_SIZE` covers
/// the image: that is the display frame, into which JEOL software may burn the
/// bar).
///
/// - Parameters:
///   - calibration: the result of ``calibrate(_:options:)`` for this image.
///   - image: the decoded image, shape (rows, cols) = (`height`, `width`).
///   - parameters: detector thresholds.
/// - Returns: the data bar (px) with its source, or nil.
///
/// Example: FEI Helios 512 × 471 with `ResolutionY=442` →
/// `DataBar(rect: PixelRect(x: 0, y: 442, width: 512, height: 29), source: .metadata(.fei))`,
/// even though the (zeroed) image area makes pixel detection impossible.
public func locateDataBar<P: PixelSample>(_ calibration: CalibrationResult, image: Image<P>,
                                          parameters: DataBarDetector.Parameters = DataBarDetector.Parameters()) -> DataBar? {
    if calibration.dataBarKnownFromMetadata {
        if let r = calibration.metadataDataBar?.clipped(toWidth: image.width, height: image.height), !r.isEmpty {
            return DataBar(rect: r, source: .metadata(calibration.dataBarSource ?? .none))
        }
        if calibration.dataBarSource != .jeol { return nil }
    }
    return DataBarDetector.detect(in: image, parameters: parameters).map { DataBar(rect: $0, source: .detected) }
}

/// Convenience: calibrates `metadata` with default options and locates the data bar.
public func locateDataBar<P: PixelSample>(metadata: SourceMetadata, image: Image<P>) -> DataBar? {
    locateDataBar(calibrate(metadata), image: image)
}
