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
// benchmark set (tools/synth), not on any single image.

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

    /// A classifier with `thresholds` (defaults when omitted).
    public init(thresholds: MorphologyThresholds = MorphologyThresholds()) { self.thresholds = thresholds }

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
            let conf = 1 - Self.ramp(f.areaFraction, 0, t.minimumAreaFraction) * 0.5
            return MorphologyDecision(label: .none, confidence: conf, scores: ["none": conf],
                                      reason: "dendrite area fraction \(Self.pct(f.areaFraction)) below \(Self.pct(t.minimumAreaFraction)) or fewer than \(t.minimumDendritePixels) px")
        }
        let lateral = f.lateralFraction, vertical = f.verticalFraction
        // Loopiness is measured scale-free (holes per thousand width-squares of
        // phase), so it means the same at 0.05 and at 2 µm/px.
        let loopy = Self.ramp(f.loopIndex, t.loopyIndex * 0.5, t.loopyIndex * 1.5)
        let isotropic = 1 - Self.ramp(abs(lateral - vertical), t.isotropyMargin * 0.5, t.isotropyMargin * 1.5)
        let lateralScore = Self.ramp(lateral - vertical, 0, t.isotropyMargin * 1.5) * Self.ramp(lateral, t.dominantOrientationFraction * 0.6, t.dominantOrientationFraction)
        let verticalScore = Self.ramp(vertical - lateral, 0, t.isotropyMargin * 1.5) * Self.ramp(vertical, t.dominantOrientationFraction * 0.6, t.dominantOrientationFraction)
        // A network is isotropic AND loopy; loops alone (bridged stripes) are not enough, and a
        // mesh without a single enclosed hole wraps no particle: not a network at all.
        let network = f.holes > 0 ? isotropic * (0.45 + 0.55 * loopy) : 0
        let stripe = lateralScore
        // Needle-ness: thin or dark phase (Li); flames are wide and bright.
        let thin: Double
        if let um = f.meanWidthMicrometres {
            thin = 1 - Self.ramp(um, t.needleMaximumWidthMicrometres * 0.6, t.needleMaximumWidthMicrometres * 1.4)
        } else {
            thin = 1 - Self.ramp(f.meanWidthPx, t.needleMaximumWidthPx * 0.6, t.needleMaximumWidthPx * 1.4)
        }
        // Needles are the dark (Li) phase. Bright Li-In vertical growth is a flame
        // even where its tapered tips are thin: on the labelled benchmark set
        // width alone confused flame tips with whiskers at fine pixel sizes. A
        // bright structure only counts as a needle when it is thin everywhere
        // AND the thresholds allow it (`brightNeedles`).
        let needle = f.darkPhase ? max(0.75, thin) : (t.brightNeedles ? thin * 0.9 : 0.1 * thin)
        let verticalNeedle = verticalScore * needle
        let flame = verticalScore * (1 - needle)
        let scores: [(MorphologyLabel, Double)] = [(.network, network), (.stripe, stripe), (.vertical, verticalNeedle), (.flame, flame)]
        let ranked = scores.sorted { $0.1 > $1.1 }
        let (label, best) = ranked[0]
        let margin = best - ranked[1].1
        let confidence = min(1, max(0, best * (0.5 + margin)))
        let reason: String
        switch label {
        case .network: reason = "isotropic (lateral \(Self.pct(lateral)), vertical \(Self.pct(vertical))) with \(f.holes) holes"
        case .stripe: reason = "lateral structure (\(Self.pct(lateral)) within 30° of the interface), coherence \(String(format: "%.2f", f.coherence))"
        case .vertical: reason = "vertical structure (\(Self.pct(vertical)) within 30° of the normal), \(f.darkPhase ? "dark phase" : "thin") needles (mean width \(Self.width(f)))"
        case .flame: reason = "vertical structure (\(Self.pct(vertical)) within 30° of the normal), wide bright tongues (mean width \(Self.width(f)))"
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
