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
