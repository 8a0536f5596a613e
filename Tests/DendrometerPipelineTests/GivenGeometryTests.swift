@testable import DendrometerPipeline
import Dendrometer
import DendrometerCore
import DendrometerGeometry
import DendrometerIO
import DendrometerTestSupport
import Foundation
import Testing

/// `--interface` and `--exclude` on hand-made fields.
@Suite("Given interface and excluded areas")
struct GivenGeometryTests {
    /// 20 × 12 field: a solid phase layer in rows 8–11 (anode at the bottom), a vertical needle in
    /// column 5 from row 2 to 7, everything else electrolyte.
    static let phase: BinaryMask = {
        var rows = [String](repeating: String(repeating: ".", count: 20), count: 12)
        for y in 8 ..< 12 { rows[y] = String(repeating: "#", count: 20) }
        for y in 2 ..< 8 { var r = Array(rows[y]); r[5] = "#"; rows[y] = String(r) }
        return BinaryMask(rows: rows)
    }()
    static let field = PixelRect(x: 0, y: 0, width: 20, height: 12)

    @Test("the anode side is the strip that is mostly phase; the line's interface runs through its points")
    func sideFromPhase() throws {
        // The layer's top edge lies between rows 7 and 8: a line at y = 7.5, drawn right to left.
        let given = GivenInterface(points: [.init(x: 19, y: 7.5), .init(x: 0, y: 7.5)], source: "hand.json")
        var review = [String]()
        let d = try given.detection(phase: Self.phase, field: Self.field, side: nil, pixelSize: nil,
                                    minimumAnodePhaseShare: 0.5, review: &review)
        #expect(d.side == .bottom && review.isEmpty)
        let interface = try #require(d.interface)
        // Bottom anode: v = 11 − y, so the line at y = 7.5 has v = 3.5; the needle's tip (row 2) is 5.5 px deep.
        #expect(abs(interface.height(atU: 10) - 3.5) < 1e-12)
        #expect(abs(interface.depth(x: 5, y: 2) - 5.5) < 1e-12)
        // Bottom strip rows 8–11 all phase; top strip rows 0–7 (160 px) hold the needle's 6 px: 4 %.
        #expect(d.explanation.contains("bottom 100 %") && d.explanation.contains("top 4 %"))
    }

    @Test("a line with nothing solid on either side is flagged; µm lines need a calibration; a line that turns back is refused")
    func refusals() throws {
        var review = [String]()
        let high = GivenInterface(points: [.init(x: 0, y: 1.5), .init(x: 19, y: 1.5)], source: "high.csv")
        _ = try high.detection(phase: Self.phase, field: Self.field, side: .top, pixelSize: nil, minimumAnodePhaseShare: 0.5, review: &review)
        #expect(review.count == 1 && review[0].contains("no solid phase layer"))
        let micrometres = GivenInterface(points: [.init(x: 0, y: 3), .init(x: 9, y: 3)], unit: .micrometres, source: "um.json")
        #expect(throws: AnalysisError.self) {
            try micrometres.detection(phase: Self.phase, field: Self.field, side: nil, pixelSize: nil, minimumAnodePhaseShare: 0.5, review: &review)
        }
        let zigzag = GivenInterface(points: [.init(x: 0, y: 7), .init(x: 15, y: 7), .init(x: 3, y: 7), .init(x: 19, y: 7)], source: "z.csv")
        #expect(throws: AnalysisError.badGeometry("z.csv", "the line turns back by 12 px along the interface; an interface runs from one edge to the other (say --anode if it runs the other way)")) {
            try zigzag.detection(phase: Self.phase, field: Self.field, side: nil, pixelSize: nil, minimumAnodePhaseShare: 0.5, review: &review)
        }
    }

    @Test("µm polylines convert with the pixel size; positions are full-raster and shift by the field's origin")
    func unitsAndOrigin() throws {
        var review = [String]()
        // Field starts 40 rows down (a data bar above); 0.5 µm/px: y 23.75 µm = raster row 47.5 = field row 7.5.
        let given = GivenInterface(points: [.init(x: 0, y: 23.75), .init(x: 9.5, y: 23.75)], unit: .micrometres, source: "um.json")
        let d = try given.detection(phase: Self.phase, field: PixelRect(x: 0, y: 40, width: 20, height: 12), side: .bottom,
                                    pixelSize: PixelSize(micrometres: 0.5), minimumAnodePhaseShare: 0.5, review: &review)
        #expect(abs(try #require(d.interface).height(atU: 3) - 3.5) < 1e-12)
    }

    @Test("JSON and CSV polylines: accepted shapes and one-line errors")
    func files() throws {
        let dir = Scratch.file("dm-given")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func file(_ name: String, _ text: String) -> String {
            let p = dir + "/" + name
            FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
            return p
        }
        #expect(try GivenInterface.read(file("a.json", "[[0, 7.5], [19, 7.5]]")).points == [.init(x: 0, y: 7.5), .init(x: 19, y: 7.5)])
        let um = try GivenInterface.read(file("b.json", #"{"points": [[0, 1], [2, 3]], "unit": "um"}"#))
        #expect(um.unit == .micrometres && um.points.count == 2)
        let analysisJSON = try GivenInterface.read(file("c.json", #"{"interface": {"points_px": [[0, 4], [9, 5]]}}"#))
        #expect(analysisJSON.points == [.init(x: 0, y: 4), .init(x: 9, y: 5)] && analysisJSON.unit == .pixels)
        let csv = try GivenInterface.read(file("d.csv", "X_um,Y_um\n0,1.5\n4,2\n"))
        #expect(csv.unit == .micrometres && csv.points == [.init(x: 0, y: 1.5), .init(x: 4, y: 2)])
        #expect(throws: AnalysisError.badGeometry(dir + "/e.csv", "expected columns x,y or x_px,y_px (px) or x_um,y_um (µm); got a,b")) {
            try GivenInterface.read(file("e.csv", "a,b\n1,2\n"))
        }
        #expect(throws: AnalysisError.badGeometry(dir + "/f.json", "point 2: expected [x, y] with two finite numbers")) {
            try GivenInterface.read(file("f.json", "[[0, 1], [2]]"))
        }
        #expect(throws: AnalysisError.self) { try GivenInterface.read(file("g.txt", "0 1")) }
    }

    @Test("ROI areas become pixel masks by their pixel centres (even–odd for polygons), in field coordinates")
    func excludedMasks() throws {
        let field = PixelRect(x: 2, y: 1, width: 8, height: 6)
        // A triangle (ImageJ corners) (2,1)–(10,1)–(2,7) in the raster: a pixel is in when its centre is.
        // Field row r has centre y = r + 1.5; the hypotenuse x = 10 − (y − 1)·8/6 → field columns
        // 0 ..< ⌈(10 − (r + 0.5)·4/3) − 2.5⌉: rows 0–5 keep 7, 6, 5, 3, 2, 1 pixels, as
        // skimage.draw.polygon gives for the same triangle (vertices − 0.5, pixel centres at integers).
        let triangle = ExcludedAreas.rois([ImageJROI(name: "t", shape: .polygon([(x: 2, y: 1), (x: 10, y: 1), (x: 2, y: 7)]))], source: "t.roi")
        let m = try triangle.mask(field: field, rasterWidth: 12, rasterHeight: 8)
        let counts = (0 ..< 6).map { r in (0 ..< 8).filter { m[$0, r] }.count }
        #expect(counts == [7, 6, 5, 3, 2, 1])
        // Rectangle and oval.
        let rect = try ExcludedAreas.rois([ImageJROI(name: "r", shape: .rectangle(x: 3, y: 2, width: 2, height: 3))], source: "r.roi")
            .mask(field: field, rasterWidth: 12, rasterHeight: 8)
        #expect(rect.area == 6 && rect[1, 1] && rect[2, 3] && !rect[3, 1])
        let oval = try ExcludedAreas.rois([ImageJROI(name: "o", shape: .oval(x: 2, y: 1, width: 4, height: 4))], source: "o.roi")
            .mask(field: field, rasterWidth: 12, rasterHeight: 8)
        #expect(oval.area == 12)                      // a 4 × 4 disc by centres: 2 + 4 + 4 + 2
        // Areas beyond the field, or with absurd coordinates, change nothing and never trap
        // (fuzzing found a rectangle below the field making an inverted range).
        for shape: ImageJROI.Shape in [.rectangle(x: 0, y: 60, width: 768, height: 172), .oval(x: -5000, y: 20, width: 30, height: 30),
                                       .polygon([(x: -1e30, y: -1e30), (x: 1e30, y: 2), (x: 3, y: 1e30)])] {
            var m = BinaryMask(width: 8, height: 6)
            ExcludedAreas.fill(shape, into: &m, originX: 2, originY: 1)
            if case .polygon = shape { #expect(m.area <= 48) } else { #expect(m.area == 0) }
        }
        // A line is not an area; a mask of the wrong size is refused.
        #expect(throws: AnalysisError.self) {
            try ExcludedAreas.rois([ImageJROI(name: "l", shape: .polyline([(x: 0, y: 0), (x: 5, y: 5)]))], source: "l.roi")
                .mask(field: field, rasterWidth: 12, rasterHeight: 8)
        }
        #expect(throws: AnalysisError.self) {
            try ExcludedAreas.mask(BinaryMask(width: 5, height: 5), source: "m.tif").mask(field: field, rasterWidth: 12, rasterHeight: 8)
        }
    }
}
