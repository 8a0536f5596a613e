/// The measurements a region's morphology is decided from. Orientation
/// features are relative to the local interface direction (0° lateral, 90°
/// vertical) and scale-free; lengths are in µm when the image is calibrated.
public struct RegionFeatures: Sendable, Equatable, Codable {
    /// Dendrite pixels / electrolyte pixels in the region, 0…1.
    public var areaFraction: Double
    /// Number of dendrite pixels in the region.
    public var dendritePixels: Int
    /// Share of dendrite pixels whose structure lies within 30° of the interface direction.
    public var lateralFraction: Double
    /// Share of dendrite pixels whose structure lies within 30° of the interface normal.
    public var verticalFraction: Double
    /// Weighted mean coherence of the structure tensor over dendrite pixels, 0…1.
    public var coherence: Double
    /// Holes enclosed by the dendrite phase (components − Euler number).
    public var holes: Int
    /// Skeleton length in the region, px.
    public var skeletonLengthPx: Double
    /// Skeleton junctions in the region.
    public var junctions: Int
    /// Pixel size, µm (nil when uncalibrated).
    public var pixelSizeMicrometres: Double?

    /// Holes per 1000 px of skeleton.
    public var holesPerKilopixelOfSkeleton: Double { skeletonLengthPx > 0 ? Double(holes) / skeletonLengthPx * 1000 : 0 }
    /// Holes per mm of skeleton; nil when uncalibrated.
    public var holesPerMillimetreOfSkeleton: Double? {
        pixelSizeMicrometres.map { skeletonLengthPx > 0 ? Double(holes) / (skeletonLengthPx * $0 / 1000) : 0 }
    }
    /// Junctions per 1000 px of skeleton.
    public var junctionsPerKilopixelOfSkeleton: Double { skeletonLengthPx > 0 ? Double(junctions) / skeletonLengthPx * 1000 : 0 }
    /// Junctions per mm of skeleton; nil when uncalibrated.
    public var junctionsPerMillimetreOfSkeleton: Double? {
        pixelSizeMicrometres.map { skeletonLengthPx > 0 ? Double(junctions) / (skeletonLengthPx * $0 / 1000) : 0 }
    }
    /// Mean dendrite width (2 × distance to background on the skeleton), µm; nil when uncalibrated.
    public var meanWidthMicrometres: Double?
    /// Mean dendrite width, px.
    public var meanWidthPx: Double
    /// Width near the base over width near the tip of the region's dendrites (≥ 1 means tapered); nil when undefined.
    public var taper: Double?
    /// Whether the dendrite phase is darker than the electrolyte (Li) rather than brighter (Li-In).
    public var darkPhase: Bool

    /// Scale-free loopiness: holes × (mean width, px)² / dendrite pixels × 1000 — the
    /// number of enclosed holes per thousand "width-squares" of phase. Independent of
    /// pixel size: a mesh around particles scores ≈ 80–300, bridged stripes ≈ 0–30.
    public var loopIndex: Double {
        dendritePixels > 0 ? Double(holes) * meanWidthPx * meanWidthPx / Double(dendritePixels) * 1000 : 0
    }

    /// A feature set; see the property documentation for units.
    public init(areaFraction: Double, dendritePixels: Int, lateralFraction: Double, verticalFraction: Double,
                coherence: Double, holes: Int, skeletonLengthPx: Double, junctions: Int, pixelSizeMicrometres: Double?,
                meanWidthMicrometres: Double?, meanWidthPx: Double, taper: Double?, darkPhase: Bool) {
        self.areaFraction = areaFraction; self.dendritePixels = dendritePixels
        self.lateralFraction = lateralFraction; self.verticalFraction = verticalFraction
        self.coherence = coherence; self.holes = holes; self.skeletonLengthPx = skeletonLengthPx
        self.junctions = junctions; self.pixelSizeMicrometres = pixelSizeMicrometres
        self.meanWidthMicrometres = meanWidthMicrometres
        self.meanWidthPx = meanWidthPx; self.taper = taper; self.darkPhase = darkPhase
    }

    enum CodingKeys: String, CodingKey {
        case areaFraction = "area_fraction", dendritePixels = "dendrite_pixels"
        case lateralFraction = "lateral_fraction", verticalFraction = "vertical_fraction", coherence
        case holes, skeletonLengthPx = "skeleton_length_px", junctions, pixelSizeMicrometres = "pixel_size_um"
        case holesPerKilopixel = "holes_per_1000px_skeleton", holesPerMillimetre = "holes_per_mm_skeleton"
        case junctionsPerKilopixel = "junctions_per_1000px_skeleton", junctionsPerMillimetre = "junctions_per_mm_skeleton"
        case meanWidthMicrometres = "mean_width_um", meanWidthPx = "mean_width_px", taper, darkPhase = "dark_phase"
        case loopIndex = "loop_index"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(areaFraction: try c.decode(Double.self, forKey: .areaFraction), dendritePixels: try c.decode(Int.self, forKey: .dendritePixels),
                  lateralFraction: try c.decode(Double.self, forKey: .lateralFraction), verticalFraction: try c.decode(Double.self, forKey: .verticalFraction),
                  coherence: try c.decode(Double.self, forKey: .coherence), holes: try c.decode(Int.self, forKey: .holes),
                  skeletonLengthPx: try c.decode(Double.self, forKey: .skeletonLengthPx), junctions: try c.decode(Int.self, forKey: .junctions),
                  pixelSizeMicrometres: try c.decodeIfPresent(Double.self, forKey: .pixelSizeMicrometres),
                  meanWidthMicrometres: try c.decodeIfPresent(Double.self, forKey: .meanWidthMicrometres), meanWidthPx: try c.decode(Double.self, forKey: .meanWidthPx),
                  taper: try c.decodeIfPresent(Double.self, forKey: .taper), darkPhase: try c.decode(Bool.self, forKey: .darkPhase))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(areaFraction, forKey: .areaFraction)
        try c.encode(dendritePixels, forKey: .dendritePixels)
        try c.encode(lateralFraction, forKey: .lateralFraction)
        try c.encode(verticalFraction, forKey: .verticalFraction)
        try c.encode(coherence, forKey: .coherence)
        try c.encode(holes, forKey: .holes)
        try c.encode(skeletonLengthPx, forKey: .skeletonLengthPx)
        try c.encode(junctions, forKey: .junctions)
        try c.encode(pixelSizeMicrometres, forKey: .pixelSizeMicrometres)
        try c.encode(holesPerKilopixelOfSkeleton, forKey: .holesPerKilopixel)
        try c.encode(holesPerMillimetreOfSkeleton, forKey: .holesPerMillimetre)
        try c.encode(junctionsPerKilopixelOfSkeleton, forKey: .junctionsPerKilopixel)
        try c.encode(junctionsPerMillimetreOfSkeleton, forKey: .junctionsPerMillimetre)
        try c.encode(meanWidthMicrometres, forKey: .meanWidthMicrometres)
        try c.encode(meanWidthPx, forKey: .meanWidthPx)
        try c.encode(taper, forKey: .taper)
        try c.encode(darkPhase, forKey: .darkPhase)
        try c.encode(loopIndex, forKey: .loopIndex)
    }
}
