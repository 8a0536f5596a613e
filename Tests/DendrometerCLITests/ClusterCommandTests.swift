import Foundation
import Testing

/// The cluster-facing behaviour of `batch` and `merge` through the built binary: threads follow
/// the CPUs the process may use, a sharded run's merge says when it is incomplete (exit status 3)
/// and is complete after the missing shard ran, and inputs that name no image fail the run.
@Suite("Cluster commands")
struct ClusterCommandTests {
    static func folder(_ name: String) throws -> String { try CLI.folderWithSmallImage("dm-cluster-\(name)") }

    static let taskset = "/usr/bin/taskset"

    @Test("under taskset -c 0 a batch runs one worker with one kernel thread by default",
          .enabled(if: FileManager.default.isExecutableFile(atPath: taskset), "taskset is not installed"))
    func oneCPU() throws {
        let dir = try Self.folder("taskset")
        try FileManager.default.copyItem(atPath: dir + "/in/small.tif", toPath: dir + "/in/second.tif")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.taskset)
        process.arguments = ["-c", "0", CLI.executable.path, "batch", dir + "/in", "--out", dir + "/out", "--overlay", "none"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("dendrometer: batch: 2 inputs; 1 worker × 1 kernel thread (CPUs: 1 of "), "\(text)")
    }

    @Test("merge --run exits 3 and lists the input no shard analysed; after that shard ran it exits 0")
    func incompleteMerge() throws {
        let dir = try Self.folder("merge")
        let record = dir + "/out dir/run.txt"
        // Shard 1 of 2 first: the start line says whether it holds the one input.
        let first = try CLI.run(["batch", dir + "/in", "--out", dir + "/out dir/shards/0", "--shard", "1/2", "--run", record, "--overlay", "none"])
        #expect(first.status == 0, "\(first.stderr)")
        let holdsIt = first.stderr.contains("batch: 1 in shard 1/2 of 1 inputs")
        #expect(holdsIt || first.stderr.contains("batch: 0 in shard 1/2 of 1 inputs"), "\(first.stderr)")
        let shardDirs = [dir + "/out dir/shards/0", dir + "/out dir/shards/1"]
        let merged = dir + "/out dir/merged"
        if holdsIt {
            // Then the other shard is empty: run it, the merge is complete at once.
            let second = try CLI.run(["batch", dir + "/in", "--out", shardDirs[1], "--shard", "2/2", "--run", record])
            #expect(second.status == 0, "\(second.stderr)")
        } else {
            let partial = try CLI.run(["merge", "--run", record, "--out", merged] + shardDirs)
            #expect(partial.status == 3, "\(partial.stderr)")
            #expect(partial.stderr.contains("dendrometer: small.tif: not analysed by any shard yet"), "\(partial.stderr)")
            #expect(try String(contentsOfFile: merged + "/missing.csv", encoding: .utf8) == "file\nsmall.tif\n")
            #expect(FileManager.default.fileExists(atPath: merged + "/INCOMPLETE.txt"))
            // Resubmitting only the missing task with the recorded shard count completes it.
            let second = try CLI.run(["batch", dir + "/in", "--out", shardDirs[1], "--shard", "2/2", "--run", record, "--overlay", "none"])
            #expect(second.status == 0, "\(second.stderr)")
        }
        // A task with another shard count is refused, naming the recorded one.
        let wrong = try CLI.run(["batch", dir + "/in", "--out", shardDirs[1], "--shard", "1/1", "--run", record])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("this run was started with 2 shards"), "\(wrong.stderr)")
        let complete = try CLI.run(["merge", "--run", record, "--out", merged] + shardDirs)
        #expect(complete.status == 0, "\(complete.stderr)")
        #expect(complete.stdout.contains("1 images merged: 1 image rows, 0 failed"), "\(complete.stdout)")
        #expect(!FileManager.default.fileExists(atPath: merged + "/missing.csv"))
        #expect(!FileManager.default.fileExists(atPath: merged + "/INCOMPLETE.txt"))
    }

    @Test("a folder without images fails the batch with a one-line message")
    func noImages() throws {
        let dir = try Self.folder("empty")
        try FileManager.default.createDirectory(atPath: dir + "/nothing", withIntermediateDirectories: true)
        let r = try CLI.run(["batch", dir + "/nothing", "--out", dir + "/out"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("dendrometer: found no image in the inputs"), "\(r.stderr)")
    }
}
