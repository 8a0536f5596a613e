import ArgumentParser
import Dendrometer

/// `dendrometer`: the command-line face of the Dendrometer library.
@main
struct DendrometerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrometer",
        abstract: "Measure dendrites in SEM/EDX cross-sections of solid-state batteries.",
        discussion: """
        Reads BSE/EDX micrographs (TIFF, PNG, BMP), takes the pixel size from the \
        microscope's own metadata (FEI/Thermo, Zeiss, JEOL, Hitachi, TESCAN, ImageJ), \
        ignores the SEM data bar, and reports calibrated measurements.

        Exit status: 0 all inputs processed; 1 some inputs failed (the others are \
        still processed); 64 bad usage.

        Every output field (JSON keys, table columns, mask TIFFs) is defined, with its \
        formula, unit and frame, in docs/metrics.md of the source distribution; the \
        command line and the methods in docs/REFERENCE.md. Cite with CITATION.cff.
        """,
        version: DendrometerVersion.current,
        subcommands: [InspectCommand.self, AnalyzeCommand.self, BatchCommand.self, MergeCommand.self, CompareCommand.self,
                      ReportCommand.self, SkeletonCommand.self, TrainCommand.self, ParametersCommand.self, BenchCommand.self]
    )

    /// Entry point: freed image buffers are reused (see ``ProcessMemory``), a
    /// misspelt DENDROMETER_VECTORS is reported, then the arguments are parsed and run.
    /// Bad usage is one line, `dendrometer: <what is wrong> (see --help)`, exit 64; help,
    /// version and the commands' own exit codes behave as usual.
    static func main() {
        ProcessMemory.reuseLargeBuffers()
        if let ignored = VectorKernels.ignoredRequest { reportFailure("warning: \(ignored)") }
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                reportFailure(usageLine(for: error, arguments: arguments))
                exit(withError: ExitCode.validationFailure)
            }
            exit(withError: error)
        }
    }

    /// The one line for a usage error: the parser's message without its "Error: " prefix and
    /// usage block, pointing at the subcommand's help.
    static func usageLine(for error: Error, arguments: [String]) -> String {
        var text = message(for: error)
        if let first = text.split(separator: "\n", omittingEmptySubsequences: true).first { text = String(first) }
        if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
        let names = configuration.subcommands.map { $0._commandName }
        let sub = arguments.first { names.contains($0) }
        return "\(text) (see dendrometer \(sub.map { "\($0) " } ?? "")--help)"
    }
}
