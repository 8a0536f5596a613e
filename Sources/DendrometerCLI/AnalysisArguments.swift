import ArgumentParser
import Dendrometer
import Foundation

/// Analysis options shared by `analyze` and `batch` (DESIGN.md §2).
struct AnalysisArguments: ParsableArguments {
    @Option(help: ArgumentHelp("What the dendrite phase looks like: auto, bright (Li-In), dark (Li) or edx:ELEMENT (e.g. edx:In).", valueName: "phase"))
    var phase = "auto"

    @Option(help: ArgumentHelp("Where the anode layer is: auto, bottom, top, left or right.", valueName: "side"))
    var anode = "auto"

    @Option(help: ArgumentHelp("Regions for per-region statistics: auto (bottom/middle/top depth bands), whole, grid:RxC, or a JSON file of rectangles [{\"name\",\"x\",\"y\",\"w\",\"h\",\"unit\":\"px\"|\"um\"}].", valueName: "regions"))
    var regions = "auto"

    @Option(name: .customLong("edx"), help: ArgumentHelp("EDX map of an element, ELEMENT=FILE (repeatable), e.g. In=cell3_In.tif. Maps cover the image without its data bar.", valueName: "element=file"))
    var edx: [String] = []

    @Option(help: ArgumentHelp("JSON file overriding classifier thresholds (keys of MorphologyThresholds).", valueName: "file"))
    var config: String?

    func validate() throws {
        guard PhaseChoice(argument: phase) != nil else {
            throw ValidationError("--phase expects auto, bright, dark or edx:ELEMENT, got '\(phase)'")
        }
        guard anode == "auto" || AnodeSide(rawValue: anode) != nil else {
            throw ValidationError("--anode expects auto, bottom, top, left or right, got '\(anode)'")
        }
        if RegionChoice(argument: regions) == nil && !regions.lowercased().hasSuffix(".json") {
            throw ValidationError("--regions expects auto, whole, grid:RxC or a .json file, got '\(regions)'")
        }
        for e in edx where e.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--edx expects ELEMENT=FILE, got '\(e)'")
        }
    }

    /// EDX map files by element.
    var edxFiles: [String: String] {
        Dictionary(edx.map { e in
            let parts = e.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        }, uniquingKeysWith: { _, last in last })
    }

    /// The library options, loading the regions file, config file and EDX maps.
    /// - Throws: a one-line error naming the file that could not be used.
    func analysisOptions(maximumPixels: Int) throws -> AnalysisOptions {
        var o = AnalysisOptions()
        o.phase = PhaseChoice(argument: phase)!
        o.anode = AnodeSide(rawValue: anode)
        if let r = RegionChoice(argument: regions) {
            o.regions = r
        } else {
            guard let data = FileManager.default.contents(atPath: regions) else {
                throw CLIError("\(regions): cannot read the regions file")
            }
            do { o.regions = .rectangles(try JSONDecoder().decode([RegionRectangle].self, from: data)) } catch {
                throw CLIError("\(regions): expected a JSON list of {\"name\",\"x\",\"y\",\"w\",\"h\",\"unit\"}: \(error.localizedDescription)")
            }
        }
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else { throw CLIError("\(config): cannot read the config file") }
            do { o.thresholds = try MorphologyThresholds.decode(json: data) } catch {
                throw CLIError("\(config): \(error)")
            }
        }
        for (element, file) in edxFiles {
            do { o.edxMaps[element] = try ImageFile.read(file, options: ReadOptions(maximumPixels: maximumPixels)).image.asFloat() }
            catch { throw CLIError(error.description) }
        }
        return o
    }
}

/// A one-line user-facing error from the command-line layer.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
