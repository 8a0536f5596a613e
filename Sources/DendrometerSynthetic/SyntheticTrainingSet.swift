// Training data for pixel classification ("label a few images, run the
// batch", ilastik-style) from the generator, with exact labels:
// - `SyntheticScene.trainingLabels()`: an 8-bit label image of the full raster
//   (data bar included) from the renderer's per-pixel material map;
// - `ImagingSetting`: what stays fixed across the images of one acquisition
//   setting (vendor file convention and pixel size, field size, bit depth,
//   noise / shot noise / scan lines / charging / blur, phase polarity);
// - `SyntheticTrainingSet.scenes`: `count` scenes of one setting that differ in seed,
//   zone depth, tilt, curvature, anode thickness, morphology layout and anode
//   side, deterministically from a seed.
//
// The cathode composite stays out of view in both built-in settings
// (`electrolyteThicknessMicrometres` nil), so class 3 holds the electrolyte's
// pores there; a custom setting with `electrolyteThicknessMicrometres` set
// gets its cathode particles labelled 3 as well.

import DendrometerCore
import Foundation

/// Classes of a training label image (0 = not labelled, as in ilastik).
public enum TrainingLabel: UInt8, Sendable, CaseIterable {
    /// Not labelled: the data bar (and nothing else in a synthetic scene).
    case unlabelled = 0
    /// The dendrite phase: anode layer ∪ dendrites (Li-In or Li), including phase pixels lying exactly
    /// on the interface (depth 0, which the depth truth and `dendriteMask` leave out).
    case phase = 1
    /// The solid electrolyte the dendrites grow into (grains and grain boundaries, pores excluded).
    case electrolyte = 2
    /// Everything else the renderer draws: pores in the electrolyte and, when in view, the
    /// cathode composite (active particles, catholyte, carbon).
    case other = 3
}

extension SyntheticScene {
    /// The training label image: full raster (`spec.width × (spec.height + spec.dataBarRows)`),
    /// values ``TrainingLabel`` raw values — 1 anode ∪ dendrite phase, 2 electrolyte, 3 pores and
    /// cathode composite, 0 on the data bar rows. Exact: taken from the material of every pixel
    /// before blur and noise (a blurred edge pixel gets the class of its centre).
    public func trainingLabels() -> Image<UInt8> {
        let w = spec.width, h = spec.height, bar = spec.dataBarRows
        var lut = [UInt8](repeating: TrainingLabel.unlabelled.rawValue, count: 256)
        for code in 0 ..< 256 {
            guard let m = Material(rawValue: UInt8(code)) else { continue }
            switch m {
            case .anode, .dendrite: lut[code] = TrainingLabel.phase.rawValue
            case .electrolyte: lut[code] = TrainingLabel.electrolyte.rawValue
            case .pore, .cathodeActive, .cathodeElectrolyte, .cathodeCarbon: lut[code] = TrainingLabel.other.rawValue
            }
        }
        var pixels = [UInt8](repeating: TrainingLabel.unlabelled.rawValue, count: w * (h + bar))
        for i in 0 ..< min(w * h, fieldMaterial.count) { pixels[i] = lut[Int(fieldMaterial[i])] }
        return Image(width: w, height: h + bar, pixels: pixels, bitDepth: 8)
    }
}

/// One imaging setting: everything that stays the same across the micrographs of one
/// acquisition series, plus the ranges the sample-dependent quantities vary in.
public struct ImagingSetting: Sendable, Equatable, Hashable {
    /// Short name used on the command line, e.g. `li-in-fei`.
    public var name: String
    /// One line describing the setting.
    public var summary: String

    // Fixed across the set.
    /// Scanned field, px (a data bar, when the vendor has one, adds rows below).
    public var width: Int, height: Int
    /// Pixel size, µm/px.
    public var pixelSizeMicrometres: Double
    /// Vendor file convention (calibration format, data bar habit, container).
    public var vendor: VendorConvention
    /// Bits per sample.
    public var bitDepth: Int
    /// Bright Li-In or dark Li.
    public var polarity: PhasePolarity
    /// Gaussian noise σ, 8-bit grey levels.
    public var noiseSigma: Double
    /// Shot noise, electrons per 8-bit grey level (nil: none).
    public var shotElectronsPerLevel: Double?
    /// Beam blur σ, px.
    public var blurSigmaPixels: Double
    /// Scan-line offset σ, 8-bit grey levels.
    public var scanLineSigma: Double
    /// Charging ramp amplitude, 8-bit grey levels.
    public var chargingAmplitude: Double
    /// Electrolyte thickness, µm (nil: the cathode is out of view).
    public var electrolyteThicknessMicrometres: Double?

    // Varied from scene to scene.
    /// Morphology layouts, used in turn.
    public var layouts: [MorphologyLayout]
    /// Anode sides, used in turn (a single entry keeps the side fixed).
    public var sides: [AnodeSide]
    /// Zone depth range, µm (stratified over the set).
    public var zoneDepthMicrometres: ClosedRange<Double>
    /// Interface tilt range, degrees.
    public var tiltDegrees: ClosedRange<Double>
    /// Interface bow range (sagitta / length).
    public var curvature: ClosedRange<Double>
    /// Anode thickness range, µm.
    public var anodeThicknessMicrometres: ClosedRange<Double>

    /// A setting; see the properties.
    public init(name: String, summary: String, width: Int, height: Int, pixelSizeMicrometres: Double, vendor: VendorConvention,
                bitDepth: Int, polarity: PhasePolarity, noiseSigma: Double, shotElectronsPerLevel: Double? = nil,
                blurSigmaPixels: Double, scanLineSigma: Double, chargingAmplitude: Double,
                electrolyteThicknessMicrometres: Double? = nil, layouts: [MorphologyLayout], sides: [AnodeSide],
                zoneDepthMicrometres: ClosedRange<Double>, tiltDegrees: ClosedRange<Double>, curvature: ClosedRange<Double>,
                anodeThicknessMicrometres: ClosedRange<Double>) {
        self.name = name; self.summary = summary; self.width = width; self.height = height
        self.pixelSizeMicrometres = pixelSizeMicrometres; self.vendor = vendor; self.bitDepth = bitDepth; self.polarity = polarity
        self.noiseSigma = noiseSigma; self.shotElectronsPerLevel = shotElectronsPerLevel; self.blurSigmaPixels = blurSigmaPixels
        self.scanLineSigma = scanLineSigma; self.chargingAmplitude = chargingAmplitude
        self.electrolyteThicknessMicrometres = electrolyteThicknessMicrometres
        self.layouts = layouts; self.sides = sides; self.zoneDepthMicrometres = zoneDepthMicrometres
        self.tiltDegrees = tiltDegrees; self.curvature = curvature; self.anodeThicknessMicrometres = anodeThicknessMicrometres
    }

    /// Li-In | Li6PS5Cl (bright alloy phase), FEI/Thermo-like: 1024 × 768 field + appended data bar,
    /// 0.08 µm/px in the FEI INI tag, 8-bit TIFF, Gaussian noise σ 8, blur σ 0.8 px, scan lines σ 2,
    /// charging 10; Fig.-3 / stripe / network / flame layouts, depth 10–30 µm (125–375 px),
    /// tilt ±8°, bow ±0.015, anode 3–6 µm, all four sides.
    public static let liInFEI = ImagingSetting(
        name: "li-in-fei",
        summary: "Li-In (bright), FEI INI TIFF 8-bit, 1024x768 + data bar, 0.08 um/px, noise 8, blur 0.8 px",
        width: 1024, height: 768, pixelSizeMicrometres: 0.08, vendor: .fei, bitDepth: 8, polarity: .bright,
        noiseSigma: 8, blurSigmaPixels: 0.8, scanLineSigma: 2, chargingAmplitude: 10,
        layouts: [.fig3, .stripe, .network, .flame], sides: [.bottom, .left, .top, .right],
        zoneDepthMicrometres: 10 ... 30, tiltDegrees: -8 ... 8, curvature: -0.015 ... 0.015, anodeThicknessMicrometres: 3 ... 6)

    /// Li | Li6PS5Cl (dark metal phase), Zeiss-like: 1024 × 768 field + data bar, 0.2 µm/px in the
    /// `CZ_SEM` tag, 16-bit TIFF, shot noise 4 e⁻/level plus Gaussian σ 4, blur σ 1.0 px, scan lines σ 3,
    /// charging 15; vertical whiskers (half the scenes), flame and network layouts, depth 25–75 µm
    /// (125–375 px), tilt ±8°, bow ±0.015, anode 8–15 µm, all four sides.
    public static let liZeiss = ImagingSetting(
        name: "li-zeiss",
        summary: "Li (dark), Zeiss CZ_SEM TIFF 16-bit, 1024x768 + data bar, 0.2 um/px, shot 4 e/level + noise 4, blur 1.0 px",
        width: 1024, height: 768, pixelSizeMicrometres: 0.2, vendor: .zeiss, bitDepth: 16, polarity: .dark,
        noiseSigma: 4, shotElectronsPerLevel: 4, blurSigmaPixels: 1.0, scanLineSigma: 3, chargingAmplitude: 15,
        layouts: [.vertical, .flame, .vertical, .network], sides: [.bottom, .left, .top, .right],
        zoneDepthMicrometres: 25 ... 75, tiltDegrees: -8 ... 8, curvature: -0.015 ... 0.015, anodeThicknessMicrometres: 8 ... 15)

    /// The built-in settings.
    public static let all: [ImagingSetting] = [liInFEI, liZeiss]

    /// The built-in setting called `name`, or nil.
    public static func named(_ name: String) -> ImagingSetting? { all.first { $0.name == name } }

    /// A spec of this setting with the given scene-dependent values.
    public func spec(seed: UInt64, layout: MorphologyLayout, side: AnodeSide, zoneDepthMicrometres: Double,
                     tiltDegrees: Double = 0, curvature: Double = 0, anodeThicknessMicrometres: Double) -> SceneSpec {
        SceneSpec(seed: seed, width: width, height: height, pixelSizeMicrometres: pixelSizeMicrometres, anodeSide: side,
                  tiltDegrees: tiltDegrees, curvature: curvature, anodeThicknessMicrometres: anodeThicknessMicrometres,
                  electrolyteThicknessMicrometres: electrolyteThicknessMicrometres, polarity: polarity, layout: layout,
                  zoneDepthMicrometres: zoneDepthMicrometres, noiseSigma: noiseSigma, shotElectronsPerLevel: shotElectronsPerLevel,
                  blurSigmaPixels: blurSigmaPixels, scanLineSigma: scanLineSigma, chargingAmplitude: chargingAmplitude,
                  bitDepth: bitDepth, vendor: vendor, fileFormat: nil, dataBar: nil, edx: [])
    }

    /// Whether `spec` was acquired with this setting: every fixed quantity equal (the spec equals the
    /// setting's spec with the same scene-dependent values) and the varied ones in their ranges.
    public func matches(_ spec: SceneSpec) -> Bool {
        let rebuilt = self.spec(seed: spec.seed, layout: spec.layout, side: spec.anodeSide, zoneDepthMicrometres: spec.zoneDepthMicrometres,
                                tiltDegrees: spec.tiltDegrees, curvature: spec.curvature,
                                anodeThicknessMicrometres: spec.anodeThicknessMicrometres)
        return rebuilt == spec && layouts.contains(spec.layout) && sides.contains(spec.anodeSide)
            && zoneDepthMicrometres.contains(spec.zoneDepthMicrometres) && tiltDegrees.contains(spec.tiltDegrees)
            && curvature.contains(spec.curvature) && anodeThicknessMicrometres.contains(spec.anodeThicknessMicrometres)
    }
}

/// Scenes of one imaging setting for training and testing a pixel classifier.
public enum SyntheticTrainingSet {
    /// `count` scenes of `setting`, deterministic for `seed`.
    ///
    /// Scene k (0-based) is named `tNN_<setting>_<layout>_<side>` (NN = k + 1, zero-padded so names
    /// sort in order), has seed `seed × 1000 + k + 1`, layout `layouts[(k + a) % L]`, side
    /// `sides[(k + k / L + b) % S]` (a, b drawn from the seed, so layout × side pairs vary), a zone depth
    /// stratified over the setting's range (one random stratum of `count` per scene, 0.1 µm steps),
    /// and tilt (0.1°), bow (0.001) and anode thickness (0.1 µm) uniform in the setting's ranges.
    ///
    /// - Precondition: `count` in 1…999.
    public static func scenes(_ setting: ImagingSetting, count: Int = 12, seed: UInt64 = 1) -> [BenchmarkScene] {
        precondition((1 ... 999).contains(count), "expected a count in 1…999, got \(count)")
        var rng = SplitMix64.stream(seed, 0x7EA1_5E7)
        let nL = max(1, setting.layouts.count), nS = max(1, setting.sides.count)
        let a = Int(rng.next() % UInt64(nL)), b = Int(rng.next() % UInt64(nS))
        var strata = Array(0 ..< count)
        for i in stride(from: count - 1, to: 0, by: -1) { strata.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        // Rounded to 1/perUnit (e.g. 0.1 µm) so the specs print tidily, and kept in range.
        func inRange(_ v: Double, _ range: ClosedRange<Double>, _ perUnit: Double) -> Double {
            min(max((v * perUnit).rounded() / perUnit, range.lowerBound), range.upperBound)
        }
        let digits = max(2, String(count).count)
        return (0 ..< count).map { k in
            let layout = setting.layouts.isEmpty ? MorphologyLayout.fig3 : setting.layouts[(k + a) % nL]
            let side = setting.sides.isEmpty ? AnodeSide.bottom : setting.sides[(k + k / nL + b) % nS]
            let dr = setting.zoneDepthMicrometres
            let depth = inRange(dr.lowerBound + (dr.upperBound - dr.lowerBound) * (Double(strata[k]) + rng.unit()) / Double(count), dr, 10)
            let tilt = inRange(rng.uniform(setting.tiltDegrees.lowerBound, setting.tiltDegrees.upperBound), setting.tiltDegrees, 10)
            let bow = inRange(rng.uniform(setting.curvature.lowerBound, setting.curvature.upperBound), setting.curvature, 1000)
            let anode = inRange(rng.uniform(setting.anodeThicknessMicrometres.lowerBound, setting.anodeThicknessMicrometres.upperBound),
                                setting.anodeThicknessMicrometres, 10)
            let number = String(k + 1).count >= digits ? String(k + 1) : String(repeating: "0", count: digits - String(k + 1).count) + String(k + 1)
            let spec = setting.spec(seed: seed &* 1000 &+ UInt64(k + 1), layout: layout, side: side, zoneDepthMicrometres: depth,
                                    tiltDegrees: tilt, curvature: bow, anodeThicknessMicrometres: anode)
            return BenchmarkScene(name: "t\(number)_\(setting.name)_\(layout.rawValue)_\(side.rawValue)", spec: spec)
        }
    }
}
