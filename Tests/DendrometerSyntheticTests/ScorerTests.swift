import DendrometerCore
import Foundation
import Testing
@testable import DendrometerSynthetic

private func json(_ s: String) -> JSONValue { try! JSONValue.parse(Data(s.utf8)) }

private let truthA = json("""
{"calibration": {"pixel_size_um": 0.1}, "anode_side": "bottom",
 "penetration": {"max_px": 100, "p95_px": 10, "short_circuit": false},
 "regions": [{"name": "bottom", "morphology": {"label": "network"}},
             {"name": "middle", "morphology": {"label": "stripe"}},
             {"name": "top", "label": "flame"}]}
""")

@Suite("Scorer")
struct ScorerTests {
    @Test("a perfect result scores 100 % everywhere and lists no misses")
    func perfect() {
        let result = json("""
        {"calibration": {"pixel_size_um": 0.1}, "anode_side": "bottom",
         "penetration": {"max_px": 100, "p95_px": 10, "short_circuit": false},
         "regions": [{"name": "top", "morphology": {"label": "flame"}}, {"name": "middle", "morphology": {"label": "stripe"}},
                     {"name": "bottom", "morphology": {"label": "network"}}]}
        """)
        let r = Scorer.score(truths: ["a": truthA], results: ["a": result])
        #expect(r.scenes == 1 && r.matched == 1)
        #expect(r.calibration == Tally(right: 1, total: 1))
        #expect(r.anodeSide == Tally(right: 1, total: 1))
        #expect(r.maxDepth == Tally(right: 1, total: 1) && r.p95Depth == Tally(right: 1, total: 1))
        #expect(r.regionLabels == Tally(right: 3, total: 3))   // matched by name, order ignored
        #expect(r.misses.isEmpty)
    }

    @Test("depth tolerance is max(4 px, 5 %): 100 ± 5 and 10 ± 4 pass, beyond fails")
    func tolerance() {
        #expect(Scorer.depthWithinTolerance(105, truth: 100))
        #expect(Scorer.depthWithinTolerance(95, truth: 100))
        #expect(!Scorer.depthWithinTolerance(105.1, truth: 100))
        #expect(Scorer.depthWithinTolerance(14, truth: 10))
        #expect(!Scorer.depthWithinTolerance(14.5, truth: 10))
        #expect(Scorer.depthWithinTolerance(4, truth: 0))
        #expect(!Scorer.depthWithinTolerance(4.01, truth: 0))
    }

    @Test("misses: wrong side, calibration 2 % off, depth out of tolerance, a wrong and a missing region")
    func misses() {
        let result = json("""
        {"calibration": {"pixel_size_um": 0.102}, "anode_side": "left",
         "penetration": {"max_px": 106, "p95_px": 13.9, "short_circuit": true},
         "regions": [{"name": "bottom", "morphology": {"label": "stripe"}}, {"name": "middle", "morphology": {"label": "stripe"}}]}
        """)
        let r = Scorer.score(truths: ["a": truthA], results: ["a": result])
        #expect(r.calibration == Tally(right: 0, total: 1))
        #expect(r.anodeSide == Tally(right: 0, total: 1))
        #expect(r.maxDepth == Tally(right: 0, total: 1))
        #expect(r.p95Depth == Tally(right: 1, total: 1))
        #expect(r.shortCircuit == Tally(right: 0, total: 1))
        #expect(r.regionLabels == Tally(right: 1, total: 3))
        #expect(r.misses.count == 1)
        let line = r.misses[0]
        #expect(line.hasPrefix("a: "))
        #expect(line.contains("anode_side left vs truth bottom"))
        #expect(line.contains("region bottom: stripe vs truth network"))
        #expect(line.contains("region top: missing vs truth flame"))
        #expect(abs(r.meanAbsMaxErrorPx - 6) < 1e-12 && abs(r.meanAbsP95ErrorPx - 3.9) < 1e-12)
    }

    @Test("calibration: null = null is right, 0.5 % off is right, null vs a value is wrong")
    func calibrationRules() {
        let uncal = json(#"{"calibration": {"pixel_size_um": null}, "anode_side": "top", "penetration": {"max_px": 0, "p95_px": 0, "short_circuit": false}, "regions": []}"#)
        #expect(Scorer.score(truths: ["u": uncal], results: ["u": uncal]).calibration.percent == 100)
        let near = json(#"{"calibration": {"pixel_size_um": 0.1005}}"#)
        let none = json(#"{"calibration": {"pixel_size_um": null}}"#)
        #expect(Scorer.score(truths: ["a": truthA], results: ["a": near]).calibration.right == 1)
        #expect(Scorer.score(truths: ["a": truthA], results: ["a": none]).calibration.right == 0)
    }

    @Test("a missing result document counts as a miss for every criterion")
    func missingResult() {
        let r = Scorer.score(truths: ["a": truthA, "b": truthA], results: ["a": truthA])
        #expect(r.scenes == 2 && r.matched == 1)
        #expect(r.anodeSide == Tally(right: 1, total: 2))
        #expect(r.regionLabels == Tally(right: 3, total: 6))
        #expect(r.misses == ["b: no result document"])
        #expect(r.text.contains("anode side right            1/2         50.0 %"))
    }

    @Test("folders: X.truth.json matches json/X.tif.json (batch layout) and Y.json (analyze layout); unreadable folders throw")
    func folders() throws {
        let truthDir = tempDir(), resultDir = tempDir()
        try FileManager.default.createDirectory(atPath: truthDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: resultDir + "/json/sub", withIntermediateDirectories: true)
        try truthA.text().write(toFile: truthDir + "/X.truth.json", atomically: true, encoding: .utf8)
        try truthA.text().write(toFile: truthDir + "/Y.truth.json", atomically: true, encoding: .utf8)
        try truthA.text().write(toFile: resultDir + "/json/sub/X.tif.json", atomically: true, encoding: .utf8)
        try truthA.text().write(toFile: resultDir + "/Y.json", atomically: true, encoding: .utf8)
        let r = try Scorer.score(truthDir: truthDir, resultsDir: resultDir)
        #expect(r.scenes == 2 && r.matched == 2 && r.misses.isEmpty)
        #expect(throws: SyntheticError.self) { try Scorer.score(truthDir: truthDir + "/nope", resultsDir: resultDir) }
        #expect(throws: SyntheticError.self) { try Scorer.score(truthDir: resultDir, resultsDir: resultDir) }
    }
}

@Suite("Benchmark set")
struct BenchmarkSetTests {
    @Test("≥ 30 valid scenes with unique names covering sides, vendors, layouts, tilts, pixel sizes, bit depths, EDX, sizes")
    func coverage() throws {
        let s = BenchmarkSet.scenes
        #expect(s.count >= 30)
        #expect(Set(s.map(\.name)).count == s.count)
        for b in s { try b.spec.validate() }
        let specs = s.map(\.spec)
        #expect(Set(specs.map(\.anodeSide)) == Set(AnodeSide.allCases))
        #expect(Set(specs.map(\.vendor)) == Set(VendorConvention.allCases))
        #expect(Set(specs.map(\.layout)) == Set(MorphologyLayout.allCases))
        #expect(Set(specs.map(\.bitDepth)) == [8, 12, 16])
        #expect(specs.contains { $0.edx.isEmpty } && specs.contains { !$0.edx.isEmpty })
        #expect(specs.allSatisfy { abs($0.tiltDegrees) <= 10 } && specs.contains { $0.tiltDegrees <= -8 } && specs.contains { $0.tiltDegrees >= 8 })
        #expect(specs.contains { $0.curvature != 0 })
        #expect(specs.map(\.pixelSizeMicrometres).min() == 0.05 && specs.map(\.pixelSizeMicrometres).max() == 2)
        #expect(specs.allSatisfy { (512 ... 1536).contains($0.width) && (512 ... 1536).contains($0.height) })
        #expect(specs.contains { $0.resolvedFileFormat == .png } && specs.contains { $0.resolvedFileFormat == .bmp })
        #expect(specs.contains { $0.electrolyteThicknessMicrometres != nil })
        #expect(specs.contains { $0.polarity == .dark })
    }
}

@Suite("Sample set")
struct SampleSetTests {
    @Test("samples: FEI with In+S maps, ImageJ 16-bit Li vertical, JEOL left, Zeiss stripe; every raster ≤ 1 MB uncompressed")
    func samples() throws {
        let s = SampleSet.scenes.map(\.spec)
        #expect(s.map(\.vendor) == [.fei, .imagej, .jeol, .zeiss])
        #expect(s[0].edx.map(\.element) == ["In", "S"] && s[0].layout == .fig3)
        #expect(s[1].bitDepth == 16 && s[1].layout == .vertical && s[1].polarity == .dark)
        #expect(s[2].anodeSide == .left && s[2].resolvedFileFormat == .png)
        #expect(s[3].layout == .stripe)
        for spec in s {
            try spec.validate()
            #expect(spec.width * (spec.height + spec.dataBarRows) * (spec.bitDepth == 8 ? 1 : 2) <= 1_000_000)
        }
    }
}
