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
        """,
        version: DendrometerVersion.current,
        subcommands: [InspectCommand.self, AnalyzeCommand.self, BatchCommand.self, MergeCommand.self, CompareCommand.self,
                      ReportCommand.self, SkeletonCommand.self, TrainCommand.self, ParametersCommand.self, BenchCommand.self]
    )

    /// Entry point: freed image buffers are reused (see ``ProcessMemory``), a
    /// misspelt DENDROMETER_VECTORS is reported, then the arguments are parsed and run.
    static func main() {
        ProcessMemory.reuseLargeBuffers()
        if let ignored = VectorKernels.ignoredRequest { reportFailure("warning: \(ignored)") }
        main(nil)
    }
}
