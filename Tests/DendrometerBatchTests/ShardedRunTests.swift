import DendrometerCore
import Dendrometer
import DendrometerBatch
import Foundation
import Testing

/// A sharded run as the cluster example runs it: a run record fixed by the first task, shards
/// that may receive no image, a merge that reports every input no shard has analysed (exit
/// status 3) and completes to the tables of one plain run once the missing shard ran.
@Suite("Sharded runs")
struct ShardedRunTests {
    /// Shards of the example: more than the fixture's 7 inputs, so some receive none.
    static let shards = 16

    @Test("the run record: written once, read back, and a task with another shard count or other inputs is refused")
    func record() throws {
        let dir = Fixture.output("record")
        let path = dir + "/run.txt"
        let run = BatchRun(shards: 4, inputs: ["b.tif", "a b/c.tif", "a.tif"])
        #expect(run.inputs == ["a b/c.tif", "a.tif", "b.tif"])
        #expect(run.text == "dendrometer run 1\nshards 4\ninputs 3\na b/c.tif\na.tif\nb.tif\n")
        #expect(try BatchRun.establish(run, at: path) == run)
        #expect(try BatchRun.read(path) == run)
        // A resubmitted task with the same inputs reads the same record.
        #expect(try BatchRun.establish(BatchRun(shards: 4, inputs: ["a.tif", "b.tif", "a b/c.tif"]), at: path) == run)
        #expect(throws: BatchError.self) { try BatchRun.establish(BatchRun(shards: 1, inputs: run.inputs), at: path) }
        #expect(throws: BatchError.self) { try BatchRun.establish(BatchRun(shards: 4, inputs: ["a.tif", "b.tif"]), at: path) }
        #expect(throws: BatchError.self) { try BatchRun.parse("dendrometer run 1\nshards 4\ninputs 3\na.tif\n", path: path) }
        #expect(throws: BatchError.self) { try BatchRun.parse("shards 4\n", path: path) }
    }

    @Test("inputs that name no image are an error, not an empty success")
    func noImages() throws {
        let out = Fixture.output("none")
        #expect(throws: BatchError.noImages) { try BatchRunner.run([], configuration: Fixture.configuration(out)) }
    }

    @Test("a folder given as a symbolic link (absolute or relative, no trailing slash) is searched like the folder")
    func symlinkedFolder() throws {
        let dir = Fixture.output("link")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/abs", withDestinationPath: Fixture.input)
        try FileManager.default.createSymbolicLink(atPath: dir + "/rel", withDestinationPath: "../in")
        let real = try BatchInputs.discover([Fixture.input]).map(\.relativePath)
        #expect(real.count == 7)
        #expect(try BatchInputs.discover([dir + "/abs"]).map(\.relativePath) == real)
        #expect(try BatchInputs.discover([dir + "/rel"]).map(\.relativePath) == real)
    }

    @Test("16 shards over 7 inputs: empty shards merge, a missing shard makes the merge incomplete, running it completes the plain run's tables")
    func shardedRunCompletes() throws {
        let plain = Fixture.output("plain")
        let items = try BatchInputs.discover([Fixture.input], outputDirectory: plain)
        _ = try BatchRunner.run(items, configuration: Fixture.configuration(plain))

        let root = Fixture.output("sharded")
        let record = root + "/run.txt"
        let dirs = (0 ..< Self.shards).map { "\(root)/shards/\($0)" }
        let members = try (1 ... Self.shards).map { k in try items.filter { try Shard(index: k, count: Self.shards).contains($0.relativePath) }.map(\.relativePath) }
        #expect(members.contains { $0.isEmpty })
        // The task of one shard that holds inputs never ran (cancelled, timed out).
        let lost = try #require(members.firstIndex { !$0.isEmpty })
        for k in 0 ..< Self.shards where k != lost {
            var c = Fixture.configuration(dirs[k], shard: try Shard(index: k + 1, count: Self.shards))
            c.runRecord = record
            _ = try BatchRunner.run(items, configuration: c)
            #expect(FileManager.default.fileExists(atPath: dirs[k] + "/json"))
        }
        #expect(try BatchRun.read(record) == BatchRun(shards: Self.shards, inputs: items.map(\.relativePath)))

        let merged = root + "/merged"
        let partial = try BatchMerge.merge(dirs, into: merged, run: try BatchRun.read(record))
        #expect(partial.missing == members[lost].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(partial.exitStatus == BatchOutcome.incompleteExitStatus)
        #expect(partial.total == items.count)
        #expect(try Fixture.rows(merged + "/" + BatchMerge.Incomplete.table) == partial.missing.map { [$0] })
        #expect(FileManager.default.fileExists(atPath: merged + "/" + BatchMerge.Incomplete.marker))
        // The missing inputs are not failures: failures.csv lists only images that were tried.
        let failed = try Fixture.rows(merged + "/failures.csv").map { $0[0] }
        #expect(Set(failed).isDisjoint(with: partial.missing))

        // A task with another shard count is refused; the lost one, resubmitted, completes the run.
        var wrong = Fixture.configuration(dirs[lost], shard: try Shard(index: 1, count: 1))
        wrong.runRecord = record
        #expect(throws: BatchError.self) { try BatchRunner.run(items, configuration: wrong) }
        var again = Fixture.configuration(dirs[lost], shard: try Shard(index: lost + 1, count: Self.shards))
        again.runRecord = record
        _ = try BatchRunner.run(items, configuration: again)
        let complete = try BatchMerge.merge(dirs, into: merged, run: try BatchRun.read(record))
        #expect(complete.missing.isEmpty)
        #expect(complete.exitStatus == 1)   // the fixture's three bad files
        #expect(complete.failures.map(\.file) == BatchRunTests.bad)
        #expect(!FileManager.default.fileExists(atPath: merged + "/" + BatchMerge.Incomplete.table))
        #expect(!FileManager.default.fileExists(atPath: merged + "/" + BatchMerge.Incomplete.marker))
        #expect(Fixture.tableBytes(merged) == Fixture.tableBytes(plain))
        for rel in BatchRunTests.good {
            #expect(Fixture.read(merged + "/json/\(rel).json") == Fixture.read(plain + "/json/\(rel).json"))
        }
    }
}
