import DendrometerCore
import DendrometerBatch
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `dendrometer` binary next to the test bundle, or `nil`.
let dendrometerBinary: String? = {
    var candidates: [URL] = []
    for bundle in Bundle.allBundles + [Bundle.main] {
        var dir = bundle.bundleURL
        for _ in 0 ..< 4 {
            candidates.append(dir.appendingPathComponent("dendrometer"))
            dir.deleteLastPathComponent()
        }
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
}()

@Suite struct KillResumeTests {
    /// Runs the binary to completion; returns the exit status.
    static func run(_ binary: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test(.enabled(if: dendrometerBinary != nil, "dendrometer binary not built (run swift build first)"))
    func killNineMidBatchThenResume() throws {
        let binary = dendrometerBinary!
        let out = Fixture.output("kill")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["batch", Fixture.input, "--out", out, "--jobs", "1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill as soon as the first image record is committed (the batch is then mid-way).
        let deadline = Date().addingTimeInterval(120)
        var killedEarly = false
        while p.isRunning && Date() < deadline {
            let records = (try? FileManager.default.subpathsOfDirectory(atPath: out + "/json"))?.filter { $0.hasSuffix(".tif.json") } ?? []
            if !records.isEmpty {
                kill(p.processIdentifier, SIGKILL)
                killedEarly = true
                break
            }
            usleep(5_000)
        }
        p.waitUntilExit()
        #expect(killedEarly, "the batch finished or hung before the first record appeared")
        if killedEarly {
            #expect(p.terminationReason == .uncaughtSignal)
            #expect(!FileManager.default.fileExists(atPath: out + "/images.csv"))
        }
        let recorded = BatchTables.recordedPaths(in: out).count
        #expect(recorded < 7)

        // Resume to completion.
        let status = try Self.run(binary, ["batch", Fixture.input, "--out", out, "--jobs", "2"])
        #expect(status == 1)  // the three bad files
        let header = try CSV.parse(Fixture.read(out + "/images.csv"))[0]
        let files = try Fixture.rows(out + "/images.csv").map { $0[header.firstIndex(of: "file")!] }
        #expect(files == BatchRunTests.good)
        #expect(try Fixture.rows(out + "/failures.csv").map { $0[0] } == BatchRunTests.bad)
        #expect(try Fixture.rows(out + "/regions.csv").count == 3 * BatchRunTests.good.count)

        // The same tables as an uninterrupted run of the binary.
        let clean = Fixture.output("clean")
        #expect(try Self.run(binary, ["batch", Fixture.input, "--out", clean]) == 1)
        #expect(Fixture.tableBytes(clean) == Fixture.tableBytes(out))
        // merge of one folder reproduces it too; usage errors exit 64.
        #expect(try Self.run(binary, ["merge", clean, "--out", clean + "-m"]) == 1)
        #expect(Fixture.tableBytes(clean + "-m") == Fixture.tableBytes(out))
        #expect(try Self.run(binary, ["batch", "--out", clean]) == 64)
        #expect(try Self.run(binary, ["batch", Fixture.input, "--out", clean, "--shard", "3/2"]) == 64)
    }
}
