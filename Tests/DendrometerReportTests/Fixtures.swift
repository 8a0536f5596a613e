import DendrometerCore
import DendrometerIO
import DendrometerTestSupport
import Foundation
@testable import DendrometerReport

/// One image of a hand-written batch folder.
struct FixtureImage {
    var file: String
    var group: String
    var cycles: String = "10"
    var maxUm: Double? = 5
    var areaFraction: Double = 0.2
    var label: String = "flame"
    var regionLabels: [String] = ["flame"]
    var overlayWidth: Int = 600
    var histogram: [Double] = (0 ..< 18).map { $0 == 9 ? 0.5 : 0.5 / 17 }
    var review: [String] = []
}

/// Writes a tiny batch output folder by hand (images.csv, regions.csv,
/// failures.csv, json/, overlays/) in a fresh temporary directory.
enum BatchFixture {
    static func temporaryDirectory(_ name: String) -> String {
        let dir = Scratch.directory("dendrometer-report-tests") + "/" + name
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }

    /// Writes the folder and returns its path.
    static func make(_ images: [FixtureImage], failures: [(String, String)] = [], name: String = "batch") throws -> String {
        let dir = temporaryDirectory(name)
        try FileManager.default.createDirectory(atPath: dir + "/json", withIntermediateDirectories: true)
        let hist = (0 ..< OrientationHistogram.binCount).map { "orientation.histogram.\(OrientationHistogram.binName($0))" }
        var imagesCSV = CSVTable(header: ["group", "cycles", "file", "area_fraction", "penetration.max_um", "penetration.max_px",
                                          "orientation.lateral_fraction", "orientation.vertical_fraction", "morphology.label",
                                          "calibration.source"] + hist + ["json", "overlay"])
        var regionsCSV = CSVTable(header: ["group", "cycles", "file", "region", "bbox_x", "bbox_y", "bbox_w", "bbox_h",
                                           "area_fraction", "label", "confidence", "features.lateral_fraction"])
        for (i, im) in images.enumerated() {
            let stem = "img\(i)"
            let maxPx = (im.maxUm ?? 2.5) * 4
            let maxUm = im.maxUm.map { String($0) } ?? "null"
            let regions = im.regionLabels.enumerated().map { (k, l) in
                "{\"name\": \(jsonString(k == 0 ? "<script>alert(1)</script>" : "r\(k)")), \"bbox_px\": [0, \(10 * k), 20, 10], \"area_fraction\": 0.3, " +
                "\"morphology\": {\"label\": \(jsonString(l)), \"confidence\": 0.8}, \"features\": {\"lateral_fraction\": 0.25}}"
            }.joined(separator: ", ")
            let doc = """
            {"schema_version": 1, "file": \(jsonString(im.file)), "width": 40, "height": 30,
             "calibration": {"pixel_size_um": \(im.maxUm == nil ? "null" : "0.25"), "source": "\(im.maxUm == nil ? "none" : "fei")"},
             "penetration": {"max_um": \(maxUm), "max_px": \(maxPx), "short_circuit": false,
               "profile": [{"depth_um": 0.5, "depth_px": 2, "area_fraction": 0.4}, {"depth_um": 1.5, "depth_px": 6, "area_fraction": 0.1}]},
             "orientation": {"lateral_fraction": 0.3, "vertical_fraction": 0.6, "histogram": [\(im.histogram.map { String($0) }.joined(separator: ", "))]},
             "area_fraction": \(im.areaFraction), "morphology": {"label": \(jsonString(im.label)), "confidence": 0.7},
             "regions": [\(regions)], "warnings": ["note <b>bold</b>"],
             "quality": {"review": [\(im.review.map(jsonString).joined(separator: ", "))]}}
            """
            try doc.write(toFile: "\(dir)/json/\(stem).json", atomically: true, encoding: .utf8)
            let w = im.overlayWidth, h = 30
            var rgb = [UInt8](repeating: 0, count: 3 * w * h)
            for p in 0 ..< w * h { rgb[3 * p] = UInt8(p % 256); rgb[3 * p + 1] = 128; rgb[3 * p + 2] = UInt8((p / w) * 8) }
            try PNGWriter.writeRGB(rgb, width: w, height: h, to: "\(dir)/overlays/\(stem).png")
            imagesCSV.rows.append([im.group, im.cycles, im.file, String(im.areaFraction), im.maxUm.map { String($0) } ?? "",
                                   String(maxPx), "0.3", "0.6", im.label, im.maxUm == nil ? "none" : "fei"]
                                  + im.histogram.map { String($0) } + ["json/\(stem).json", "overlays/\(stem).png"])
            for (k, l) in im.regionLabels.enumerated() {
                regionsCSV.rows.append([im.group, im.cycles, im.file, "r\(k)", "0", String(10 * k), "20", "10", "0.3", l, "0.8", "0.25"])
            }
        }
        try imagesCSV.text.write(toFile: dir + "/images.csv", atomically: true, encoding: .utf8)
        try regionsCSV.text.write(toFile: dir + "/regions.csv", atomically: true, encoding: .utf8)
        let f = CSVTable(header: ["file", "error"], rows: failures.map { [$0.0, $0.1] })
        try f.text.write(toFile: dir + "/failures.csv", atomically: true, encoding: .utf8)
        return dir
    }
}
