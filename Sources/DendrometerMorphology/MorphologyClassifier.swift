// Rule-based morphology classifier (docs/REFERENCE.md §5).
//
// The decision follows the physical description of the three Li-In
// morphologies and Li needles, using scale-free orientation features first:
// 1. too little phase            → none
// 2. isotropic and loopy          → network  (mesh around broken particles;
//                                   loops alone, e.g. bridged stripes, are not enough)
// 3. mostly lateral               → stripe   (bands parallel to the interface)
// 4. mostly vertical              → vertical (thin/dark needles) or flame (wide, tapered, bright)
// Each rule yields a score in [0, 1]; the label is the best score and the
// confidence is that score scaled by its margin over the runner-up.
// Thresholds live in `MorphologyThresholds` (Codable: overridable from a JSON
// config file) and were calibrated on the labelled scenes of the synthetic
// benchmark set (tools/synth), not on any single image; the independent
// validation split checks them. Every threshold T is applied as a smooth ramp
// around it (`Scoring`), so a feature near T gives a middling score, not a flip.
//
// Worked example (defaults: dominant fraction 0.45, isotropy margin 0.2, needle
// width 2.5 µm): a bright region with lateral 0.10, vertical 0.80, mean width
// 0.8 µm and no holes. vertical − lateral = 0.70 ≥ 1.5 × 0.2 and vertical ≥
// 0.45, so the vertical score is 1; network is 0 (no hole); stripe is 0. The
// width is below 0.6 × 2.5 µm, so thin = 1, but a bright phase is a needle only
// by `brightNeedleShareByDefault` (0.1): vertical needle 0.1, flame 0.9 → flame, with
// confidence min(1, 0.9 × (0.5 + 0.8)) = 1. The same region in the dark phase
// has needle = 1: vertical 1, flame 0 → vertical.

import Foundation

/// Tunable thresholds of the classifier. Decode from JSON to override any subset.
public struct MorphologyThresholds: Sendable, Equatable, Codable {
    /// Below this dendrite area fraction a region is `none`.
    public var minimumAreaFraction = 0.004
    /// Below this many dendrite pixels a region is `none`.
    public var minimumDendritePixels = 40
    /// Lateral (or vertical) fraction above which the orientation is clearly lateral (vertical).
    public var dominantOrientationFraction = 0.45
    /// |lateral − vertical| below which the phase counts as isotropic.
    public var isotropyMargin = 0.2
    /// Loop index (holes × width² / phase area × 1000, see `RegionFeatures.loopIndex`)
    /// around which a region counts as loopy: the ramp runs from half to 1.5 times this value.
    /// On the labelled benchmark set networks score 80–300 and bridged stripes 0–30.
    public var loopyIndex = 50.0
    /// Needles are thinner than this, µm (Li whiskers ≈ 0.5–2 µm; Li-In flames are wider).
    public var needleMaximumWidthMicrometres = 2.5
    /// Needles are thinner than this, px, when uncalibrated.
    public var needleMaximumWidthPx = 5.0
    /// Whether thin bright (Li-In) vertical structures may be called `vertical`;
    /// by default bright vertical growth is `flame` and needles are the dark Li phase.
    public var brightNeedles = false

    /// The defaults documented above.
    public init() {}

    /// Thresholds from a JSON object whose keys are a subset of this type's
    /// property names; absent keys keep their defaults.
    public static func decode(json data: Data) throws -> MorphologyThresholds {
        let overrides = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var merged = (try JSONSerialization.jsonObject(with: JSONEncoder().encode(MorphologyThresholds())) as? [String: Any]) ?? [:]
        for (k, v) in overrides {
            guard merged[k] != nil else { throw MorphologyConfigError.unknownKey(k, known: merged.keys.sorted()) }
            merged[k] = v
        }
        return try JSONDecoder().decode(MorphologyThresholds.self, from: JSONSerialization.data(withJSONObject: merged))
    }
}

/// A classifier configuration file could not be used.
public enum MorphologyConfigError: Error, Equatable, CustomStringConvertible {
    /// A key that is not a threshold name.
    case unknownKey(String, known: [String])

    public var description: String {
        switch self {
        case .unknownKey(let k, let known): "unknown threshold '\(k)'; expected one of \(known.joined(separator: ", "))"
        }
    }
}

/// A morphology decision: the label, a confidence in [0, 1], and why.
public struct MorphologyDecision: Sendable, Equatable, Codable {
    /// The chosen label.
    public var label: MorphologyLabel
    /// Confidence in [0, 1].
    public var confidence: Double
    /// Score of every candidate label, [0, 1].
    public var scores: [String: Double]
    /// One sentence a scientist can check against the features.
    public var reason: String

    /// A decision with its scores and reason.
    public init(label: MorphologyLabel, confidence: Double, scores: [String: Double], reason: String) {
        self.label = label; self.confidence = confidence; self.scores = scores; self.reason = reason
    }
}

/// Decides a region's morphology from its features.
public struct MorphologyClassifier: Sendable {
    /// The thresholds in use.
    public var thresholds: MorphologyThresholds
    /// The angle from the interface (lateral) or its normal (vertical) within which the region's
    /// lateral and vertical fractions were counted, degrees: the reasons quote it.
    public var orientationToleranceDegrees: Double

    /// A classifier with `thresholds` (defaults when omitted), for features whose lateral and
    /// vertical fractions were counted within `orientationToleranceDegrees` (the orientation
    /// stage's `toleranceDegrees`, 30° by default).
    public init(thresholds: MorphologyThresholds = MorphologyThresholds(), orientationToleranceDegrees: Double = 30) {
        self.thresholds = thresholds
        self.orientationToleranceDegrees = orientationToleranceDegrees
    }

    /// How the thresholds become scores: shapes of the soft decisions, fixed choices (the
    /// thresholds themselves are the tunables).
    enum Scoring {
        /// A threshold T takes effect as a ramp from `rampStart` × T to `rampEnd` × T (loopiness,
        /// isotropy); the difference |lateral − vertical| saturates at `rampEnd` × the margin.
        static let rampStart = 0.5, rampEnd = 1.5
        /// The dominant-orientation and needle-width ramps start at this share of their threshold
        /// (orientation: a region with 60 % of the dominant fraction scores 0) …
        static let narrowRampStart = 0.6
        /// … and the needle width ramp ends at this multiple of the needle width.
        static let widthRampEnd = 1.4
        /// An isotropic region with enclosed holes scores at least this as a network however few
        /// its loops; loopiness adds up to `meshLoopWeight` (the two sum to 1).
        static let meshFloor = 0.45, meshLoopWeight = 0.55
        /// The dark phase (Li) is a needle at least this much whatever its width: Li grows as
        /// needles, and a wide dark region is more likely several whiskers than a flame.
        static let darkNeedleFloor = 0.75
        /// A thin bright structure is a needle by this share when `brightNeedles` allows it …
        static let brightNeedleShare = 0.9
        /// … and by this share when not (bright vertical growth is a flame).
        static let brightNeedleShareByDefault = 0.1
        /// Confidence = best score × (`confidenceBase` + margin over the runner-up), at most 1.
        static let confidenceBase = 0.5
        /// A region with too little phase is `none` with confidence 1 − this × how close its area
        /// fraction is to the minimum.
        static let noneConfidenceLoss = 0.5
    }

    /// Smooth step from 0 (x ≤ a) to 1 (x ≥ b).
    static func ramp(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard b > a else { return x >= b ? 1 : 0 }
        let t = min(1, max(0, (x - a) / (b - a)))
        return t * t * (3 - 2 * t)
    }

    /// Classifies one region.
    public func classify(_ f: RegionFeatures) -> MorphologyDecision {
        let t = thresholds
        if f.areaFraction < t.minimumAreaFraction || f.dendritePixels < t.minimumDendritePixels {
            let conf = 1 - Self.ramp(f.areaFraction, 0, t.minimumAreaFraction) * Scoring.noneConfidenceLoss
            return MorphologyDecision(label: .none, confidence: conf, scores: ["none": conf],
                                      reason: "dendrite area fraction \(Self.pct(f.areaFraction)) below \(Self.pct(t.minimumAreaFraction)) or fewer than \(t.minimumDendritePixels) px")
        }
        let lateral = f.lateralFraction, vertical = f.verticalFraction
        // Loopiness is measured scale-free (holes per thousand width-squares of
        // phase), so it means the same at 0.05 and at 2 µm/px.
        let loopy = Self.ramp(f.loopIndex, t.loopyIndex * Scoring.rampStart, t.loopyIndex * Scoring.rampEnd)
        let isotropic = 1 - Self.ramp(abs(lateral - vertical), t.isotropyMargin * Scoring.rampStart, t.isotropyMargin * Scoring.rampEnd)
        func dominance(_ own: Double, over other: Double) -> Double {
            Self.ramp(own - other, 0, t.isotropyMargin * Scoring.rampEnd)
                * Self.ramp(own, t.dominantOrientationFraction * Scoring.narrowRampStart, t.dominantOrientationFraction)
        }
        let lateralScore = dominance(lateral, over: vertical)
        let verticalScore = dominance(vertical, over: lateral)
        // A network is isotropic AND loopy; loops alone (bridged stripes) are not enough, and a
        // mesh without a single enclosed hole wraps no particle: not a network at all.
        let network = f.holes > 0 ? isotropic * (Scoring.meshFloor + Scoring.meshLoopWeight * loopy) : 0
        let stripe = lateralScore
        // Needle-ness: thin or dark phase (Li); flames are wide and bright.
        let thin: Double
        if let um = f.meanWidthMicrometres {
            thin = 1 - Self.ramp(um, t.needleMaximumWidthMicrometres * Scoring.narrowRampStart, t.needleMaximumWidthMicrometres * Scoring.widthRampEnd)
        } else {
            thin = 1 - Self.ramp(f.meanWidthPx, t.needleMaximumWidthPx * Scoring.narrowRampStart, t.needleMaximumWidthPx * Scoring.widthRampEnd)
        }
        // Needles are the dark (Li) phase. Bright Li-In vertical growth is a flame
        // even where its tapered tips are thin: on the labelled benchmark set
        // width alone confused flame tips with whiskers at fine pixel sizes. A
        // bright structure only counts as a needle when it is thin everywhere
        // AND the thresholds allow it (`brightNeedles`).
        let needle = f.darkPhase ? max(Scoring.darkNeedleFloor, thin)
            : (t.brightNeedles ? thin * Scoring.brightNeedleShare : Scoring.brightNeedleShareByDefault * thin)
        let verticalNeedle = verticalScore * needle
        let flame = verticalScore * (1 - needle)
        let scores: [(MorphologyLabel, Double)] = [(.network, network), (.stripe, stripe), (.vertical, verticalNeedle), (.flame, flame)]
        let ranked = scores.sorted { $0.1 > $1.1 }
        let (label, best) = ranked[0]
        let margin = best - ranked[1].1
        let confidence = min(1, max(0, best * (Scoring.confidenceBase + margin)))
        let within = String(format: "%g°", orientationToleranceDegrees)
        let reason: String
        switch label {
        case .network: reason = "isotropic (lateral \(Self.pct(lateral)), vertical \(Self.pct(vertical))) with \(f.holes) holes"
        case .stripe: reason = "lateral structure (\(Self.pct(lateral)) within \(within) of the interface), coherence \(String(format: "%.2f", f.coherence))"
        case .vertical: reason = "vertical structure (\(Self.pct(vertical)) within \(within) of the normal), \(f.darkPhase ? "dark phase" : "thin") needles (mean width \(Self.width(f)))"
        case .flame: reason = "vertical structure (\(Self.pct(vertical)) within \(within) of the normal), wide bright tongues (mean width \(Self.width(f)))"
        case .none: reason = "too little phase"
        }
        return MorphologyDecision(label: label, confidence: confidence,
                                  scores: Dictionary(uniqueKeysWithValues: scores.map { ($0.0.rawValue, $0.1) }), reason: reason)
    }

    static func pct(_ x: Double) -> String { String(format: "%.0f %%", 100 * x) }
    static func width(_ f: RegionFeatures) -> String {
        if let um = f.meanWidthMicrometres { return String(format: "%.2f µm", um) }
        return String(format: "%.1f px", f.meanWidthPx)
    }
}
