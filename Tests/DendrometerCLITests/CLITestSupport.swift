import DendrometerTestSupport
import Foundation

/// Runs the built `dendrometer` executable and captures its output.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The `dendrometer` binary next to the test bundle in the build folder.
    static let executable: URL = {
        var dir = Bundle.main.bundleURL
        for _ in 0 ..< 4 {
            let candidate = dir.appendingPathComponent("dendrometer")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        // `swift test` puts the test bundle and the products in the same folder.
        for bundle in Bundle.allBundles {
            let candidate = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("dendrometer")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: ".build/debug/dendrometer")
    }()

    /// The package root (for samples/).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh temporary folder `NAME-UUID` (removed when the tests end) holding `in/small.tif` (a copy of the small Li sample).
    static func folderWithSmallImage(_ name: String) throws -> String {
        let dir = Scratch.directory(name)
        try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("samples/li_vertical_imagej16.tif").path,
                                         toPath: dir + "/in/small.tif")
        return dir
    }

    static func run(_ arguments: [String]) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}
