// calibrate(): precedence, user override, TIFF-resolution opt-in, warnings.
// Fixtures are hand-typed excerpts; expectations hand-computed (comments).

import Foundation
import Testing
import DendrometerCore
@testable import DendrometerCalibration

@Suite("calibrate()")
struct CalibrateTests {
    static let fei = "[Scan]\r\nPixelWidth=3.3724e-006\r\n[Image]\r\nResolutionX=512\r\nResolutionY=442\r\n"
    static let zeiss = "AP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = 2.615 \u{B5}m\r\n"

    func meta(_ w: Int = 512, _ h: Int = 471) -> SourceMetadata {
        SourceMetadata(format: .tiff, path: "a.tif", width: w, height: h)
    }

    @Test func feiAlone() {
        var m = meta()
        m.textTags[34682] = Self.fei
        let r = calibrate(m)
        #expect(r.calibration.source == .fei)
        #expect(approx(r.calibration.pixelSize?.micrometres, 3.3724))
        #expect(r.calibration.detail == "[Scan] PixelWidth (tag 34682) = 3.3724e-006 m")
        #expect(r.metadataDataBar == PixelRect(x: 0, y: 442, width: 512, height: 29))
        #expect(r.dataBarSource == .fei)
        #expect(r.warnings.isEmpty)
    }

    @Test func feiBeatsZeissAndImageJWithDisagreementWarning() {
        var m = meta()
        m.textTags[34682] = Self.fei
        m.textTags[34118] = Self.zeiss
        m.textTags[270] = "ImageJ=1.53t\nunit=um\n"
        m.resolution = TIFFResolution(x: 2, y: 2, unit: 1)
        let r = calibrate(m)
        #expect(r.calibration.source == .fei)
        #expect(r.candidates.map(\.source) == [.fei, .zeiss, .imagej])
        // zeiss 2.615 vs fei 3.3724: 22 % apart → warned; imagej 0.5 → warned
        #expect(r.warnings.filter { $0.contains("using fei") }.count == 2)
    }

    @Test func brokenFEIFallsThroughToZeiss() {
        var m = meta(768, 551)
        m.textTags[34682] = "[Beam]\nHV=notafloat\n[Image]\nResolutionX=768\nResolutionY=512\n"
        m.textTags[34118] = Self.zeiss
        let r = calibrate(m)
        #expect(r.calibration.source == .zeiss)
        #expect(approx(r.calibration.pixelSize?.micrometres, 2.615))
        #expect(r.warnings.contains { $0.hasPrefix("fei: no calibration") })
        // the FEI block still states the data bar: 551 − 512 = 39 rows
        #expect(r.metadataDataBar == PixelRect(x: 0, y: 512, width: 768, height: 39))
    }

    @Test func zeissBeatsTescanBeatsSidecarBeatsImageJ() {
        var m = meta(1280, 1024)
        m.sidecars["hdr"] = "[MAIN]\nPixelSizeX=5e-8\n"
        m.sidecars["txt"] = SidecarTests.jeol(marker: "100um", bar: "101", full: "1280 960")
        m.textTags[270] = "ImageJ=1.53t\nunit=um\n"
        m.resolution = TIFFResolution(x: 2, y: 2, unit: 1)
        #expect(calibrate(m).calibration.source == .tescan)
        m.textTags[34118] = Self.zeiss
        #expect(calibrate(m).calibration.source == .zeiss)
        m.textTags[34118] = nil
        m.sidecars["hdr"] = nil
        let j = calibrate(m)
        #expect(j.calibration.source == .jeol)
        #expect(j.metadataDataBar == PixelRect(x: 0, y: 960, width: 1280, height: 64))
        m.sidecars["txt"] = nil
        #expect(calibrate(m).calibration.source == .imagej)
    }

    @Test func hitachiSidecarIsRecognisedByContent() {
        var m = meta(1280, 1024)
        m.sidecars["txt"] = SidecarTests.hitachi
        let r = calibrate(m)
        #expect(r.calibration.source == .hitachi)
        #expect(approx(r.calibration.pixelSize?.micrometres, 0.0248))
    }

    @Test func unknownSidecarWarns() {
        var m = meta()
        m.sidecars["txt"] = "lab notebook: cell 3, 2 mA/cm2"
        let r = calibrate(m)
        #expect(r.calibration.source == .none)
        #expect(r.warnings.contains { $0.contains("neither JEOL") })
    }

    @Test func nothingFoundWarnsAndMentionsPixelSizeOption() {
        let r = calibrate(meta())
        #expect(r.calibration.source == .none)
        #expect(r.calibration.pixelSize == nil)
        #expect(r.warnings.contains("no calibration metadata found; µm values will be null — pass --pixel-size"))
        #expect(r.metadataDataBar == nil && !r.dataBarKnownFromMetadata)
    }

    @Test func tiffDPIIgnoredUnlessTrusted() {
        var m = meta(1280, 1024)
        m.resolution = TIFFResolution(x: 568189440.0 / 2097152.0, y: 568189440.0 / 2097152.0, unit: 2)   // JEOL 270.9 dpi
        let ignored = calibrate(m)
        #expect(ignored.calibration.source == .none)
        #expect(ignored.warnings.contains { $0.contains("XResolution") && $0.contains("ignored") })
        let trusted = calibrate(m, options: CalibrationOptions(trustTIFFResolution: true))
        #expect(trusted.calibration.source == .tiffResolution)
        #expect(approx(trusted.calibration.pixelSize?.micrometres, 93.74982541034201))   // 25400 / 270.9338…
        // NIST 1/1 without unit: nothing even when trusted
        m.resolution = TIFFResolution(x: 1, y: 1, unit: 1)
        #expect(calibrate(m, options: CalibrationOptions(trustTIFFResolution: true)).calibration.source == .none)
    }

    @Test func vendorBeatsTrustedTIFFResolution() {
        var m = meta()
        m.textTags[34682] = Self.fei
        m.resolution = TIFFResolution(x: 96, y: 96, unit: 2)
        #expect(calibrate(m, options: CalibrationOptions(trustTIFFResolution: true)).calibration.source == .fei)
    }

    @Test func userOverridesAndWarnsOnDisagreement() throws {
        var m = meta()
        m.textTags[34682] = Self.fei
        let user = try PixelSize(parsing: "0.25um")
        let r = calibrate(m, options: CalibrationOptions(userPixelSize: user))
        #expect(r.calibration.source == .user)
        #expect(r.calibration.pixelSize == user)
        #expect(r.warnings.contains { $0.contains("overrides fei") && $0.contains("3.3724") })
        // data bar from metadata is still reported
        #expect(r.metadataDataBar == PixelRect(x: 0, y: 442, width: 512, height: 29))
    }

    @Test func userAgreeingWithin1PercentIsSilent() throws {
        var m = meta()
        m.textTags[34682] = Self.fei
        // |3.3724 − 3.37| / 3.37 = 0.07 % < 1 %
        let r = calibrate(m, options: CalibrationOptions(userPixelSize: try PixelSize(parsing: "3.37um")))
        #expect(r.calibration.source == .user)
        #expect(!r.warnings.contains { $0.contains("overrides") })
    }

    @Test func userWithoutMetadata() {
        let r = calibrate(meta(), options: CalibrationOptions(userPixelSize: PixelSize(micrometres: 0.1)))
        #expect(r.calibration.source == .user)
        #expect(r.warnings.isEmpty)
    }

    @Test func zeiss512TrapEndToEnd() {
        var m = meta(512, 384)
        m.textTags[34118] = ZeissTests.zeiss512
        let r = calibrate(m)
        #expect(approx(r.calibration.pixelSize?.micrometres, 0.011650390625))   // 5.965 µm / 512
        #expect(!r.dataBarKnownFromMetadata)   // Zeiss: detect from pixels
    }
}
