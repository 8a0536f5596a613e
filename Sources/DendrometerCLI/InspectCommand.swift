import ArgumentParser
import Dendrometer

/// `dendrometer inspect FILE... [--json]`
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show size, sample format, pages, compression, calibration and data bar of image files.",
        discussion: """
        The format is recognised from the file's content. The pixel size comes from \
        vendor metadata (source reported as fei, zeiss, jeol, hitachi, tescan, imagej), \
        from --pixel-size (source user), or is null (source none) with a warning. \
        Plain TIFF DPI is never taken as a calibration unless --trust-tiff-resolution.
        """)

    @Argument(help: "Image files (TIFF, PNG, BMP).")
    var files: [String]

    @Flag(help: "Print JSON (one object per file; an array when several files are given).")
    var json = false

    @OptionGroup var calibration: CalibrationArguments

    func run() throws {
        var reports = [InspectionReport]()
        var failed = 0
        for file in files {
            do {
                let micrograph = try Micrograph.open(file, options: calibration.micrographOptions)
                let report = InspectionReport(micrograph)
                if json { reports.append(report) } else { emit(report.summary) }
            } catch {
                reportFailure(error.description)
                failed += 1
            }
        }
        if json {
            if files.count == 1, let only = reports.first {
                emit(try ReportJSON.encode(only))
            } else if files.count > 1 {
                emit(try ReportJSON.encode(reports))
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
