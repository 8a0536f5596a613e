// Scene description for the synthetic BSE/EDX cross-section generator.
//
// A scene is fully determined by its `SceneSpec` (the seed included): the same
// spec renders bit-identical pixels, maps and ground truth on every run (all
// randomness is SplitMix64; row-parallel work draws from per-row streams).
// Across platforms, libm's sin/exp/pow may differ in the last ulp, which can
// move an occasional edge pixel; the truth is always computed from the pixels
// actually rendered, so it stays exact.
//
// Coordinates: x = column, y = row, origin top-left, pixel centres on integer
// coordinates (DendrometerCore conventions). `width × height` is the SCANNED
// FIELD; a data bar, when present, adds rows below it in the file.

import DendrometerCore

// The anode side is DendrometerGeometry's `AnodeSide` (bottom is the canonical frame;
// top = turned 180°, left = 90° clockwise, right = 90° counter-clockwise).
@_exported import enum DendrometerGeometry.AnodeSide

/// What the dendrite phase looks like in BSE.
public enum PhasePolarity: String, Sendable, Codable, CaseIterable {
    /// Li-In alloy: bright (high mean atomic number); the anode layer is Li-In too.
    case bright
    /// Li metal: dark; the anode layer is Li metal too.
    case dark
}

/// Which dendrite morphologies the scene contains, and where.
public enum MorphologyLayout: String, Sendable, Codable, CaseIterable {
    /// Li-In, as in the paper's Fig. 3: a network band next to the anode
    /// (height 0…D/3), a stripe band in the middle (D/3…2D/3) and flame tongues
    /// at the growth front (2D/3…D).
    case fig3
    /// Only stripes (thin lateral bands) over the whole zone 0…D.
    case stripe
    /// Only a connected mesh over the whole zone 0…D.
    case network
    /// Only flame tongues rising from the interface up to D.
    case flame
    /// Thin vertical, branching whiskers (typical of Li) up to D.
    case vertical
    /// No dendrites at all.
    case none
}

/// The metadata convention the written file follows (which vendor "acquired" it).
public enum VendorConvention: String, Sendable, Codable, CaseIterable {
    /// FEI / Thermo INI in TIFF tag 34682; data bar appended below `[Image] ResolutionY`.
    case fei
    /// Zeiss `CZ_SEM` text in TIFF tag 34118; data bar burned into the frame (no metadata says where).
    case zeiss
    /// ImageJ `unit=micron` + XResolution in a TIFF.
    case imagej
    /// JEOL PNG (or BMP) plus `.txt` sidecar (`$CM_FULL_SIZE`, `$$SM_MICRON_BAR`, `$$SM_MICRON_MARKER`); bar appended.
    case jeol
    /// TESCAN TIFF plus `.hdr` sidecar (`[MAIN] PixelSizeX` in m).
    case tescan
    /// Hitachi TIFF plus `.txt` sidecar (`[SemImageFile] PixelSize` in nm, `DataSize`); bar appended.
    case hitachi
    /// A plain TIFF without calibration metadata (truth `calibration.pixel_size_um` is null).
    case none
}

/// Container format of the micrograph file.
public enum SyntheticFileFormat: String, Sendable, Codable, CaseIterable {
    /// TIFF (every convention).
    case tif
    /// PNG, 8- or 16-bit (sidecar conventions: JEOL, TESCAN, Hitachi, none).
    case png
    /// Uncompressed 8-bit palette BMP, as JEOL writes (sidecar conventions, 8-bit only).
    case bmp
}

/// One EDX element map to render.
public struct EDXSpec: Sendable, Codable, Equatable, Hashable {
    /// Element symbol, e.g. `In`, `S`, `Cl`, `P`, `Ni`.
    public var element: String
    /// Coarsening factor k (2…8): the map is (scanned field) / k px.
    public var factor: Int
    /// Mean X-ray counts per map pixel where the element's concentration is 1.
    public var countsPerPixel: Double

    /// An element map description.
    public init(element: String, factor: Int = 4, countsPerPixel: Double = 6) {
        self.element = element; self.factor = factor; self.countsPerPixel = countsPerPixel
    }
}

/// Everything that determines a synthetic micrograph. Lengths carry their unit in the name.
public struct SceneSpec: Sendable, Codable, Equatable, Hashable {
    /// Random seed; every random choice derives from it.
    public var seed: UInt64
    /// Scanned field width, px (the image without its data bar).
    public var width: Int
    /// Scanned field height, px (the image without its data bar).
    public var height: Int
    /// Pixel size, µm/px (square pixels).
    public var pixelSizeMicrometres: Double
    /// Edge the anode lies along.
    public var anodeSide: AnodeSide
    /// Interface tilt relative to the anode edge, degrees (−10…10 typical).
    public var tiltDegrees: Double
    /// Interface bow (sagitta) as a fraction of the interface length; positive bulges into the electrolyte.
    public var curvature: Double
    /// Thickness of the anode layer at its thinnest, µm.
    public var anodeThicknessMicrometres: Double
    /// Electrolyte thickness, µm; the cathode composite lies beyond it. nil: the cathode is outside the field.
    public var electrolyteThicknessMicrometres: Double?
    /// Bright Li-In or dark Li.
    public var polarity: PhasePolarity
    /// Morphology layout.
    public var layout: MorphologyLayout
    /// Target depth of the dendrite zone (height of the tallest dendrite above the interface), µm.
    public var zoneDepthMicrometres: Double
    /// Gaussian noise standard deviation, in 8-bit grey levels.
    public var noiseSigma: Double
    /// Shot noise: detected electrons per 8-bit grey level (Poisson); nil or 0 for none.
    public var shotElectronsPerLevel: Double?
    /// Gaussian blur (beam spot), standard deviation in px; 0 for none.
    public var blurSigmaPixels: Double
    /// Scan-line noise: standard deviation of per-row offsets, 8-bit grey levels.
    public var scanLineSigma: Double
    /// Charging gradient: grey-level ramp amplitude across the field, 8-bit levels.
    public var chargingAmplitude: Double
    /// Bits per sample: 8, 12 (stored in 16-bit words) or 16.
    public var bitDepth: Int
    /// Metadata convention of the written file.
    public var vendor: VendorConvention
    /// File container; nil: the vendor's usual (TIFF, JEOL PNG).
    public var fileFormat: SyntheticFileFormat?
    /// Whether a data bar is added below the field; nil: the vendor's habit (FEI, Zeiss, JEOL, Hitachi yes).
    public var dataBar: Bool?
    /// EDX maps to render.
    public var edx: [EDXSpec]

    /// A spec; every argument after `seed` has a default giving a 512 × 512 Li-In Fig.-3 FEI scene.
    public init(seed: UInt64, width: Int = 512, height: Int = 512, pixelSizeMicrometres: Double = 0.1,
                anodeSide: AnodeSide = .bottom, tiltDegrees: Double = 0, curvature: Double = 0,
                anodeThicknessMicrometres: Double = 5, electrolyteThicknessMicrometres: Double? = nil,
                polarity: PhasePolarity = .bright, layout: MorphologyLayout = .fig3, zoneDepthMicrometres: Double = 30,
                noiseSigma: Double = 8, shotElectronsPerLevel: Double? = nil, blurSigmaPixels: Double = 0.8,
                scanLineSigma: Double = 2, chargingAmplitude: Double = 10, bitDepth: Int = 8,
                vendor: VendorConvention = .fei, fileFormat: SyntheticFileFormat? = nil, dataBar: Bool? = nil,
                edx: [EDXSpec] = []) {
        self.seed = seed; self.width = width; self.height = height; self.pixelSizeMicrometres = pixelSizeMicrometres
        self.anodeSide = anodeSide; self.tiltDegrees = tiltDegrees; self.curvature = curvature
        self.anodeThicknessMicrometres = anodeThicknessMicrometres
        self.electrolyteThicknessMicrometres = electrolyteThicknessMicrometres
        self.polarity = polarity; self.layout = layout; self.zoneDepthMicrometres = zoneDepthMicrometres
        self.noiseSigma = noiseSigma; self.shotElectronsPerLevel = shotElectronsPerLevel
        self.blurSigmaPixels = blurSigmaPixels; self.scanLineSigma = scanLineSigma
        self.chargingAmplitude = chargingAmplitude; self.bitDepth = bitDepth; self.vendor = vendor
        self.fileFormat = fileFormat; self.dataBar = dataBar; self.edx = edx
    }

    /// The container actually written.
    public var resolvedFileFormat: SyntheticFileFormat {
        if let f = fileFormat { return f }
        return vendor == .jeol ? .png : .tif
    }

    /// Whether the file gets a data bar.
    public var hasDataBar: Bool {
        if let b = dataBar { return b }
        switch vendor {
        case .fei, .zeiss, .jeol, .hitachi: return true
        case .imagej, .tescan, .none: return false
        }
    }

    /// Rows of the data bar, px (0 without one): 7.5 % of the field height, at least 16.
    public var dataBarRows: Int { hasDataBar ? max(16, Int(saturating: (0.075 * Double(height)).rounded())) : 0 }

    /// Checks the spec and says what is wrong ("expected X, got Y").
    public func validate() throws(SyntheticError) {
        func bad(_ what: String) -> SyntheticError { .invalidSpec(what) }
        guard width >= 16, height >= 16, width <= 16384, height <= 16384 else {
            throw bad("expected width and height in 16…16384 px, got \(width)×\(height)")
        }
        guard pixelSizeMicrometres.isFinite, pixelSizeMicrometres > 0 else {
            throw bad("expected a positive pixel size in µm, got \(pixelSizeMicrometres)")
        }
        guard abs(tiltDegrees) <= 30 else { throw bad("expected a tilt within ±30°, got \(tiltDegrees)°") }
        guard abs(curvature) <= 0.2 else { throw bad("expected a curvature (sagitta / length) within ±0.2, got \(curvature)") }
        guard anodeThicknessMicrometres > 0 else {
            throw bad("expected a positive anode thickness in µm, got \(anodeThicknessMicrometres)")
        }
        if let e = electrolyteThicknessMicrometres, !(e > 0) {
            throw bad("expected a positive electrolyte thickness in µm, got \(e)")
        }
        guard zoneDepthMicrometres >= 0 else { throw bad("expected a non-negative zone depth in µm, got \(zoneDepthMicrometres)") }
        guard [8, 12, 16].contains(bitDepth) else { throw bad("expected a bit depth of 8, 12 or 16, got \(bitDepth)") }
        guard noiseSigma >= 0, blurSigmaPixels >= 0, blurSigmaPixels <= 10, scanLineSigma >= 0 else {
            throw bad("expected non-negative noise, scan-line and blur (≤ 10 px) settings")
        }
        if [.fei, .zeiss, .imagej].contains(vendor) && resolvedFileFormat != .tif {
            throw bad("the \(vendor.rawValue) convention stores its calibration in TIFF tags; expected fileFormat tif, got \(resolvedFileFormat.rawValue)")
        }
        if resolvedFileFormat == .bmp && bitDepth != 8 { throw bad("BMP output is 8-bit only, got bitDepth \(bitDepth)") }
        for e in edx {
            guard (2 ... 8).contains(e.factor) else { throw bad("expected an EDX coarsening factor in 2…8, got \(e.factor) for \(e.element)") }
            guard e.countsPerPixel > 0 else { throw bad("expected positive EDX counts per pixel, got \(e.countsPerPixel) for \(e.element)") }
            guard !e.element.isEmpty, e.element.allSatisfy({ $0.isLetter }) else { throw bad("expected an element symbol, got '\(e.element)'") }
        }
    }
}

/// Errors of the synthetic generator.
public enum SyntheticError: Error, Equatable, CustomStringConvertible {
    /// The scene description is not usable.
    case invalidSpec(String)
    /// A file could not be written or read.
    case io(String)

    public var description: String {
        switch self {
        case .invalidSpec(let s): "invalid scene: \(s)"
        case .io(let s): s
        }
    }
}

extension SceneSpec {
    private enum CodingKeys: String, CodingKey {
        case seed, width, height, pixelSizeMicrometres, anodeSide, tiltDegrees, curvature, anodeThicknessMicrometres
        case electrolyteThicknessMicrometres, polarity, layout, zoneDepthMicrometres, noiseSigma, shotElectronsPerLevel
        case blurSigmaPixels, scanLineSigma, chargingAmplitude, bitDepth, vendor, fileFormat, dataBar, edx
    }

    /// Decodes a spec; every key except `seed` may be omitted and takes the default of ``init(seed:width:height:pixelSizeMicrometres:anodeSide:tiltDegrees:curvature:anodeThicknessMicrometres:electrolyteThicknessMicrometres:polarity:layout:zoneDepthMicrometres:noiseSigma:shotElectronsPerLevel:blurSigmaPixels:scanLineSigma:chargingAmplitude:bitDepth:vendor:fileFormat:dataBar:edx:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SceneSpec(seed: try c.decode(UInt64.self, forKey: .seed))
        self = d
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? d.width
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? d.height
        pixelSizeMicrometres = try c.decodeIfPresent(Double.self, forKey: .pixelSizeMicrometres) ?? d.pixelSizeMicrometres
        anodeSide = try c.decodeIfPresent(AnodeSide.self, forKey: .anodeSide) ?? d.anodeSide
        tiltDegrees = try c.decodeIfPresent(Double.self, forKey: .tiltDegrees) ?? d.tiltDegrees
        curvature = try c.decodeIfPresent(Double.self, forKey: .curvature) ?? d.curvature
        anodeThicknessMicrometres = try c.decodeIfPresent(Double.self, forKey: .anodeThicknessMicrometres) ?? d.anodeThicknessMicrometres
        electrolyteThicknessMicrometres = try c.decodeIfPresent(Double.self, forKey: .electrolyteThicknessMicrometres)
        polarity = try c.decodeIfPresent(PhasePolarity.self, forKey: .polarity) ?? d.polarity
        layout = try c.decodeIfPresent(MorphologyLayout.self, forKey: .layout) ?? d.layout
        zoneDepthMicrometres = try c.decodeIfPresent(Double.self, forKey: .zoneDepthMicrometres) ?? d.zoneDepthMicrometres
        noiseSigma = try c.decodeIfPresent(Double.self, forKey: .noiseSigma) ?? d.noiseSigma
        shotElectronsPerLevel = try c.decodeIfPresent(Double.self, forKey: .shotElectronsPerLevel)
        blurSigmaPixels = try c.decodeIfPresent(Double.self, forKey: .blurSigmaPixels) ?? d.blurSigmaPixels
        scanLineSigma = try c.decodeIfPresent(Double.self, forKey: .scanLineSigma) ?? d.scanLineSigma
        chargingAmplitude = try c.decodeIfPresent(Double.self, forKey: .chargingAmplitude) ?? d.chargingAmplitude
        bitDepth = try c.decodeIfPresent(Int.self, forKey: .bitDepth) ?? d.bitDepth
        vendor = try c.decodeIfPresent(VendorConvention.self, forKey: .vendor) ?? d.vendor
        fileFormat = try c.decodeIfPresent(SyntheticFileFormat.self, forKey: .fileFormat)
        dataBar = try c.decodeIfPresent(Bool.self, forKey: .dataBar)
        edx = try c.decodeIfPresent([EDXSpec].self, forKey: .edx) ?? d.edx
    }
}
