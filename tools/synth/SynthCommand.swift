// dendrometer-synth: renders synthetic SEM cross-sections with ground truth,
// the fixed accuracy-benchmark set and the repository samples, and scores
// analysis results against truth. The library (DendrometerSynthetic) does the
// work; this file only parses arguments and prints.

import ArgumentParser
import DendrometerSynthetic
import Foundation

@main
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrometer-synth",
        abstract: "Synthetic BSE/EDX cross-sections with exact ground truth, and the accuracy benchmark.",
        subcommands: [RenderCommand.self, BenchmarkSetCommand.self, TrainingSetCommand.self, SamplesCommand.self, ScoreCommand.self]
    )
}

/// Writes one scene and prints a one-line summary.
func emit(_ spec: SceneSpec, name: String, out: String, truthOut: String? = nil, labels: Bool = false) throws {
    let start = Date()
    let scene: SyntheticScene
    do { scene = try render(spec) } catch { throw ValidationError("\(name): \(error)") }
    let files: WrittenScene
    do { files = try write(scene, to: out, stem: name, truthDirectory: truthOut, labels: labels) } catch { throw RuntimeError("\(name): \(error)") }
    let t = scene.truth
    let ms = Date().timeIntervalSince(start) * 1000
    print(String(format: "%@  %@  %@ anode=%@ max=%.1f px p95=%.1f px regions=%@%@  (%.0f ms)",
                 name, (files.image as NSString).lastPathComponent, spec.vendor.rawValue, t.anodeSide.rawValue,
                 t.maxDepthPixels, t.p95DepthPixels,
                 t.regions.map { "\($0.name):\($0.label.rawValue)" }.joined(separator: ","),
                 t.shortCircuit ? " SHORT" : "", ms))
}

struct RuntimeError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render one scene from a JSON spec (SceneSpec; only `seed` is required).",
        discussion: """
        Keys (defaults in brackets): seed, width [512], height [512] (scanned field, px), pixelSizeMicrometres [0.1],
        anodeSide bottom|top|left|right [bottom], tiltDegrees [0], curvature (sagitta / length) [0],
        anodeThicknessMicrometres [5], electrolyteThicknessMicrometres [none: cathode out of view],
        polarity bright|dark [bright], layout fig3|stripe|network|flame|vertical|none [fig3], zoneDepthMicrometres [30],
        noiseSigma [8], shotElectronsPerLevel [none], blurSigmaPixels [0.8], scanLineSigma [2], chargingAmplitude [10],
        bitDepth 8|12|16 [8], vendor fei|zeiss|imagej|jeol|tescan|hitachi|none [fei], fileFormat tif|png|bmp,
        dataBar true|false, edx [{"element": "In", "factor": 4, "countsPerPixel": 6}].
        Example: {"seed": 1, "anodeSide": "left", "layout": "stripe", "vendor": "jeol"}
        """)

    @Option(help: "Scene spec JSON file.") var spec: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "File stem (default: the spec file's name).") var stem: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: spec) else { throw ValidationError("cannot read \(spec)") }
        let s: SceneSpec
        do { s = try JSONDecoder().decode(SceneSpec.self, from: data) } catch {
            throw ValidationError("\(spec): expected a SceneSpec JSON object (at least {\"seed\": 1}), got: \(error)")
        }
        try emit(s, name: stem ?? ((spec as NSString).lastPathComponent as NSString).deletingPathExtension, out: out)
    }
}

struct BenchmarkSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "benchmark-set", abstract: "Render every scene of the fixed accuracy-benchmark set.")

    @Option(help: "Output folder.") var out: String
    @Option(help: "Only scenes whose name contains this text.") var only: String?
    @Option(help: "Folder for <stem>.truth.json and <stem>.mask.png (default: the output folder). A separate folder keeps `dendrometer batch` from analysing the masks.")
    var truthOut: String?

    func run() throws {
        let start = Date()
        var n = 0
        for b in BenchmarkSet.scenes where only.map({ b.name.contains($0) }) ?? true {
            try emit(b.spec, name: b.name, out: out, truthOut: truthOut)
            n += 1
        }
        print(String(format: "%d scenes in %.2f s → %@", n, Date().timeIntervalSince(start), out))
    }
}

struct TrainingSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training-set",
        abstract: "Render scenes of ONE imaging setting with training label images, for pixel-classifier training and testing.",
        discussion: """
        All scenes share the setting (vendor calibration format and pixel size, field size, bit depth, noise, blur, \
        phase polarity) and differ in seed, zone depth, tilt, bow, anode thickness, morphology layout and anode side.

        Writes <stem>.<ext> (+ sidecar) to --out and <stem>.truth.json, <stem>.mask.png and <stem>_labels.png to \
        --truth-out. Labels (8-bit PNG, full raster): 1 anode layer + dendrite phase, 2 electrolyte, 3 pores and \
        cathode composite, 0 data bar (unlabelled). Stems are tNN_<setting>_<layout>_<side>, in order.

        Settings:
        \(ImagingSetting.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))
        """)

    @Option(help: "Output folder for the micrographs (and vendor sidecars).") var out: String
    @Option(help: "Folder for <stem>.truth.json, <stem>.mask.png and <stem>_labels.png (keep it apart from --out).")
    var truthOut: String
    @Option(help: "Number of scenes (1…999).") var count = 12
    @Option(help: "Imaging setting: \(ImagingSetting.all.map(\.name).joined(separator: ", ")).") var setting = ImagingSetting.liInFEI.name
    @Option(help: "Seed of the set (scene k = 1…count gets seed × 1000 + k).") var seed: UInt64 = 1

    func validate() throws {
        guard (1 ... 999).contains(count) else { throw ValidationError("--count expects 1…999, got \(count)") }
        guard ImagingSetting.named(setting) != nil else {
            throw ValidationError("--setting expects one of \(ImagingSetting.all.map(\.name).joined(separator: ", ")), got '\(setting)'")
        }
        guard seed <= 9_000_000_000_000 else { throw ValidationError("--seed expects at most 9e12 (scene seeds must stay exact in JSON), got \(seed)") }
    }

    func run() throws {
        let start = Date()
        let s = ImagingSetting.named(setting)!
        print("setting \(s.name): \(s.summary)")
        let scenes = SyntheticTrainingSet.scenes(s, count: count, seed: seed)
        for b in scenes { try emit(b.spec, name: b.name, out: out, truthOut: truthOut, labels: true) }
        print(String(format: "%d scenes in %.2f s → %@ (truth, masks, labels → %@)", scenes.count, Date().timeIntervalSince(start), out, truthOut))
    }
}

struct SamplesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "samples", abstract: "Render the small representative scenes for samples/ (≤ 1 MB each).")

    @Option(help: "Output folder.") var out: String

    func run() throws {
        for b in SampleSet.scenes { try emit(b.spec, name: b.name, out: out) }
    }
}

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Compare analysis JSON documents with *.truth.json (calibration, anode side, max/p95 depth, region labels).",
        discussion: "Exit status 0 whatever the score; 1 when the folders or documents cannot be read.")

    @Option(help: "Folder with <stem>.truth.json files.") var truth: String
    @Option(help: "Folder (searched recursively) with analysis documents <stem>.json or <stem>.<ext>.json.") var results: String

    func run() throws {
        do {
            let report = try Scorer.score(truthDir: truth, resultsDir: results)
            print(report.text, terminator: "")
        } catch {
            FileHandle.standardError.write(Data("dendrometer-synth: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
