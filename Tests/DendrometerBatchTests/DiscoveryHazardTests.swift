import DendrometerBatch
import DendrometerCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Entries a batch must never open (a named pipe blocks, /dev/zero never ends) and folders it
/// cannot list become failure rows; the good images still finish.
@Suite("Discovery hazards")
struct DiscoveryHazardTests {
    @Test("a FIFO and a /dev/zero symlink among the images: two failure rows, the good image analysed, no hang")
    func specialFiles() throws {
        let dir = Fixture.output("hazard-in")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let good = try #require(FileManager.default.contents(atPath: Fixture.input + "/li_vertical.tif"))
        #expect(FileManager.default.createFile(atPath: dir + "/good.tif", contents: good))
        #expect(mkfifo(dir + "/pipe.tif", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir + "/zero.tif", withDestinationPath: "/dev/zero")
        #expect(BatchInputs.specialFileKind(dir + "/pipe.tif") == "a named pipe")
        #expect(BatchInputs.specialFileKind(dir + "/zero.tif") == "a character device")
        #expect(BatchInputs.specialFileKind(dir + "/good.tif") == nil)

        let items = try BatchInputs.discover([dir])
        #expect(items.map(\.relativePath) == ["good.tif", "pipe.tif", "zero.tif"])
        let out = Fixture.output("hazard-out")
        let outcome = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(outcome.analysed == 1)
        #expect(outcome.failures.map(\.file) == ["pipe.tif", "zero.tif"])
        #expect(outcome.failures.allSatisfy { $0.error.contains("not a regular file") })
        #expect(outcome.exitStatus == 1)
    }
}

@Suite("Manifest checks")
struct ManifestCheckTests {
    func manifest(_ text: String) -> String {
        let dir = Fixture.output("manifest")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/m.csv"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func error(_ path: String) -> String? {
        do { _ = try Manifest.read(path); return nil } catch { return error.description }
    }

    @Test("columns that collide with the output tables', repeated columns, too many columns, a pipe: one clear error each")
    func refused() throws {
        for reserved in ["file", "json", "input_hash", "settings_hash"] {
            #expect(error(manifest("image,\(reserved)\na.tif,x\n"))?.contains("column '\(reserved)' is one of the output tables' own columns") == true)
        }
        #expect(error(manifest("image,group,group\na.tif,x,y\n"))?.contains("column 'group' appears twice") == true)
        let wide = "image," + (0 ..< Manifest.maximumColumns).map { "c\($0)" }.joined(separator: ",") + "\n"
        #expect(error(manifest(wide))?.contains("at most \(Manifest.maximumColumns)") == true)
        let dir = Fixture.output("manifest-fifo")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(mkfifo(dir + "/m.csv", 0o644) == 0)
        #expect(error(dir + "/m.csv")?.contains("a named pipe, not a regular file") == true)
        #expect(error(manifest("image,group,cycles\na.tif,Li,50\n")) == nil)
    }
}

@Suite("Environmental failures are retried")
struct RetryTests {
    @Test("an output that cannot be written is a failure row, and a resume after the fix completes the image")
    func writeFailureThenResume() throws {
        let (input, out) = try Fixture.goodImageFolder("retry")
        // A plain file where the overlay folder goes: every overlay write fails, even for root.
        #expect(FileManager.default.createFile(atPath: out + "/overlays", contents: Data("in the way".utf8)))
        let items = try BatchInputs.discover([input], outputDirectory: out)
        let first = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(first.analysed == 0 && first.failures.map(\.file) == ["good.tif"])
        try FileManager.default.removeItem(atPath: out + "/overlays")
        let second = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(second.analysed == 1 && second.failures.isEmpty)
        #expect(try Fixture.rows(out + "/images.csv").count == 1)
    }
}

@Suite("One batch per output folder")
struct OutputLockTests {
    @Test("a lock held by a live process refuses the batch with one line; a stale one is taken over and removed after")
    func lock() throws {
        let (input, out) = try Fixture.goodImageFolder("lock")
        let lockPath = out + "/.dendrometer-batch.lock"
        let host = ProcessInfo.processInfo.hostName
        let items = try BatchInputs.discover([input], outputDirectory: out)
        // pid 1 is always alive.
        #expect(FileManager.default.createFile(atPath: lockPath, contents: Data("1 \(host)\n".utf8)))
        do {
            _ = try BatchRunner.run(items, configuration: Fixture.configuration(out))
            Issue.record("ran while the folder was locked")
        } catch {
            #expect(error.description.contains("another batch (pid 1 on \(host)) is writing here"), "\(error)")
        }
        // A pid that cannot exist (above Linux's pid_max limit of 2^22).
        #expect(FileManager.default.createFile(atPath: lockPath, contents: Data("99999999 \(host)\n".utf8)))
        let outcome = try BatchRunner.run(items, configuration: Fixture.configuration(out))
        #expect(outcome.analysed == 1)
        #expect(!FileManager.default.fileExists(atPath: lockPath))
    }
}

@Suite("Sequential batches into one folder")
struct SequentialBatchTests {
    @Test("a second batch on other inputs keeps the first one's rows; its outcome is its own")
    func keepsEarlierRows() throws {
        let good = try #require(FileManager.default.contents(atPath: Fixture.input + "/li_vertical.tif"))
        let a = Fixture.output("seq-a"), b = Fixture.output("seq-b")
        for d in [a, b] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        #expect(FileManager.default.createFile(atPath: a + "/first.tif", contents: good))
        #expect(FileManager.default.createFile(atPath: b + "/second.tif", contents: good))
        #expect(FileManager.default.createFile(atPath: b + "/broken.tif", contents: Data("not an image".utf8)))
        let out = Fixture.output("seq-out")
        let first = try BatchRunner.run(try BatchInputs.discover([a]), configuration: Fixture.configuration(out))
        #expect(first.analysed == 1 && first.failures.isEmpty)
        let second = try BatchRunner.run(try BatchInputs.discover([b]), configuration: Fixture.configuration(out))
        #expect(second.total == 2 && second.analysed == 1 && second.failures.map(\.file) == ["broken.tif"])
        let header = try CSV.parse(Fixture.read(out + "/images.csv"))[0]
        let files = try Fixture.rows(out + "/images.csv").map { $0[header.firstIndex(of: "file")!] }
        #expect(files == ["first.tif", "second.tif"])
        // A third run on the first folder again: its outcome has no failure, the table still lists the broken file.
        let third = try BatchRunner.run(try BatchInputs.discover([a]), configuration: Fixture.configuration(out))
        #expect(third.failures.isEmpty && third.exitStatus == 0)
        #expect(try Fixture.rows(out + "/failures.csv").map { $0[0] } == ["broken.tif"])
    }
}

extension Fixture {
    /// A fresh input folder holding one good image (`good.tif`) and an empty output folder.
    static func goodImageFolder(_ name: String) throws -> (input: String, out: String) {
        let input = output("\(name)-in"), out = output("\(name)-out")
        for d in [input, out] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        let good = try #require(FileManager.default.contents(atPath: Fixture.input + "/li_vertical.tif"))
        #expect(FileManager.default.createFile(atPath: input + "/good.tif", contents: good))
        return (input, out)
    }
}
