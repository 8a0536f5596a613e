import DendrometerCalibration
import DendrometerCore
import DendrometerIO

/// How to open a micrograph: which page, the pixel cap, and calibration overrides.
public struct MicrographOptions: Sendable, Equatable {
    /// Reader options (page, pixel cap, sidecars).
    public var read: ReadOptions
    /// Calibration options (user pixel size, whether to trust TIFF DPI).
    public var calibration: CalibrationOptions
    /// Whether to look for a data bar in the pixels when metadata is silent.
    public var detectDataBar: Bool

    /// Default options: first page, 2-gigapixel cap, metadata calibration, data-bar detection on.
    public init(read: ReadOptions = ReadOptions(), calibration: CalibrationOptions = CalibrationOptions(),
                detectDataBar: Bool = true) {
        self.read = read
        self.calibration = calibration
        self.detectDataBar = detectDataBar
    }
}

/// A loaded, calibrated SEM image: the first two stages of the pipeline
/// (load → calibrate), with the data bar located so later stages can ignore it.
public struct Micrograph: Sendable {
    /// The pixels (one gray channel), full raster including any data bar.
    public var image: AnyImage
    /// What the file said about itself.
    public var metadata: SourceMetadata
    /// Pixel size and its source; `pixelSize == nil` means µm values are unavailable.
    public var calibration: Calibration
    /// The SEM data bar (from metadata or detected), excluded from analysis.
    public var dataBar: DataBar?
    /// Problems worth telling the user (uncalibrated, ignored DPI, reader warnings...).
    public var warnings: [String]

    /// A micrograph from pixels already in memory (e.g. produced by other
    /// software), with its calibration stated by the caller.
    public init(image: AnyImage, metadata: SourceMetadata, calibration: Calibration,
                dataBar: DataBar? = nil, warnings: [String] = []) {
        self.image = image
        self.metadata = metadata
        self.calibration = calibration
        self.dataBar = dataBar
        self.warnings = warnings
    }

    /// Loads and calibrates the image at `path`.
    ///
    /// - Throws: ``ImageIOError`` naming the file when it cannot be read.
    public static func open(_ path: String, options: MicrographOptions = MicrographOptions()) throws(ImageIOError) -> Micrograph {
        let loaded = try ImageFile.read(path, options: options.read)
        let result = calibrate(loaded.metadata, options: options.calibration)
        var bar: DataBar?
        if options.detectDataBar {
            switch loaded.image {
            case .uint8(let i): bar = locateDataBar(result, image: i)
            case .uint16(let i): bar = locateDataBar(result, image: i)
            case .float32(let i): bar = locateDataBar(result, image: i)
            }
        } else if let rect = result.metadataDataBar {
            bar = DataBar(rect: rect, source: .metadata(result.dataBarSource ?? .none))
        }
        return Micrograph(image: loaded.image, metadata: loaded.metadata, calibration: result.calibration,
                          dataBar: bar, warnings: loaded.metadata.warnings + result.warnings)
    }

    /// The part of the raster above (or beside) the data bar: the scanned field.
    public var scannedField: PixelRect {
        let full = PixelRect(x: 0, y: 0, width: image.width, height: image.height)
        guard let bar = dataBar?.rect, !bar.isEmpty else { return full }
        if bar.width >= image.width {
            if bar.y + bar.height >= image.height { return PixelRect(x: 0, y: 0, width: image.width, height: bar.y) }
            if bar.y == 0 { return PixelRect(x: 0, y: bar.height, width: image.width, height: image.height - bar.height) }
        }
        return full
    }
}
