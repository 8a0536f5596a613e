import DendrometerCore
import DendrometerIO
import DendrometerTestSupport
import Foundation
import Testing
@testable import DendrometerSynthetic

func tempDir() -> String {
    Scratch.file("synth")
}

/// Mean length of runs of phase pixels along rows (horizontal) or columns (vertical).
func meanRun(_ m: BinaryMask, horizontal: Bool) -> Double {
    var runs = 0, total = 0
    let (outer, inner) = horizontal ? (m.height, m.width) : (m.width, m.height)
    for o in 0 ..< outer {
        var run = 0
        for i in 0 ... inner {
            let on = i < inner && (horizontal ? m[i, o] : m[o, i])
            if on { run += 1 } else if run > 0 { runs += 1; total += run; run = 0 }
        }
    }
    return runs == 0 ? 0 : Double(total) / Double(runs)
}

@Suite("Rendering and files")
struct RenderTests {
    @Test("same seed → identical bytes in every written file; another seed differs")
    func determinism() throws {
        var spec = SceneSpec(seed: 9, width: 96, height: 80, pixelSizeMicrometres: 0.2, tiltDegrees: 4, layout: .fig3,
                             zoneDepthMicrometres: 10, shotElectronsPerLevel: 2, vendor: .fei, edx: [EDXSpec(element: "In", factor: 4)])
        let a = tempDir(), b = tempDir()
        let fa = try write(try render(spec), to: a, stem: "s")
        let fb = try write(try render(spec), to: b, stem: "s")
        for (pa, pb) in zip([fa.image, fa.truth, fa.mask] + fa.edx, [fb.image, fb.truth, fb.mask] + fb.edx) {
            #expect(FileManager.default.contents(atPath: pa) == FileManager.default.contents(atPath: pb), "\(pa)")
        }
        spec.seed = 10
        #expect(try render(spec).image != (try render(SceneSpec(seed: 9, width: 96, height: 80, pixelSizeMicrometres: 0.2, tiltDegrees: 4,
                                                                  layout: .fig3, zoneDepthMicrometres: 10, shotElectronsPerLevel: 2, vendor: .fei))).image)
    }

    @Test("file raster = field + data bar; 8/12/16-bit ranges; the bar rows are in the truth", arguments: [8, 12, 16])
    func rasterShape(bits: Int) throws {
        let spec = SceneSpec(seed: 3, width: 100, height: 80, pixelSizeMicrometres: 0.5, bitDepth: bits, vendor: .fei)
        let scene = try render(spec)
        #expect(spec.dataBarRows == 16)
        #expect(scene.image.width == 100 && scene.image.height == 96 && scene.image.bitDepth == bits)
        #expect(scene.truth.dataBar == PixelRect(x: 0, y: 80, width: 100, height: 16))
        #expect(scene.truth.field == PixelRect(x: 0, y: 0, width: 100, height: 80))
        let values = scene.image.asFloat().pixels
        #expect(values.max()! <= Float((1 << bits) - 1))
        #expect(values.max()! > Float((1 << bits) - 1) * 0.9)      // bar ink is full white
        #expect(scene.dendriteMask.height == 96 && (80 ..< 96).allSatisfy { y in (0 ..< 100).allSatisfy { !scene.dendriteMask[$0, y] } })
    }

    @Test("EDX map size = scanned field / k; In counts are high over Li-In and low over the electrolyte")
    func edxMaps() throws {
        let spec = SceneSpec(seed: 5, width: 64, height: 48, pixelSizeMicrometres: 1, anodeThicknessMicrometres: 16,
                             layout: .none, zoneDepthMicrometres: 0, vendor: .fei,
                             edx: [EDXSpec(element: "In", factor: 4, countsPerPixel: 20), EDXSpec(element: "S", factor: 8, countsPerPixel: 20)])
        let scene = try render(spec)
        #expect(scene.edxMaps.map(\.image.width) == [16, 8])
        #expect(scene.edxMaps.map(\.image.height) == [12, 6])
        let inMap = scene.edxMaps[0].image
        // Interface at row 48 − 1 − 16 = 31: map rows 0…6 (field rows 0…27) are electrolyte, rows 8…11 (32…47) anode.
        let top = (0 ..< 7 * 16).map { Double(inMap.pixels[$0]) }.reduce(0, +) / Double(7 * 16)
        let bottom = (8 * 16 ..< 12 * 16).map { Double(inMap.pixels[$0]) }.reduce(0, +) / Double(4 * 16)
        #expect(top < 2 && bottom > 15)
    }

    @Test("morphologies differ measurably: stripes run along the interface, whiskers and flames across it")
    func orientationContrast() throws {
        func mask(_ layout: MorphologyLayout, dark: Bool = false) throws -> BinaryMask {
            var s = quietSpec(160, 160, layout: layout, zone: 20, seed: 77)
            s.pixelSizeMicrometres = 0.2
            if dark { s.polarity = .dark }
            return try render(s).dendriteMask
        }
        let stripe = try mask(.stripe), whisker = try mask(.vertical, dark: true), flame = try mask(.flame)
        #expect(meanRun(stripe, horizontal: true) > 4 * meanRun(stripe, horizontal: false))
        #expect(meanRun(whisker, horizontal: false) > 4 * meanRun(whisker, horizontal: true))
        #expect(meanRun(flame, horizontal: false) > meanRun(flame, horizontal: true))
    }

    @Test("invalid specs are refused with a message saying what was expected")
    func validation() {
        #expect(throws: SyntheticError.self) { try render(SceneSpec(seed: 1, pixelSizeMicrometres: 0)) }
        #expect(throws: SyntheticError.self) { try render(SceneSpec(seed: 1, bitDepth: 10)) }
        #expect(throws: SyntheticError.self) { try render(SceneSpec(seed: 1, vendor: .fei, fileFormat: .png)) }
        #expect(throws: SyntheticError.self) { try render(SceneSpec(seed: 1, edx: [EDXSpec(element: "In", factor: 9)])) }
        do { _ = try render(SceneSpec(seed: 1, bitDepth: 10)) } catch {
            #expect(error.description.contains("expected a bit depth of 8, 12 or 16, got 10"))
        }
    }

    @Test("a spec JSON with only a seed decodes with the defaults")
    func specDefaults() throws {
        let s = try JSONDecoder().decode(SceneSpec.self, from: Data(#"{"seed": 5, "anodeSide": "left", "edx": [{"element": "In", "factor": 2, "countsPerPixel": 3}]}"#.utf8))
        #expect(s == SceneSpec(seed: 5, anodeSide: .left, edx: [EDXSpec(element: "In", factor: 2, countsPerPixel: 3)]))
        let round = try JSONDecoder().decode(SceneSpec.self, from: JSONEncoder().encode(s))
        #expect(round == s)
    }
}
