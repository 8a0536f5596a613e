import DendrometerTestSupport
import Foundation
import Testing

@Suite("compare command")
struct CompareCommandTests {
    /// A batch folder with just an images.csv (manifest columns group, cell before file).
    func folder() throws -> String {
        let dir = Scratch.file("dm-cmpcli")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "group,cell,file,area_fraction\nLi,c1,a.tif,0.2\nLi,c2,b.tif,0.3\n".write(toFile: dir + "/images.csv", atomically: true, encoding: .utf8)
        return dir
    }

    @Test("an unknown --by column is one line naming it and the available columns, exit 64")
    func unknownByColumn() throws {
        let dir = try folder()
        let r = try CLI.run(["compare", dir, "--by", "nonexistent", "--out", dir + "/cmp"])
        #expect(r.status == 64)
        #expect(r.stderr == "dendrometer: --by: no column 'nonexistent' in images.csv; available: group, cell (manifest); file, area_fraction "
            + "(see dendrometer compare --help)\n")
        #expect(!r.stderr.contains("USAGE") && !r.stdout.contains("USAGE"))
    }

    @Test("writes the tidy tables and names them")
    func writesTables() throws {
        let dir = try folder()
        let r = try CLI.run(["compare", dir, dir, "--labels", "A,B", "--out", dir + "/cmp"])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["compare_groups.csv", "compare_tests.csv", "compare_metrics.csv", "compare_composition.csv", "compare_orientation.csv", "compare.html"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/cmp/\(name)") && r.stdout.contains(name))
        }
    }
}
