// Real sidecar text files from ../shared/data/real, read in place (never
// copied). Skipped with a message when the folder is absent. Expected values
// are those of PROVENANCE.md / expected.json (reference: tifffile + Pillow,
// JEOL sidecars parsed as `KEY value` lines).

import Foundation
import Testing
import DendrometerCore
@testable import DendrometerCalibration

enum RealData {
    /// `$DENDROMETER_REAL`, else `<repo>/../shared/data/real`.
    static let root: URL = {
        if let p = ProcessInfo.processInfo.environment["DENDROMETER_REAL"] { return URL(fileURLWithPath: p) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/real")
    }()
    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("PROVENANCE.md").path) }

    static func latin1(_ rel: String) throws -> String {
        let data = try Data(contentsOf: root.appendingPathComponent(rel))
        return VendorText.latin1([UInt8](data))
    }
}

@Suite("Real sidecars (../shared/data/real)", .enabled(if: RealData.available, "shared/data/real not found; set DENDROMETER_REAL"))
struct RealSidecarTests {
    @Test(arguments: [
        // (sidecar, image width, image height, expected µm/px, expected data bar rows)
        ("probelab_reimager/jeol/image000.txt", 1280, 1024, 0.99009901, 960),             // 100um/101 × 1280/1280
        ("probelab_reimager/jeol/Standard_BSE_640-800.txt", 640, 512, 4.444444444, 480),  // 100um/45 × 1280/640
        ("probelab_reimager/jeol/jeol-images_1.txt", 2560, 2052, 0.10989011, 1920),       // 10um/91 × 2560/2560
    ])
    func jeol(_ rel: String, _ w: Int, _ h: Int, _ um: Double, _ barY: Int) throws {
        let text = try RealData.latin1(rel)
        #expect(SidecarKind.of(text) == .jeol)
        var m = SourceMetadata(format: .tiff, path: rel, width: w, height: h)
        m.sidecars["txt"] = text
        let r = calibrate(m)
        #expect(r.calibration.source == .jeol)
        #expect(approx(r.calibration.pixelSize?.micrometres, um, rel: 1e-8))
        #expect(r.metadataDataBar == PixelRect(x: 0, y: barY, width: w, height: h - barY))
    }

    @Test func tescanHdr() throws {
        var m = SourceMetadata(format: .tiff, path: "tescan.tif", width: 1024, height: 768)
        m.sidecars["hdr"] = try RealData.latin1("kit_tomo_mapper/tescan-minimal.hdr")
        let r = calibrate(m)
        #expect(r.calibration.source == .tescan)
        #expect(approx(r.calibration.pixelSize?.micrometres, 0.05))   // 5e-8 m
    }
}
