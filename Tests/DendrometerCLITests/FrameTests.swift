import Dendrometer
import DendrometerTestSupport
import Foundation
import Testing

/// Every output of `analyze` lies on the original raster, also when the data bar is at the top
/// (the analysed field then starts below row 0): masks, skeleton, depth map and branch table.
@Suite("Output frames")
struct FrameTests {
    /// The FEI sample turned upside down (data bar at the top, anode at the top), without metadata.
    static func flippedSample(in dir: URL) throws -> String {
        let loaded = try ImageFile.read(CLI.packageRoot.appendingPathComponent("samples/li-in_fig3_fei.tif").path)
        let image = try #require({ if case let .uint8(i) = loaded.image { return i }; return nil }() as Image<UInt8>?)
        var flipped = image
        for y in 0 ..< image.height {
            let from = (image.height - 1 - y) * image.width
            flipped.pixels.replaceSubrange(y * image.width ..< (y + 1) * image.width, with: image.pixels[from ..< from + image.width])
        }
        let path = dir.appendingPathComponent("flipped.tif").path
        try TIFFWriter.write(flipped, to: path)
        return path
    }

    @Test("data bar at the top: branch ends on skeleton pixels, depth map on mask pixels, all in the full raster")
    func dataBarAtTop() throws {
        let dir = URL(fileURLWithPath: Scratch.file("dm-frame"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let image = try Self.flippedSample(in: dir)
        let r = try CLI.run(["analyze", image, "--pixel-size", "0.05um", "--save-masks", "--overlay", "none", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("flipped.json"))) as? [String: Any])
        let bar = try #require(json["data_bar"] as? [String: Any])
        #expect(bar["y"] as? Int == 0 && (bar["h"] as? Int ?? 0) > 0)      // the 43-row bar, now at the top
        func read(_ name: String) throws -> Image<Float> { try ImageFile.read(dir.appendingPathComponent(name).path).image.asFloat() }
        let skeleton = try read("flipped.skeleton.tif"), mask = try read("flipped.mask.tif"), depth = try read("flipped.depth.tif")
        #expect(skeleton.width == 768 && skeleton.height == 619 && depth.width == 768 && depth.height == 619)
        // Every branch's end nodes sit on skeleton pixels of the full-raster skeleton TIFF.
        let table = try CSV.parse(String(contentsOf: dir.appendingPathComponent("flipped.branches.csv"), encoding: .utf8))
        let header = table[0]
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name)) }
        let (r0, c0, r1, c1) = (try column("image_coord_src_0"), try column("image_coord_src_1"), try column("image_coord_dst_0"), try column("image_coord_dst_1"))
        let rows = table.dropFirst().filter { $0.count == header.count }
        #expect(rows.count > 100)
        var onSkeleton = 0
        for row in rows {
            let a = skeleton[Int(row[c0])!, Int(row[r0])!], b = skeleton[Int(row[c1])!, Int(row[r1])!]
            if a != 0 && b != 0 { onSkeleton += 1 }
        }
        #expect(onSkeleton == rows.count)
        // The depth map holds a value exactly on mask pixels, and its maximum is the reported max depth.
        var maxDepth = -Float.infinity, misplaced = 0
        for i in 0 ..< depth.pixels.count {
            let d = depth.pixels[i]
            if (mask.pixels[i] != 0) != !d.isNaN { misplaced += 1 }
            if !d.isNaN { maxDepth = max(maxDepth, d) }
        }
        #expect(misplaced == 0)
        let maxUm = try #require((json["penetration"] as? [String: Any])?["max_um"] as? Double)
        #expect(abs(Double(maxDepth) - maxUm) < 1e-4)
        // Branch depths never exceed the deepest dendrite pixel.
        let md = try column("max_depth")
        #expect(rows.allSatisfy { Double($0[md])! <= maxUm * (1 + 1e-6) })   // JSON depths pass through float32
    }

    @Test("--interface with the detected interface's own points gives the same depths; --exclude drops the phase in its areas")
    func givenInterfaceAndExclude() throws {
        let dir = URL(fileURLWithPath: Scratch.file("dm-given"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sample = "samples/li-in_fig3_fei.tif"
        let auto = try CLI.run(["analyze", sample, "--overlay", "none", "--json", "--out", dir.appendingPathComponent("auto").path])
        #expect(auto.status == 0, "\(auto.stderr)")
        let detected = try #require(try JSONSerialization.jsonObject(with: Data(auto.stdout.utf8)) as? [String: Any])
        let points = try #require((detected["interface"] as? [String: Any])?["points_px"] as? [[Double]])
        // The interface handed back as a JSON polyline (and as the ROI set the analysis wrote).
        let line = dir.appendingPathComponent("line.json")
        try JSONSerialization.data(withJSONObject: ["points": points, "unit": "px"]).write(to: line)
        for given in [line.path, dir.appendingPathComponent("auto/li-in_fig3_fei.rois.zip").path] {
            let r = try CLI.run(["analyze", sample, "--interface", given, "--overlay", "none", "--json", "--out", dir.appendingPathComponent("given").path])
            #expect(r.status == 0, "\(r.stderr)")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let a = try #require(detected["penetration"] as? [String: Any]), b = try #require(doc["penetration"] as? [String: Any])
            for key in ["max_px", "p95_px"] {
                #expect(abs((a[key] as! Double) - (b[key] as! Double)) < 1e-3, "\(given) \(key)")
            }
            #expect(((doc["interface"] as? [String: Any])?["reason"] as? String)?.hasPrefix("given by --interface") == true)
        }
        // Exclude the top 300 rows: no dendrite pixel is left there, so max depth ≤ the interface's lowest row − 299.5.
        let rect = ImageJROI(name: "top", shape: .rectangle(x: 0, y: 0, width: 768, height: 300))
        try ImageJROI.writeSet([rect], to: dir.appendingPathComponent("top.zip").path)
        let r = try CLI.run(["analyze", sample, "--exclude", dir.appendingPathComponent("top.zip").path, "--save-masks", "--overlay", "none", "--json",
                             "--out", dir.appendingPathComponent("excl").path])
        #expect(r.status == 0, "\(r.stderr)")
        let mask = try ImageFile.read(dir.appendingPathComponent("excl/li-in_fig3_fei.mask.tif").path).image.asFloat()
        #expect((0 ..< 300 * 768).allSatisfy { mask.pixels[$0] == 0 })
        #expect((mask.pixels[(300 * 768)...].contains { $0 != 0 }))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((doc["warnings"] as? [String] ?? []).contains { $0.contains("in the areas of --exclude") })
        // A missing or non-ROI file is one line naming it.
        let bad = try CLI.run(["analyze", sample, "--interface", dir.appendingPathComponent("none.roi").path, "--out", dir.path])
        #expect(bad.status == 1 && bad.stderr == "dendrometer: \(dir.appendingPathComponent("none.roi").path): no such file\n")
    }
}
