import DendrometerMorphology
import Foundation
import Testing

/// Feature vectors written by hand from the physical descriptions (DESIGN.md §5).
func features(area: Double = 0.2, pixels: Int = 5000, lateral: Double, vertical: Double, coherence: Double = 0.8,
              holesPerMm: Double = 0, holes: Int = 0, widthUm: Double? = 4, widthPx: Double = 8, dark: Bool = false) -> RegionFeatures {
    RegionFeatures(areaFraction: area, dendritePixels: pixels, lateralFraction: lateral, verticalFraction: vertical,
                   coherence: coherence, holes: holes, skeletonLengthPx: holesPerMm > 0 ? Double(holes) / holesPerMm * 1000 / 0.25 : 1000,
                   junctions: 0, pixelSizeMicrometres: widthUm == nil ? nil : 0.25,
                   meanWidthMicrometres: widthUm, meanWidthPx: widthPx, taper: nil, darkPhase: dark)
}

@Suite("Morphology classifier")
struct ClassifierTests {
    let classifier = MorphologyClassifier()

    @Test("lateral bands without loops are stripe")
    func stripe() {
        #expect(classifier.classify(features(lateral: 0.8, vertical: 0.05)).label == .stripe)
    }

    @Test("isotropic and loopy is network")
    func network() {
        // 300 holes of a 4-px-wide mesh in 5000 px: loop index 300 · 16 / 5000 · 1000 = 960.
        #expect(classifier.classify(features(lateral: 0.35, vertical: 0.3, coherence: 0.4, holesPerMm: 40, holes: 300, widthPx: 4)).label == .network)
    }

    @Test("isotropic but without a single enclosed hole is not a network (no particle is wrapped)")
    func networkNeedsHoles() {
        let d = classifier.classify(features(lateral: 0.34, vertical: 0.33, coherence: 0.4, holes: 0, widthPx: 4))
        #expect(d.label != .network)
        #expect(d.scores["network"] == 0)
    }

    @Test("bridged stripes with a few loops stay stripe")
    func bridgedStripes() {
        // 22 holes, 3.8 px wide, 41388 px (a benchmark stripe band): loop index 7.7; lateral 0.99.
        let f = features(pixels: 41388, lateral: 0.99, vertical: 0.004, holesPerMm: 17, holes: 22, widthPx: 3.8)
        #expect(abs(f.loopIndex - 22 * 3.8 * 3.8 / 41388 * 1000) < 1e-9)
        #expect(classifier.classify(f).label == .stripe)
    }

    @Test("the header's worked example: bright thin vertical growth is a flame (0.9, confidence 1), dark is vertical (1)")
    func workedExample() {
        let bright = classifier.classify(features(lateral: 0.10, vertical: 0.80, widthUm: 0.8))
        #expect(bright.label == .flame)
        #expect(abs(bright.scores["flame"]! - 0.9) < 1e-12 && abs(bright.scores["vertical"]! - 0.1) < 1e-12)
        #expect(bright.scores["network"] == 0 && bright.scores["stripe"] == 0)
        #expect(bright.confidence == 1)
        let dark = classifier.classify(features(lateral: 0.10, vertical: 0.80, widthUm: 0.8, dark: true))
        #expect(dark.label == .vertical && dark.scores["vertical"] == 1 && dark.scores["flame"] == 0)
    }

    @Test("a label's reason quotes the orientation tolerance its fractions were counted with")
    func reasonQuotesTolerance() {
        let f = features(lateral: 0.8, vertical: 0.05)
        #expect(classifier.classify(f).reason.contains("within 30° of the interface"))
        #expect(MorphologyClassifier(orientationToleranceDegrees: 22.5).classify(f).reason.contains("within 22.5° of the interface"))
    }

    @Test("wide bright vertical tongues are flame; thin or dark ones are vertical needles")
    func flameVersusNeedle() {
        #expect(classifier.classify(features(lateral: 0.05, vertical: 0.85, widthUm: 6)).label == .flame)
        // A thin bright tip is still a flame by default (Li-In does not form needles) ...
        #expect(classifier.classify(features(lateral: 0.05, vertical: 0.85, widthUm: 0.8)).label == .flame)
        // ... unless bright needles are allowed by the thresholds.
        var t = MorphologyThresholds()
        t.brightNeedles = true
        #expect(MorphologyClassifier(thresholds: t).classify(features(lateral: 0.05, vertical: 0.85, widthUm: 0.8)).label == .vertical)
        // Dark (Li) vertical structures are needles whatever their width.
        #expect(classifier.classify(features(lateral: 0.05, vertical: 0.85, widthUm: 6, dark: true)).label == .vertical)
        #expect(classifier.classify(features(lateral: 0.05, vertical: 0.85, widthUm: 0.8, dark: true)).label == .vertical)
    }

    @Test("too little phase is none")
    func none() {
        #expect(classifier.classify(features(area: 0.001, lateral: 0.9, vertical: 0)).label == .none)
        #expect(classifier.classify(features(pixels: 10, lateral: 0.9, vertical: 0)).label == .none)
    }

    @Test("confidence lies in [0, 1] and is higher for a clear case than an ambiguous one")
    func confidence() {
        let clear = classifier.classify(features(lateral: 0.9, vertical: 0.02))
        let vague = classifier.classify(features(lateral: 0.5, vertical: 0.3))
        #expect((0 ... 1).contains(clear.confidence) && (0 ... 1).contains(vague.confidence))
        #expect(clear.confidence > vague.confidence)
    }

    @Test("thresholds can be overridden from JSON; unknown keys are refused with the list of known ones")
    func config() throws {
        let t = try MorphologyThresholds.decode(json: Data(#"{"needleMaximumWidthMicrometres": 10, "brightNeedles": true}"#.utf8))
        #expect(t.needleMaximumWidthMicrometres == 10)
        #expect(t.minimumAreaFraction == MorphologyThresholds().minimumAreaFraction)
        // With a 10 µm needle limit, a 6 µm bright tongue counts as a needle.
        #expect(MorphologyClassifier(thresholds: t).classify(features(lateral: 0.05, vertical: 0.85, widthUm: 6)).label == .vertical)
        #expect(throws: MorphologyConfigError.self) { _ = try MorphologyThresholds.decode(json: Data(#"{"bogus": 1}"#.utf8)) }
    }
}

@Suite("Region feature units")
struct RegionFeatureUnitTests {
    @Test("densities per px and per mm of skeleton; per mm is null without a calibration")
    func densities() throws {
        // 4 holes and 2 junctions along 2000 px of skeleton at 0.5 µm/px = 1 mm.
        var f = features(lateral: 0.5, vertical: 0.5, holes: 4, widthUm: 1)
        f.skeletonLengthPx = 2000; f.junctions = 2; f.pixelSizeMicrometres = 0.5
        #expect(f.holesPerKilopixelOfSkeleton == 2)
        #expect(f.holesPerMillimetreOfSkeleton == 4)
        #expect(f.junctionsPerMillimetreOfSkeleton == 2)
        f.pixelSizeMicrometres = nil
        #expect(f.holesPerMillimetreOfSkeleton == nil)
        let json = String(decoding: try JSONEncoder().encode(f), as: UTF8.self)
        #expect(json.contains("\"holes_per_mm_skeleton\":null"))
        #expect(json.contains("\"holes_per_1000px_skeleton\":2"))
    }
}
