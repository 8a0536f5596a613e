import DendrometerCore
import DendrometerIO
import Foundation
import Testing
@testable import DendrometerSynthetic

@Suite("Training labels and training sets")
struct SyntheticTrainingSetTests {
    @Test("flat interface, one bar, data bar: 1 exactly on anode ∪ dendrite (+ the bar's depth-0 foot), 0 on the data bar, 2 / 3 (pores) elsewhere")
    func labelsExact() throws {
        // As TruthTests.flatBar: interface row 39; the bar fills rows 20…39 of columns 30…32;
        // row 39 of the bar lies on the interface (depth 0): phase, but in neither mask.
        var spec = quietSpec(64, 48)
        spec.dataBar = true
        let scene = try SceneRenderer.render(spec) { c in
            for h in 0 ..< 20 { for x in 30 ... 32 { c.set(x, h, MorphologyLabel.vertical.code) } }
        }
        let labels = scene.trainingLabels()
        #expect(spec.dataBarRows == 16)
        #expect(labels.width == scene.image.width && labels.height == scene.image.height && labels.height == 64)
        guard case .uint8(let img) = scene.image else { Issue.record("expected an 8-bit image"); return }
        var pores = 0
        for y in 0 ..< 64 {
            for x in 0 ..< 64 {
                let l = labels.pixels[y * 64 + x]
                if y >= 48 { #expect(l == 0, "data bar (\(x), \(y))"); continue }
                let phase = scene.anodeMask[x, y] || scene.dendriteMask[x, y] || ((30 ... 32).contains(x) && y == 39)
                #expect((l == TrainingLabel.phase.rawValue) == phase, "(\(x), \(y)) label \(l)")
                if !phase {
                    // Noise-free, unblurred: pores are drawn at ~58, electrolyte grains at 100 ± 12 (boundaries −12).
                    let grey = img.pixels[y * 64 + x]
                    #expect(l == (grey < 66 ? TrainingLabel.other.rawValue : TrainingLabel.electrolyte.rawValue), "(\(x), \(y)) grey \(grey) label \(l)")
                    if l == TrainingLabel.other.rawValue { pores += 1 }
                }
            }
        }
        #expect(pores > 0 && pores < 64 * 48 / 20)
    }

    @Test("the cathode composite beyond the electrolyte thickness is class 3")
    func cathodeIsOther() throws {
        // Interface row 39, electrolyte 20 px: rows 0…18 are cathode (height above the interface > 20).
        var spec = quietSpec(64, 48)
        spec.electrolyteThicknessMicrometres = 20
        let labels = try render(spec).trainingLabels()
        for y in 0 ..< 48 {
            let row = labels.pixels[y * 64 ..< (y + 1) * 64]
            if y < 19 { #expect(row.allSatisfy { $0 == 3 }, "row \(y)") }
            else if y <= 39 { #expect(row.allSatisfy { $0 == 2 || $0 == 3 } && row.contains(2), "row \(y)") }
            else { #expect(row.allSatisfy { $0 == 1 }, "row \(y)") }
        }
    }

    @Test("all four sides, tilted Fig.-3 scene: phase ⊇ anode ∪ dendrite, the rest of phase touches the anode, 0 only on the bar", arguments: AnodeSide.allCases)
    func labelsEverySide(side: AnodeSide) throws {
        let spec = SceneSpec(seed: 21, width: 120, height: 96, pixelSizeMicrometres: 0.2, anodeSide: side, tiltDegrees: 5,
                             anodeThicknessMicrometres: 2, layout: .fig3, zoneDepthMicrometres: 8, vendor: .fei)
        let scene = try render(spec)
        let labels = scene.trainingLabels()
        let w = 120, h = 96
        #expect(labels.height == h + spec.dataBarRows)
        var extra = 0
        for y in 0 ..< labels.height {
            for x in 0 ..< w {
                let l = labels.pixels[y * w + x]
                if y >= h { #expect(l == 0); continue }
                #expect(l != 0)
                let masked = scene.anodeMask[x, y] || scene.dendriteMask[x, y]
                if masked { #expect(l == 1, "(\(x), \(y))") }
                if l == 1 && !masked {
                    extra += 1
                    let touches = [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)].contains { d in
                        let u = x + d.0, v = y + d.1
                        return u >= 0 && u < w && v >= 0 && v < h && scene.anodeMask[u, v]
                    }
                    #expect(touches, "phase pixel (\(x), \(y)) in neither mask must lie on the interface")
                }
            }
        }
        #expect(extra <= max(w, h))
    }

    @Test("training set: same seed → same specs, another seed → other specs; names sorted and unique", arguments: ImagingSetting.all)
    func deterministic(setting: ImagingSetting) {
        let a = SyntheticTrainingSet.scenes(setting, count: 12, seed: 3)
        let b = SyntheticTrainingSet.scenes(setting, count: 12, seed: 3)
        let c = SyntheticTrainingSet.scenes(setting, count: 12, seed: 4)
        #expect(a == b)
        #expect(a.map(\.spec) != c.map(\.spec))
        #expect(a.count == 12)
        #expect(a.map(\.name) == a.map(\.name).sorted() && Set(a.map(\.name)).count == 12)
        #expect(a[0].name.hasPrefix("t01_\(setting.name)_") && a[11].name.hasPrefix("t12_"))
        #expect(Set(a.map(\.spec.seed)).count == 12)
    }

    @Test("training set scenes share the imaging setting and vary depth, tilt, layout and side", arguments: ImagingSetting.all)
    func sharedSetting(setting: ImagingSetting) throws {
        let scenes = SyntheticTrainingSet.scenes(setting, count: 12, seed: 1)
        for s in scenes {
            #expect(setting.matches(s.spec), "\(s.name)")
            try s.spec.validate()
        }
        struct Fixed: Hashable {
            var w, h, bits: Int; var px, noise, blur, scan, charging: Double; var shot: Double?
            var vendor: VendorConvention; var format: SyntheticFileFormat; var bar: Bool; var polarity: PhasePolarity
        }
        let fixed = Set(scenes.map { s in
            let p = s.spec
            return Fixed(w: p.width, h: p.height, bits: p.bitDepth, px: p.pixelSizeMicrometres, noise: p.noiseSigma, blur: p.blurSigmaPixels,
                         scan: p.scanLineSigma, charging: p.chargingAmplitude, shot: p.shotElectronsPerLevel, vendor: p.vendor,
                         format: p.resolvedFileFormat, bar: p.hasDataBar, polarity: p.polarity)
        })
        #expect(fixed.count == 1)
        #expect(Set(scenes.map(\.spec.zoneDepthMicrometres)).count == 12)
        #expect(Set(scenes.map(\.spec.tiltDegrees)).count > 6)
        #expect(Set(scenes.map(\.spec.layout)) == Set(setting.layouts))
        #expect(Set(scenes.map(\.spec.anodeSide)) == Set(setting.sides))
        // Depths are stratified: every twelfth of the range holds one scene.
        let r = setting.zoneDepthMicrometres
        let strata = Set(scenes.map { min(11, Int((($0.spec.zoneDepthMicrometres - r.lowerBound) / (r.upperBound - r.lowerBound) * 12))) })
        #expect(strata.count >= 11)     // rounding to 0.1 µm may push one onto a neighbouring stratum's edge
        // A scene of another setting does not match.
        let other = ImagingSetting.all.first { $0 != setting }!
        #expect(!other.matches(scenes[0].spec))
        #expect(ImagingSetting.named(setting.name) == setting)
    }

    @Test("the built-in settings render without clamps: dendrites stay inside the field")
    func settingsFit() throws {
        for setting in ImagingSetting.all {
            // The extreme case: deepest zone, thickest anode, steepest tilt and bow, on the short axis.
            let spec = setting.spec(seed: 1, layout: setting.layouts[0], side: .bottom, zoneDepthMicrometres: setting.zoneDepthMicrometres.upperBound,
                                    tiltDegrees: setting.tiltDegrees.upperBound, curvature: setting.curvature.upperBound,
                                    anodeThicknessMicrometres: setting.anodeThicknessMicrometres.upperBound)
            let t = try render(spec).truth
            #expect(t.notes.isEmpty, "\(setting.name): \(t.notes)")
            #expect(!t.shortCircuit, "\(setting.name)")
        }
    }

    @Test("write(labels: true) writes <stem>_labels.png beside the truth, equal to trainingLabels(), and names it in the truth JSON")
    func writesLabels() throws {
        var small = ImagingSetting.liZeiss
        small.width = 96; small.height = 80; small.zoneDepthMicrometres = 2 ... 4; small.anodeThicknessMicrometres = 1 ... 2
        let b = SyntheticTrainingSet.scenes(small, count: 3, seed: 2)[1]
        let scene = try render(b.spec)
        let dir = tempDir(), truthDir = tempDir()
        let files = try write(scene, to: dir, stem: b.name, truthDirectory: truthDir, labels: true)
        #expect(files.labels == (truthDir as NSString).appendingPathComponent("\(b.name)_labels.png"))
        let read = try ImageFile.read(files.labels!)
        #expect(read.image == .uint8(scene.trainingLabels()))
        let truth = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: files.truth)))
        #expect(truth["labels"]?.string == "\(b.name)_labels.png")
        // Without labels: no file, no key.
        let plain = try write(scene, to: tempDir(), stem: "p")
        #expect(plain.labels == nil)
        #expect(try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: plain.truth)))["labels"] == nil)
    }
}

extension ImagingSetting: CustomTestStringConvertible {
    public var testDescription: String { name }
}
