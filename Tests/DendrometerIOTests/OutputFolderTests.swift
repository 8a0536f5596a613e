import DendrometerTestSupport
import Foundation
import Testing
@testable import DendrometerIO

@Suite("Output folders: created, or a reason that names what is in the way")
struct OutputFolderTests {
    @Test("nested folders are created; an existing folder is fine")
    func creates() throws {
        let root = Scratch.directory("dm-folder")
        try OutputFolder.create(root + "/a/b/c")
        try OutputFolder.create(root + "/a/b/c")
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: root + "/a/b/c", isDirectory: &isFolder) && isFolder.boolValue)
    }

    @Test("a file where a folder is needed is named, for the folder itself and for a file written below it")
    func fileInTheWay() throws {
        let root = Scratch.directory("dm-folder")
        #expect(FileManager.default.createFile(atPath: root + "/out", contents: Data("x".utf8)))
        #expect(throws: OutputFolderError(path: root + "/out/run1", reason: "\(root)/out is a file, not a folder")) {
            try OutputFolder.create(root + "/out/run1")
        }
        #expect(throws: OutputFolderError(path: root + "/out", reason: "\(root)/out is a file, not a folder")) {
            try OutputFolder.create(root + "/out")
        }
        let error = #expect(throws: ImageIOError.self) { try AtomicFile.write(text: "{}", to: root + "/out/run1/a.json") }
        #expect(error?.description == "\(root)/out/run1/a.json: cannot write: cannot create directory \(root)/out/run1: \(root)/out is a file, not a folder")
    }

    @Test("a folder without write permission is named (not as root, who may write anywhere)",
          .enabled(if: getuid() != 0))
    func noPermission() throws {
        let root = Scratch.directory("dm-folder")
        try FileManager.default.createDirectory(atPath: root + "/locked", withIntermediateDirectories: true)
        #expect(chmod(root + "/locked", 0o555) == 0)
        defer { _ = chmod(root + "/locked", 0o755) }
        #expect(throws: OutputFolderError(path: root + "/locked/run", reason: "no permission to write in \(root)/locked")) {
            try OutputFolder.create(root + "/locked/run")
        }
        #expect(throws: OutputFolderError(path: root + "/locked", reason: "no permission to write in \(root)/locked")) {
            try OutputFolder.create(root + "/locked")
        }
    }
}
