/// What a reader found in a file besides the pixels: the raw material that
/// calibration and data-bar detection interpret. Readers fill it; they do not
/// interpret vendor metadata themselves.
public struct SourceMetadata: Sendable, Equatable {
    /// The container format recognised from the file's content.
    public enum Format: String, Sendable, Codable {
        case tiff, bigtiff, png, bmp
    }

    /// The container format.
    public var format: Format
    /// Path of the file as given by the user.
    public var path: String
    /// Full raster width, px (data bar included).
    public var width: Int
    /// Full raster height, px (data bar included).
    public var height: Int
    /// Number of pages (TIFF directories) in the file; 1 for PNG and BMP.
    public var pageCount: Int
    /// Index (0-based) of the page that was read.
    public var pageIndex: Int
    /// Sample format as stored in the file, numpy-style (`uint8`, `int16`, `float64`, `bool`...).
    public var storedSampleFormat: String
    /// Bits per stored sample.
    public var storedBitsPerSample: Int
    /// Samples per pixel as stored (1 gray, 3 RGB, 4 RGBA...).
    public var samplesPerPixel: Int
    /// Compression scheme name (`none`, `lzw`, `deflate`, `packbits`, `jpeg`, ...).
    public var compression: String
    /// Photometric interpretation (`minisblack`, `rgb`, `palette`, ...).
    public var photometric: String
    /// Whether the TIFF is tiled (false for strips and non-TIFF files).
    public var isTiled: Bool
    /// Text-valued metadata by TIFF tag number (270 ImageDescription,
    /// 34680/34682/34683 FEI, 34118 Zeiss CZ_SEM, 50431 TESCAN ...), decoded as
    /// Latin-1 with trailing NULs removed. Binary tags are kept byte for byte
    /// in `binaryTags` as well.
    public var textTags: [Int: String]
    /// Raw bytes of the metadata tags listed above.
    public var binaryTags: [Int: [UInt8]]
    /// TIFF `XResolution`, `YResolution` and `ResolutionUnit` (1 none, 2 inch,
    /// 3 cm) when present. Not a calibration on its own.
    public var resolution: TIFFResolution?
    /// Sidecar text files found next to the image, keyed by their extension
    /// (`txt`, `hdr`), decoded as Latin-1.
    public var sidecars: [String: String]
    /// Non-fatal problems the reader noticed (libtiff warnings, ignored alpha...).
    public var warnings: [String]

    /// Creates metadata for a file; only the format, path and size are required.
    public init(format: Format, path: String, width: Int, height: Int,
                pageCount: Int = 1, pageIndex: Int = 0,
                storedSampleFormat: String = "uint8", storedBitsPerSample: Int = 8,
                samplesPerPixel: Int = 1, compression: String = "none",
                photometric: String = "minisblack", isTiled: Bool = false,
                textTags: [Int: String] = [:], binaryTags: [Int: [UInt8]] = [:],
                resolution: TIFFResolution? = nil, sidecars: [String: String] = [:],
                warnings: [String] = []) {
        self.format = format; self.path = path; self.width = width; self.height = height
        self.pageCount = pageCount; self.pageIndex = pageIndex
        self.storedSampleFormat = storedSampleFormat; self.storedBitsPerSample = storedBitsPerSample
        self.samplesPerPixel = samplesPerPixel; self.compression = compression
        self.photometric = photometric; self.isTiled = isTiled
        self.textTags = textTags; self.binaryTags = binaryTags
        self.resolution = resolution; self.sidecars = sidecars; self.warnings = warnings
    }
}

/// TIFF resolution tags as stored: pixels per `unit` along x and y.
public struct TIFFResolution: Sendable, Equatable, Codable {
    /// `XResolution`, pixels per unit.
    public var x: Double
    /// `YResolution`, pixels per unit.
    public var y: Double
    /// `ResolutionUnit`: 1 none, 2 inch, 3 centimetre.
    public var unit: Int

    /// Creates a resolution record.
    public init(x: Double, y: Double, unit: Int) {
        self.x = x; self.y = y; self.unit = unit
    }
}

/// Well-known TIFF tag numbers that carry SEM metadata.
public enum MetadataTag {
    /// ImageDescription (ImageJ writes its calibration here).
    public static let imageDescription = 270
    /// FEI SFEG INI text.
    public static let feiSFEG = 34680
    /// FEI Helios INI text.
    public static let feiHelios = 34682
    /// FEI Titan INI text.
    public static let feiTitan = 34683
    /// Zeiss SmartSEM CZ_SEM record.
    public static let zeissCZSEM = 34118
    /// TESCAN INI-like metadata.
    public static let tescan = 50431
    /// All metadata tags a reader should capture.
    public static let all = [imageDescription, feiSFEG, feiHelios, feiTitan, zeissCZSEM, tescan]
    /// Largest metadata tag a reader keeps, bytes. Vendor headers are a few to a few tens of KB;
    /// a larger tag is not a calibration record (or is hostile: 48 MB of line breaks cost
    /// 4 GB and a minute to split into lines), so it is skipped with a warning, as sidecar
    /// files over their own 1 MB limit are.
    public static let maximumBytes = 1 << 20
}
