import Dendrometer
import Foundation
import Testing

/// `batch` runs each image in a worker process: a timeout or an analysis that dies becomes that
/// image's failure row, the others finish, and a resume after the cause is gone completes it.
@Suite("Batch worker isolation")
struct BatchIsolationTests {
    static func folder(_ name: String) throws -> String { try CLI.folderWithSmallImage("dm-iso-\(name)") }

    @Test("an image over the time limit is a failure row; the next run without the limit completes it")
    func timeout() throws {
        let dir = try Self.folder("timeout")
        let first = try CLI.run(["batch", dir + "/in", "--out", dir + "/out", "--timeout", "0.001"])
        #expect(first.status == 1)
        #expect(first.stderr.contains("small.tif: timed out after 0.001 s (raise it with --timeout)"), "\(first.stderr)")
        let second = try CLI.run(["batch", dir + "/in", "--out", dir + "/out"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("1 images: 1 analysed"), "\(second.stdout)")
    }

    @Test("an analysis that dies at its memory limit is a failure row while the small image finishes; a higher limit completes it")
    func memory() throws {
        let dir = try Self.folder("memory")
        // A 3000 × 3000 16-bit scene: its analysis needs far more than 150 MB (its grey field
        // alone is 36 MB; a 2000² one came to fit in 150 MB once the pipeline held fewer planes).
        let n = 3000
        var pixels = [UInt16](repeating: 20000, count: n * n)
        for y in 4 * n / 5 ..< n { for x in 0 ..< n { pixels[y * n + x] = 50000 } }
        for x in stride(from: 100, to: n - 100, by: 200) { for y in 2 * n / 5 ..< 4 * n / 5 { pixels[y * n + x] = 50000; pixels[y * n + x + 1] = 50000 } }
        try TIFFWriter.write(Image(width: n, height: n, pixels: pixels, bitDepth: 16), to: dir + "/in/large.tif")
        let first = try CLI.run(["batch", dir + "/in", "--out", dir + "/out", "--pixel-size", "0.1um", "--memory-limit", "150MB", "--jobs", "1"])
        #expect(first.status == 1)
        #expect(first.stdout.contains("2 images: 1 analysed"), "\(first.stdout)")
        let failures = try String(contentsOfFile: dir + "/out/failures.csv", encoding: .utf8)
        #expect(failures.contains("large.tif,"), "\(failures)")
        #expect(failures.contains("memory limit"), "\(failures)")
        let second = try CLI.run(["batch", dir + "/in", "--out", dir + "/out", "--pixel-size", "0.1um"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("2 images: 1 analysed, 1 up to date, 0 failed"), "\(second.stdout)")
    }

    @Test("a file whose name starts with a dash reaches its worker as a file, not as an option")
    func dashName() throws {
        let dir = try Self.folder("dash")
        try FileManager.default.moveItem(atPath: dir + "/in/small.tif", toPath: dir + "/in/-x.tif")
        let r = try CLI.run(["batch", dir + "/in", "--out", dir + "/out"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1 images: 1 analysed"), "\(r.stdout)")
    }

    @Test("--overlay none leaves the overlay column empty and removes an earlier overlay; preview writes a small one")
    func overlayChoice() throws {
        let dir = try Self.folder("overlay")
        let full = try CLI.run(["batch", dir + "/in", "--out", dir + "/out"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/out/overlays/small.tif.png"))
        let none = try CLI.run(["batch", dir + "/in", "--out", dir + "/out", "--overlay", "none"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(none.stdout.contains("1 images: 1 analysed"), "a new overlay choice re-analyses: \(none.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/overlays/small.tif.png"))
        let table = try CSV.parse(String(contentsOfFile: dir + "/out/images.csv", encoding: .utf8))
        let column = try #require(table.first?.firstIndex(of: "overlay"))
        #expect(table[1][column] == "")
        let preview = try CLI.run(["batch", dir + "/in", "--out", dir + "/out", "--overlay", "preview"])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/out/overlays/small.tif.png"))
    }
}
