import ArgumentParser
import Dendrometer
import Foundation

/// Shared option groups and output helpers for the subcommands.
struct CalibrationArguments: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Pixel size with its unit, overriding the file's metadata (e.g. 0.25um, 250nm).",
        valueName: "size"))
    var pixelSize: String?

    @Flag(name: .long, help: "Accept plain TIFF XResolution/ResolutionUnit (cm or inch) as a calibration. Off by default: SEM software writes screen DPI there.")
    var trustTiffResolution = false

    @Option(name: .long, parsing: .unconditional, help: "Page to read from multi-page TIFFs, 0 = first.")
    var page = 0

    @Option(name: .long, parsing: .unconditional, help: "Refuse images with more pixels than this.")
    var maxPixels = ReadOptions.defaultMaximumPixels

    func validate() throws {
        if let text = pixelSize {
            do { _ = try PixelSize.parsingPixelSize(text) } catch { throw ValidationError("--pixel-size: \(error)") }
        }
        if page < 0 { throw ValidationError("--page must be 0 or more, got \(page)") }
        if maxPixels <= 0 { throw ValidationError("--max-pixels must be positive, got \(maxPixels)") }
    }

    /// The library options these arguments describe.
    var micrographOptions: MicrographOptions {
        MicrographOptions(
            read: ReadOptions(page: page, maximumPixels: maxPixels),
            calibration: CalibrationOptions(userPixelSize: pixelSize.flatMap { try? PixelSize.parsingPixelSize($0) },
                                            trustTIFFResolution: trustTiffResolution))
    }
}

/// Writes one error line `dendrometer: FILE: what is wrong` to standard error.
func reportFailure(_ message: String) {
    FileHandle.standardError.write(Data("dendrometer: \(message)\n".utf8))
}

/// Writes a line to standard output.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The bytes of a small text file given on the command line (a config or regions file):
/// refuses what is not a regular file (a pipe or device would block or never end) and
/// anything over `limit` bytes, with one line naming the file.
func readSmallFile(_ path: String, what: String, limit: Int = 16 << 20) throws -> Data {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
        throw CLIError("\(path): \(FileManager.default.fileExists(atPath: path) ? "cannot read the \(what)" : "no such \(what)")")
    }
    guard attributes[.type] as? FileAttributeType == .typeRegular else { throw CLIError("\(path): the \(what) is not a regular file") }
    let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
    guard size <= limit else { throw CLIError("\(path): the \(what) has \(size) bytes; expected at most \(limit)") }
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(path): cannot read the \(what) (no read permission)") }
    return data
}

/// `--thinning guo-hall|zhang`.
extension ThinningMethod: ExpressibleByArgument {}

/// `--overlay full|preview|none`.
extension OverlaySize: ExpressibleByArgument {}
extension OverlayFormat: ExpressibleByArgument {}
