// Numbers read from files are untrusted: every metadata value that once trapped (an Int made
// from 1e300, a pixel size of 1e-300 m) must give "no calibration" with the key in the warning,
// or be ignored, never a crash. Fixtures are one-line edits of the parsers' usual test texts.

import DendrometerCore
import Foundation
import Testing
@testable import DendrometerCalibration

@Suite("Hostile metadata numbers")
struct HostileMetadataTests {
    func meta(_ w: Int = 1280, _ h: Int = 1024) -> SourceMetadata {
        SourceMetadata(format: .tiff, path: "h.tif", width: w, height: h)
    }

    static let feiBase = "[Scan]\nPixelWidth=3.3724e-006\n[Image]\nResolutionX=1280\nResolutionY=960\n"

    @Test("FEI raster sizes 1e300, 9.3e18, 1e-300, NaN are ignored; the pixel size still comes from PixelWidth",
          arguments: ["1e300", "9.3e18", "1e-300", "nan", "-5"])
    func feiResolution(_ value: String) {
        var m = meta()
        m.textTags[34682] = Self.feiBase.replacingOccurrences(of: "ResolutionX=1280", with: "ResolutionX=\(value)")
            .replacingOccurrences(of: "ResolutionY=960", with: "ResolutionY=\(value)")
        let r = calibrate(m)
        #expect(r.calibration.source == .fei)
        #expect(abs((r.calibration.pixelSize?.micrometres ?? 0) - 3.3724) < 1e-9)
        #expect(r.metadataDataBar == nil)
    }

    @Test("pixel sizes no microscope has: no calibration, the key and value named",
          arguments: [("1e-300", "1e-294"), ("1e308", "inf"), ("1e-12", "1e-06"), ("2e-2", "20000")])
    func feiPixelWidth(_ value: String, _ micrometres: String) {
        var m = meta()
        m.textTags[34682] = Self.feiBase.replacingOccurrences(of: "PixelWidth=3.3724e-006", with: "PixelWidth=\(value)")
        let r = calibrate(m)
        #expect(r.calibration.source == .none)
        #expect(r.calibration.pixelSize == nil)
        #expect(r.warnings.contains { $0.contains("[Scan] PixelWidth") && $0.contains(value) && $0.contains("outside the plausible 10 pm – 10 mm") },
                "\(r.warnings)")
    }

    @Test("Zeiss 1e300 m, TESCAN 1e-170 m, ImageJ 4294967295 px/µm, JEOL marker/bar of 1e-300 µm: no calibration, no crash")
    func otherVendors() {
        var z = meta()
        z.textTags[34118] = "AP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = 1e300 m\r\n"
        #expect(calibrate(z).calibration.pixelSize == nil)
        var t = meta()
        t.sidecars["hdr"] = "[MAIN]\nPixelSizeX=1e-170\n"
        #expect(calibrate(t).calibration.pixelSize == nil)
        // A huge PixelSizeY beside a good PixelSizeX: the warning names the pair, not X alone.
        var ty = meta()
        ty.sidecars["hdr"] = "[MAIN]\nPixelSizeX=1e-11\nPixelSizeY=1e300\n"
        let rty = calibrate(ty)
        #expect(rty.calibration.pixelSize == nil)
        #expect(rty.warnings.contains { $0.contains("PixelSizeY") && $0.contains("1e300") }, "\(rty.warnings)")
        var i = meta()
        i.textTags[270] = "ImageJ=1.53t\nunit=micron\n"
        i.resolution = TIFFResolution(x: 4_294_967_295, y: 4_294_967_295, unit: 1)
        let ij = calibrate(i)
        #expect(ij.calibration.pixelSize == nil)
        #expect(ij.warnings.contains { $0.contains("outside the plausible") })
        var j = meta()
        j.sidecars["txt"] = SidecarTests.jeol(marker: "1e-300um", bar: "1", full: "1280 960")
        #expect(calibrate(j).calibration.pixelSize == nil)
    }

    @Test("JEOL $CM_FULL_SIZE and Hitachi DataSize of 1e300 are not a raster: no data bar, no crash")
    func rasterSizes() {
        var j = meta()
        j.sidecars["txt"] = SidecarTests.jeol(marker: "100um", bar: "101", full: "1e300 960")
        let rj = calibrate(j)
        #expect(rj.calibration.source == .jeol && rj.metadataDataBar == nil)
        // The note says the value is unusable, not that the key is missing.
        #expect(rj.warnings.contains { $0.contains("$CM_FULL_SIZE '1e300 960' is not a plausible raster size") }, "\(rj.warnings)")
        var h = meta()
        h.sidecars["txt"] = SidecarTests.hitachi.replacingOccurrences(of: "DataSize=1280x960", with: "DataSize=1e300x960")
        let rh = calibrate(h)
        #expect(rh.calibration.source == .hitachi && rh.metadataDataBar == nil)
    }

    @Test("a user pixel size outside 10 pm – 10 mm is refused with the value in µm")
    func userPixelSize() throws {
        #expect(throws: UnitError.implausiblePixelSize("1e-170um", micrometres: 1e-170)) { try PixelSize.parsingPixelSize("1e-170um") }
        #expect(throws: UnitError.implausiblePixelSize("20mm", micrometres: 2e4)) { try PixelSize.parsingPixelSize("20mm") }
        #expect(abs(try PixelSize.parsingPixelSize("10pm").micrometres - 1e-5) < 1e-15)
        #expect(try PixelSize.parsingPixelSize("0.25um").micrometres == 0.25)
    }
}
