import ArgumentParser
import Dendrometer
import Foundation

/// `dendrometer train --image A.tif --labels A_labels.png [--image B --labels B ...] --out MODEL`
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a pixel classifier from a few labelled pixels (like ilastik), for analyze/batch --model.",
        discussion: """
        Label images have the size of their image (or of its scanned field, without the data bar), \
        one grey 8- or 16-bit channel: 0 = unlabelled, 1 = dendrite phase (the anode/substrate layer \
        AND the dendrites), 2 = electrolyte (the matrix the dendrites grow into, or empty background), \
        3 = anything else (pores, cracks, cathode particles, current collector, debris). A few strokes \
        per class are enough; label where the automatic analysis goes wrong. Other numbering is mapped \
        with --map, e.g. --map 2,5=1 --map 3=2 --map 0,1,4=3 (unmapped values are then unlabelled).

        Features are a multi-scale bank (Gaussian, gradient magnitude, Laplacian and difference of \
        Gaussians, Hessian and structure-tensor eigenvalues, σ 0.7-16 px; scales from 3.2 px are \
        computed on a Gaussian pyramid 2, 4 or 8 times coarser, so they cost no more than small \
        ones); when the images are calibrated the scales are kept in µm, so the model applies at \
        other magnifications. Training is deterministic for a given --seed.
        """)

    @Option(name: .customLong("image"), help: ArgumentHelp("A training micrograph (repeatable; pairs with --labels in order).", valueName: "file"))
    var images: [String] = []

    @Option(name: .customLong("labels"), help: ArgumentHelp("Its label image (repeatable).", valueName: "file"))
    var labels: [String] = []

    @Option(help: ArgumentHelp("Model file to write (e.g. cell3.dmpc).", valueName: "file"))
    var out: String

    @Option(name: .customLong("map"), help: ArgumentHelp("Map label values of another convention to a class, FROM[,FROM...]=CLASS (repeatable).", valueName: "rule"))
    var mapRules: [String] = []

    @Option(parsing: .unconditional, help: "Trees in the random forest.")
    var trees = 100

    @Option(parsing: .unconditional, help: "Deepest split of a tree.")
    var maxDepth = 20

    @Option(parsing: .unconditional, help: "Random seed (same seed, same images: the same model, bit for bit).")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Labelled pixels used at most (a stratified sample when there are more).")
    var maxTrainingPixels = 200_000

    @OptionGroup var calibration: CalibrationArguments

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one --image FILE --labels FILE pair") }
        if images.count != labels.count {
            throw ValidationError("each --image needs its --labels: got \(images.count) images and \(labels.count) label images")
        }
        if trees < 1 || trees > 10_000 { throw ValidationError("--trees expects 1 to 10000, got \(trees)") }
        if maxDepth < 1 || maxDepth > 64 { throw ValidationError("--max-depth expects 1 to 64, got \(maxDepth)") }
        if maxTrainingPixels < 100 { throw ValidationError("--max-training-pixels expects at least 100, got \(maxTrainingPixels)") }
    }

    func run() throws {
        let started = Date()
        var examples = [TrainingExample]()
        do {
            let mapping = mapRules.isEmpty ? LabelMapping.identity : try LabelMapping(rules: mapRules)
            for (image, labelFile) in zip(images, labels) {
                let micrograph: Micrograph
                do { micrograph = try Micrograph.open(image, options: calibration.micrographOptions) } catch { throw CLIError(error.description) }
                examples.append(try TrainingSet.example(micrograph, labelsPath: labelFile, mapping: mapping, maximumPixels: calibration.maxPixels))
            }
        } catch {
            reportFailure("\(error)")
            throw ExitCode(1)
        }
        var parameters = TrainingParameters()
        parameters.forest.treeCount = trees
        parameters.forest.maximumDepth = maxDepth
        parameters.forest.seed = seed
        parameters.maximumTrainingPixels = maxTrainingPixels
        // Class 3 ("anything else") is optional: an image may hold only phase and electrolyte.
        let usesOther = examples.contains { $0.labels.pixels.contains(3) }
        parameters.classNames = Array(LabelMapping.classNames.prefix(usesOther ? 3 : 2))
        let model: PixelClassifier
        do { model = try PixelClassifier.train(examples, parameters: parameters) } catch {
            // What is wrong is in the labels (missing classes, sizes): name them.
            reportFailure("\(labels.joined(separator: ", ")): \(error)")
            throw ExitCode(1)
        }
        do { try AtomicFile.write(model.serialized(), to: out) } catch {
            reportFailure(error.description)
            throw ExitCode(1)
        }
        let counts = zip(model.classNames, model.trainingPixelsPerClass).map { "\($1) \($0)" }.joined(separator: ", ")
        emit("""
        \(out)
          trained on   \(images.count) image\(images.count == 1 ? "" : "s"), labelled pixels used: \(counts)
          model        \(model.summary)
          time         \(String(format: "%.1f s", Date().timeIntervalSince(started)))
        """)
    }
}

/// `dendrometer parameters`: the full parameter set with its defaults, as --config reads it.
struct ParametersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parameters",
        abstract: "Print every analysis parameter with its default, as JSON that --config reads (any subset of it).",
        discussion: "Every field is documented in the library (AnalysisParameters); lengths say their unit in the name (Px, Micrometres).")

    @Option(help: ArgumentHelp("Show the set after applying this config file instead of the defaults.", valueName: "file"))
    var config: String?

    func run() throws {
        var p = AnalysisParameters()
        if let config {
            do { p = try ParameterFile.decode(try readSmallFile(config, what: "config file")) } catch let e as CLIError {
                reportFailure(e.description)
                throw ExitCode(1)
            } catch {
                reportFailure("\(config): \(error)")
                throw ExitCode(1)
            }
        }
        emit(try ReportJSON.encode(ParameterFile.tree(of: p)))
    }
}
