import ArgumentParser
import Dendrometer
import Foundation

/// `dendrometer skeleton MASK [--pixel-size V] [--prune LEN] [--json] [--branches CSV]`
struct SkeletonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skeleton",
        abstract: "Skeleton graph and connectivity of a binary mask (non-zero = phase), exactly as the analysis computes them.",
        discussion: """
        The mask is taken as given: no smoothing, no speck or hole removal, so its components \
        and holes are those of the input. Thinning keeps topology, also for objects touching \
        the border: by default it is scikit-image's skeletonize bit for bit (--thinning guo-hall \
        for a skeleton one pixel wide everywhere). skan_length_px is the total skan reports on \
        the same skeleton; length_px measures branches node to node with each junction cluster \
        merged into one node, so it is a few % longer on dense networks. Branches, endpoints, junctions and \
        branch types follow skan (0 endpoint–endpoint, 1 junction–endpoint, 2 junction–junction, \
        3 cycle); adjacent junction pixels form one junction.
        """)

    @Argument(help: "Binary mask image (TIFF, PNG, BMP); every non-zero pixel is phase.")
    var mask: String

    @Option(parsing: .unconditional, help: "Remove junction–endpoint spurs shorter than this: px (e.g. 5) or a length with unit (e.g. 1um).")
    var prune: String?

    @Option(help: ArgumentHelp("Thinning: zhang (default: bit for bit skimage.morphology.skeletonize, the skeleton skan users measure) or guo-hall (one pixel wide everywhere, tapered tips a few px shorter).", valueName: "zhang|guo-hall"))
    var thinning: ThinningMethod = AnalysisParameters().skeleton.thinning

    @Option(help: "Write the branch table (skan-like columns) to this CSV file.")
    var branches: String?

    @Flag(help: "Print JSON instead of a summary.")
    var json = false

    @OptionGroup var calibration: CalibrationArguments

    func validate() throws {
        if let p = prune, Double(p) == nil, (try? PixelSize(parsing: p)) == nil {
            throw ValidationError("--prune expects a length in px (e.g. 5) or with a unit (e.g. 1um), got '\(p)'")
        }
    }

    func run() throws {
        do {
            let m = try Micrograph.open(mask, options: MicrographOptions(read: calibration.micrographOptions.read,
                                                                         calibration: calibration.micrographOptions.calibration,
                                                                         detectDataBar: false))
            let image = m.image.asFloat()
            let binary = BinaryMask(image) { $0 != 0 }
            var prunePx = 0.0
            if let p = prune {
                if let px = Double(p) { prunePx = px } else {
                    guard let size = m.calibration.pixelSize else {
                        throw CLIError("\(mask): --prune \(p) needs a calibration (metadata or --pixel-size)")
                    }
                    prunePx = try PixelSize(parsing: p).micrometres / size.micrometres
                }
            }
            let analysis = try MaskSkeletonAnalysis(mask: binary, calibration: m.calibration, pruneLengthPx: prunePx,
                                                    thinning: thinning)
            if let branches {
                try AtomicFile.write(text: analysis.graph.branchTableCSV(), to: branches)
            }
            if json {
                emit(try ReportJSON.encode(analysis.report))
            } else {
                let s = analysis.graph.summary
                let len = s.lengthUm.map { String(format: "%.2f µm (%.1f px)", $0, s.lengthPx) } ?? String(format: "%.1f px", s.lengthPx)
                emit("""
                \(mask)
                  thinning      \(thinning.rawValue)
                  skeleton      \(len), \(s.branches) branches \(s.branchTypes.sorted { $0.key < $1.key }.map { "type \($0.key): \($0.value)" }.joined(separator: ", "))
                  nodes         \(s.endpoints) endpoints, \(s.junctions) junctions, \(s.cycles) cycles
                  connectivity  \(analysis.topology.components) components, \(analysis.topology.holes) holes, Euler number \(analysis.topology.eulerNumber)
                """)
            }
        } catch let e as ImageIOError {
            reportFailure(e.description)
            throw ExitCode(1)
        } catch let e as CLIError {
            reportFailure(e.description)
            throw ExitCode(1)
        } catch {
            reportFailure("\(mask): \(error)")
            throw ExitCode(1)
        }
    }
}
