@testable import DendrometerIO
import DendrometerTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Atomic writes")
struct AtomicFileTests {
    /// The pid of a process that has exited (and been reaped).
    static func deadPid() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test("temporary files of a dead writer are removed at any depth; a live writer's and look-alikes are kept")
    func staleTemporaries() throws {
        let dir = Scratch.file("atomic")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/json/a", withIntermediateDirectories: true)
        let dead = try Self.deadPid(), live = getppid()
        let stale = ["/.images.csv.tmp-\(dead)-123", "/json/a/.x.tif.json.tmp-\(dead)-4294967295"]
        let kept = ["/.report.html.tmp-\(live)-7", "/images.csv", "/.hidden", "/json/a/.y.tmp-notapid-1", "/json/a/z.tmp-\(dead)-1"]
        for f in stale + kept { #expect(FileManager.default.createFile(atPath: dir + f, contents: Data("x".utf8))) }
        #expect(AtomicFile.removeStaleTemporaries(under: dir) == 2)
        for f in stale { #expect(!FileManager.default.fileExists(atPath: dir + f), "\(f)") }
        for f in kept { #expect(FileManager.default.fileExists(atPath: dir + f), "\(f)") }
    }

    @Test("a write leaves only the destination")
    func writeLeavesNoTemporary() throws {
        let dir = Scratch.file("atomic")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(text: "hello", to: dir + "/out/a.txt")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/out") == ["a.txt"])
        #expect(AtomicFile.removeStaleTemporaries(under: dir) == 0)
    }
}
