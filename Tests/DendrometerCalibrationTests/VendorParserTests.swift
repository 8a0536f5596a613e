// Vendor parser tests on hand-typed excerpts of the real metadata layouts
// (see tools/reference/calibration_expectations.py for the full real texts).
// Every expectation is computed by hand from the rules in PROVENANCE.md; the
// arithmetic is in the comment next to it.

import Testing
import DendrometerCore
@testable import DendrometerCalibration

/// Relative closeness for Doubles.
func approx(_ a: Double?, _ b: Double, rel: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= rel * max(abs(b), 1e-300)
}

// MARK: - FEI / Thermo

@Suite("FEI INI")
struct FEITests {
    /// Excerpt of FEI-Helios-Ebeam-8bits.tif tag 34682 (CRLF, trailing NUL).
    static let helios = "[User]\r\nDate=05/17/2022\r\n\r\n[Beam]\r\nHV=5000\r\nScan=EScan\r\n\r\n[Scan]\r\nInternalScan=true\r\nDwelltime=1e-005\r\nPixelWidth=3.3724e-006\r\nPixelHeight=3.3724e-006\r\nHorFieldsize=0.00172667\r\n\r\n[EScan]\r\nPixelWidth=3.3724e-006\r\n\r\n[Image]\r\nResolutionX=512\r\nResolutionY=442\r\nZoomFactor=1.000000\r\n\u{0}"

    @Test func heliosPixelSizeAndDataBar() {
        let r = FEIMetadata.parse(Self.helios, imageWidth: 512, imageHeight: 471, tag: 34682)
        // 3.3724e-006 m × 1e6 = 3.3724 µm
        #expect(approx(r.pixelSize?.widthMicrometres, 3.3724))
        #expect(approx(r.pixelSize?.heightMicrometres, 3.3724))
        #expect(r.source == .fei)
        #expect(r.key == "[Scan] PixelWidth (tag 34682)")
        #expect(r.rawValue == "3.3724e-006 m")
        // rows 442 ..< 471: 471 − 442 = 29 rows
        #expect(r.dataBar == PixelRect(x: 0, y: 442, width: 512, height: 29))
        #expect(r.dataBarKnown)
    }

    /// Excerpt of FEI-Helios-navcam-with-no-IRBeam-bad-floats.tif: no PixelWidth, HV=notafloat.
    @Test func badFloatsGiveNoCalibrationButKeepDataBar() {
        let text = "[Beam]\r\nHV=notafloat\r\nSpot=\r\nScanRotation=0.00840385\r\nBeam=IRBeam\r\n\r\n\r\n[Image]\r\nResolutionX=768\r\nResolutionY=512\r\n"
        let r = FEIMetadata.parse(text, imageWidth: 768, imageHeight: 551)
        #expect(r.pixelSize == nil)
        #expect(r.reason?.contains("no [Scan] or [EScan] PixelWidth") == true)
        // 551 − 512 = 39 rows
        #expect(r.dataBar == PixelRect(x: 0, y: 512, width: 768, height: 39))
    }

    @Test(arguments: ["notafloat", "nan", "NaN", "inf", "-3.3e-6", "0", "0x1p-20", "", "1e-6 m", "3,3e-6"])
    func junkPixelWidthIsRefused(_ value: String) {
        let r = FEIMetadata.parse("[Scan]\nPixelWidth=\(value)\n", imageWidth: 10, imageHeight: 10)
        #expect(r.pixelSize == nil)
        #expect(r.reason != nil)
    }

    @Test func escanFallback() {
        let r = FEIMetadata.parse("[Scan]\nPixelWidth=nan\n[EScan]\nPixelWidth=2.5e-9\n", imageWidth: 4, imageHeight: 4)
        // 2.5e-9 m × 1e6 = 0.0025 µm
        #expect(approx(r.pixelSize?.micrometres, 0.0025))
        #expect(r.key == "[EScan] PixelWidth")
        #expect(r.notes.contains { $0.contains("[EScan]") })
    }

    @Test func noDataBarWhenRasterFillsImage() {
        // PFIB file: ResolutionY 1024 == height 1024.
        let r = FEIMetadata.parse("[Scan]\nPixelWidth=3.85417e-007\n[Image]\nResolutionX=1536\nResolutionY=1024\n",
                                  imageWidth: 1536, imageHeight: 1024)
        #expect(approx(r.pixelSize?.micrometres, 0.385417))   // 3.85417e-7 m × 1e6
        #expect(r.dataBar == nil)
        #expect(r.dataBarKnown)
    }

    @Test func rescaledExportScalesPixelSizeAndBar() {
        // Scan 1024 × 884 saved at 512 px wide: factor 1024/512 = 2.
        let r = FEIMetadata.parse("[Scan]\nPixelWidth=1e-8\n[Image]\nResolutionX=1024\nResolutionY=884\n",
                                  imageWidth: 512, imageHeight: 471)
        // 1e-8 m = 0.01 µm × 2 = 0.02 µm; raster rows 884 / 2 = 442 → bar 471 − 442 = 29
        #expect(approx(r.pixelSize?.micrometres, 0.02))
        #expect(r.dataBar == PixelRect(x: 0, y: 442, width: 512, height: 29))
        #expect(!r.notes.isEmpty)
    }

    @Test func picksTheTagThatIsINI() {
        // kit PFIB file: 34680 holds base64 XML, 34683 XML, 34682 INI.
        var m = SourceMetadata(format: .tiff, path: "x.tif", width: 1536, height: 1024)
        m.textTags[34680] = "77u/PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0idXRmLTgiPz4="
        m.textTags[34683] = "<?xml version=\"1.0\"?>\r\n<Metadata><Core/></Metadata>"
        m.textTags[34682] = "[Scan]\r\nPixelWidth=3.85417e-007\r\n[Image]\r\nResolutionY=1024\r\n"
        let r = FEIMetadata.parse(m)
        #expect(approx(r?.pixelSize?.micrometres, 0.385417))
        #expect(r?.key == "[Scan] PixelWidth (tag 34682)")
    }

    @Test func dataBarFromAnotherFEITag() {
        // 34682 holds the pixel size only, 34680 the [Image] block: 471 − 442 = 29 rows.
        var m = SourceMetadata(format: .tiff, path: "x.tif", width: 512, height: 471)
        m.textTags[34682] = "[Scan]\nPixelWidth=3.3724e-006\n"
        m.textTags[34680] = "[Beam]\nHV=5000\n[Image]\nResolutionY=442\n"
        let r = FEIMetadata.parse(m)
        #expect(approx(r?.pixelSize?.micrometres, 3.3724))
        #expect(r?.dataBar == PixelRect(x: 0, y: 442, width: 512, height: 29))
    }

    @Test func emptyAndGarbageTextNeverCrash() {
        for t in ["", "\u{0}\u{0}", "[", "=", "[Scan", "[Scan]\n=\n==\nPixelWidth", String(repeating: "\u{FF}", count: 100)] {
            let r = FEIMetadata.parse(t, imageWidth: 0, imageHeight: 0)
            #expect(r.pixelSize == nil)
        }
    }
}

// MARK: - Zeiss

@Suite("Zeiss CZ_SEM")
struct ZeissTests {
    /// Unlabelled numeric header as in every real file (metres, 1024-px reference).
    static let header = "0\r\n0\r\n0\r\n5.824988e-009\r\n5.000000e+004\r\n6\r\n68\r\n"

    /// Excerpt of test_tiff_Zeiss_SEM_512pix.tif: NO "Image Pixel Size".
    static let zeiss512 = header + "DP_ZOOM\r\nZoom = Off\r\nAP_PIXEL_SIZE\r\nPixel Size = 5.825 nm\r\nAP_HEIGHT\r\nHeight = 4.474 \u{B5}m\r\nAP_WIDTH\r\nWidth = 5.965 \u{B5}m\r\nSV_FILE_NAME\r\nFile Name = A600_04.tif\r\n\u{0}\u{0}"

    @Test func trap512WithoutImagePixelSizeUsesWidthOverImageWidth() {
        let r = ZeissMetadata.parse(Self.zeiss512, imageWidth: 512)
        // 5.965 µm / 512 px = 0.011650390625 µm — NOT "Pixel Size" 5.825 nm = 0.005825 µm
        #expect(approx(r.pixelSize?.micrometres, 0.011650390625))
        #expect(r.key == "AP_WIDTH (Width) / image width")
        #expect(r.notes.contains { $0.contains("1024-px") })
    }

    @Test func trapPixelSizeDiffersFromImagePixelSize() {
        // Excerpt of ZEISS_SEM_multipage.tif (2048 px wide), FIB pixel size listed first.
        let t = Self.header + "AP_FIB_PIXEL_SIZE\r\nFIB Pixel Size = 70.91 nm\r\nAP_PIXEL_SIZE\r\nPixel Size = 24.65 nm\r\nAP_WIDTH\r\nWidth = 25.24 \u{B5}m\r\nAP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = 12.33 nm\r\n\u{0}"
        let r = ZeissMetadata.parse(t, imageWidth: 2048)
        // 12.33 nm = 0.01233 µm (Width check: 25.24 / 2048 = 0.012324 µm, within 1 %)
        #expect(approx(r.pixelSize?.micrometres, 0.01233))
        #expect(r.rawValue == "12.33 nm")
        #expect(r.notes.isEmpty)
    }

    @Test func zeiss1kMillimetreWidth() {
        let t = Self.header + "AP_IMAGE_PIXEL_SIZE\r\nImage Pixel Size = 2.615 \u{B5}m\r\nAP_PIXEL_SIZE\r\nPixel Size = 2.615 \u{B5}m\r\nAP_WIDTH\r\nWidth = 2.677 mm\r\n"
        let r = ZeissMetadata.parse(t, imageWidth: 1024)
        #expect(approx(r.pixelSize?.micrometres, 2.615))
    }

    @Test(arguments: [
        ("Width = 0.5 mm", 1000, 0.0005 * 1000),        // 0.5 mm = 500 µm / 1000 px = 0.5 µm
        ("Width = 2000 nm", 1000, 0.002),               // 2000 nm = 2 µm / 1000 = 0.002
        ("Width = 3 um", 1000, 0.003),                  // 3 µm / 1000
        ("Width = 4 \u{3BC}m", 1000, 0.004),            // Greek mu
        ("Width = 5 \u{C2}\u{B5}m", 1000, 0.005),       // UTF-8 µ read as Latin-1
        ("Width = 6000000 pm", 1000, 0.006),            // 6e6 pm = 6 µm / 1000
    ])
    func widthUnits(_ line: String, _ width: Int, _ expected: Double) {
        let r = ZeissMetadata.parse("AP_WIDTH\r\n\(line)\r\n", imageWidth: width)
        #expect(approx(r.pixelSize?.micrometres, expected, rel: 1e-9))
    }

    @Test func imagePixelSizeInPicometres() {
        let r = ZeissMetadata.parse("AP_IMAGE_PIXEL_SIZE\nImage Pixel Size = 1.5 pm\n", imageWidth: 10)
        #expect(approx(r.pixelSize?.micrometres, 1.5e-6))    // 1.5 pm × 1e-6 µm/pm
    }

    @Test func zeroImagePixelSizeFallsBackToWidth() {
        let r = ZeissMetadata.parse("AP_IMAGE_PIXEL_SIZE\nImage Pixel Size = 0.0 fm\nAP_WIDTH\nWidth = 10 \u{B5}m\n", imageWidth: 100)
        #expect(approx(r.pixelSize?.micrometres, 0.1))       // 10 µm / 100 px
    }

    @Test func onlyReferencePixelSizeIsNotACalibration() {
        let r = ZeissMetadata.parse(Self.header + "AP_PIXEL_SIZE\r\nPixel Size = 5.825 nm\r\n", imageWidth: 1024)
        #expect(r.pixelSize == nil)
        #expect(r.reason?.contains("1024-px") == true)
    }

    @Test func junkValues() {
        for t in ["", "AP_IMAGE_PIXEL_SIZE\nImage Pixel Size = notanumber\n", "AP_WIDTH\nWidth = nan \u{B5}m\n",
                  "AP_WIDTH\nWidth = 5 furlongs\n", "AP_WIDTH\nWidth = -5 \u{B5}m\n", "\u{0}"] {
            #expect(ZeissMetadata.parse(t, imageWidth: 512).pixelSize == nil)
        }
        #expect(ZeissMetadata.parse("AP_WIDTH\nWidth = 5 \u{B5}m\n", imageWidth: 0).pixelSize == nil)
    }

    @Test func binaryTagFallback() {
        var m = SourceMetadata(format: .tiff, path: "z.tif", width: 512, height: 384)
        m.binaryTags[34118] = Array(Self.zeiss512.unicodeScalars.map { UInt8($0.value) })
        #expect(approx(ZeissMetadata.parse(m)?.pixelSize?.micrometres, 0.011650390625))
    }
}

// MARK: - JEOL / Hitachi sidecars

@Suite("JEOL and Hitachi sidecars")
struct SidecarTests {
    static func jeol(marker: String, bar: String, full: String?, crlf: Bool = false) -> String {
        var lines = ["$SEM_DATA_VERSION 1", "$CM_SIGNAL_NAME COMPO", "$CM_MAG 43", "$$SM_MICRON_BAR \(bar)", "$$SM_MICRON_MARKER \(marker)",
                     "$CM_FRAME_SIZE 0 0"]
        if let full { lines.append("$CM_FULL_SIZE \(full)") }
        lines.append("$AN_TEXT%0 5.0 874.0 215.0 910.0 \"X:0.827\u{B5}m\" \"Courier New\" 0 32.0")
        return lines.joined(separator: crlf ? "\r\n" : "\n") + (crlf ? "\r\n" : "\n")
    }

    @Test func trapBMPExportedAtHalfWidth() {
        // Standard_BSE_640-800: marker 100um, bar 45 px at 1280 wide, image 640 × 512.
        let r = JEOLSidecar.parse(Self.jeol(marker: "100um", bar: "45", full: "1280 960"), imageWidth: 640, imageHeight: 512)
        // 100 µm / 45 px × 1280/640 = 4.4444… µm
        #expect(approx(r.pixelSize?.micrometres, 100.0 / 45.0 * 2.0))
        // raster rows 960 × 640/1280 = 480 → bar 512 − 480 = 32 rows
        #expect(r.dataBar == PixelRect(x: 0, y: 480, width: 640, height: 32))
        #expect(r.notes.contains { $0.contains("1280/640") })
    }

    @Test func image000() {
        let r = JEOLSidecar.parse(Self.jeol(marker: "100um", bar: "101", full: "1280 960"), imageWidth: 1280, imageHeight: 1024)
        #expect(approx(r.pixelSize?.micrometres, 100.0 / 101.0))          // 0.990099 µm
        #expect(r.dataBar == PixelRect(x: 0, y: 960, width: 1280, height: 64))   // 1024 − 960
    }

    @Test func crlfAndTenMicronMarker() {
        let r = JEOLSidecar.parse(Self.jeol(marker: "10um", bar: "91", full: "2560 1920", crlf: true), imageWidth: 2560, imageHeight: 2052)
        #expect(approx(r.pixelSize?.micrometres, 10.0 / 91.0))            // 0.10989 µm
        #expect(r.dataBar == PixelRect(x: 0, y: 1920, width: 2560, height: 132))  // 2052 − 1920
    }

    @Test func nanometreMarkerWithoutFullSize() {
        let r = JEOLSidecar.parse(Self.jeol(marker: "500nm", bar: "100", full: nil), imageWidth: 640, imageHeight: 480)
        #expect(approx(r.pixelSize?.micrometres, 0.005))                  // 0.5 µm / 100 px
        #expect(r.dataBar == nil && !r.dataBarKnown)
    }

    @Test(arguments: [("100um", "0"), ("100um", "abc"), ("abc", "45"), ("100", "45"), ("100 parsecs", "45"), ("nanum", "45")])
    func jeolJunk(_ marker: String, _ bar: String) {
        let r = JEOLSidecar.parse(Self.jeol(marker: marker, bar: bar, full: "1280 960"), imageWidth: 1280, imageHeight: 1024)
        #expect(r.pixelSize == nil)
        #expect(r.dataBar == PixelRect(x: 0, y: 960, width: 1280, height: 64))
    }

    /// Hand-made Hitachi S-4800 sidecar following Bio-Formats HitachiReader's keys.
    static let hitachi = "[SemImageFile]\r\nInstructName=S-4800\r\nSerialNumber=12345-01\r\nSampleName=LiIn-cell-3\r\nFormat=tif\r\nImageName=cell3_001.tif\r\nDate=05/17/2022\r\nTime=09:07:08\r\nMagnification=5000\r\nWorkingDistance=8000 um\r\nAcceleratingVoltage=15000 Volt\r\nPixelSize=24.8\r\nDataSize=1280x960\r\nStagePositionX=37500000\r\n"

    @Test func hitachi() {
        #expect(SidecarKind.of(Self.hitachi) == .hitachi)
        let r = HitachiSidecar.parse(Self.hitachi, imageWidth: 1280, imageHeight: 1024)
        #expect(approx(r.pixelSize?.micrometres, 0.0248))                 // 24.8 nm × 1e-3
        #expect(r.dataBar == PixelRect(x: 0, y: 960, width: 1280, height: 64))   // 1024 − 960
    }

    @Test func hitachiHalfWidthExport() {
        let r = HitachiSidecar.parse(Self.hitachi, imageWidth: 640, imageHeight: 512)
        #expect(approx(r.pixelSize?.micrometres, 0.0496))                 // 0.0248 × 1280/640
        #expect(r.dataBar == PixelRect(x: 0, y: 480, width: 640, height: 32))    // 960/2 = 480
    }

    @Test func hitachiJunk() {
        #expect(HitachiSidecar.parse("[SemImageFile]\nPixelSize=abc\n", imageWidth: 10, imageHeight: 10).pixelSize == nil)
        #expect(HitachiSidecar.parse("[SemImageFile]\nPixelSize=-2\n", imageWidth: 10, imageHeight: 10).pixelSize == nil)
        #expect(HitachiSidecar.parse("PixelSize=24.8\n", imageWidth: 10, imageHeight: 10).pixelSize == nil)
    }

    @Test func kinds() {
        #expect(SidecarKind.of(Self.jeol(marker: "1um", bar: "1", full: nil)) == .jeol)
        #expect(SidecarKind.of("hello\nworld") == .unknown)
        #expect(SidecarKind.of("") == .unknown)
    }
}

// MARK: - TESCAN, ImageJ, TIFF resolution

@Suite("TESCAN, ImageJ, TIFF resolution")
struct SimpleCalibrationTests {
    @Test func tescanMinimal() {
        // Excerpt of kit_tomo_mapper/tescan-minimal.hdr
        let t = "[MAIN]\r\nDevice=TESCAN SOLARIS X\r\nPixelSizeX=0.00000005\r\nPixelSizeY=0.00000005\r\n\r\n[SEM]\r\nDetector=SE\r\n"
        let r = TESCANMetadata.parse(t)
        #expect(approx(r.pixelSize?.micrometres, 0.05))                   // 5e-8 m × 1e6
        #expect(r.source == .tescan)
    }

    @Test func tescanRectangularAndPreamble() {
        let t = "\u{1}\u{0}\u{7F}binary\r\n[MAIN]\r\nPixelSizeX=1e-8\r\nPixelSizeY=2e-8\r\n"
        let r = TESCANMetadata.parse(t)
        #expect(approx(r.pixelSize?.widthMicrometres, 0.01))             // 1e-8 m
        #expect(approx(r.pixelSize?.heightMicrometres, 0.02))            // 2e-8 m
    }

    @Test func tescanJunk() {
        #expect(TESCANMetadata.parse("[MAIN]\nPixelSizeX=zero\n").pixelSize == nil)
        #expect(TESCANMetadata.parse("[SEM]\nPixelSizeX=1e-8\n").pixelSize == nil)
        #expect(TESCANMetadata.parse("[MAIN]\nPixelSizeX=0\n").pixelSize == nil)
    }

    @Test func imageJMicron() {
        // test_loading_image_saved_with_imageJ.tif: XResolution 5928571/1000000
        let r = ImageJDescription.parse("ImageJ=1.51a\nunit=micron\nmin=86.0\nmax=5040.0927734375",
                                        resolution: TIFFResolution(x: 5.928571, y: 5.928571, unit: 1))
        #expect(approx(r.pixelSize?.micrometres, 1.0 / 5.928571))        // 0.168674711 µm (tifffile: 1000000/5928571)
    }

    @Test func imageJNoUnitIsNotCalibrated() {
        let r = ImageJDescription.parse("ImageJ=1.51d\nmin=86.0\nmax=5040.0927734375",
                                        resolution: TIFFResolution(x: 1, y: 1, unit: 1))
        #expect(r.pixelSize == nil)
        for u in ["pixel", "inch", "pixels", ""] {
            #expect(ImageJDescription.parse("ImageJ=1.53t\nunit=\(u)\n", resolution: TIFFResolution(x: 2, y: 2, unit: 1)).pixelSize == nil)
        }
    }

    @Test(arguments: [("um", 0.5), ("\\u00B5m", 0.5), ("\u{B5}m", 0.5), ("nm", 0.0005), ("mm", 500.0), ("micron", 0.5)])
    func imageJUnits(_ unit: String, _ expected: Double) {
        // XResolution 2 px per unit → 0.5 unit per px
        let r = ImageJDescription.parse("ImageJ=1.53t\nunit=\(unit)\n", resolution: TIFFResolution(x: 2, y: 2, unit: 1))
        #expect(approx(r.pixelSize?.micrometres, expected))
    }

    @Test func imageJRectangularAndMissingResolution() {
        let r = ImageJDescription.parse("ImageJ=1.53t\nunit=um\n", resolution: TIFFResolution(x: 2, y: 4, unit: 1))
        #expect(approx(r.pixelSize?.widthMicrometres, 0.5))              // 1/2
        #expect(approx(r.pixelSize?.heightMicrometres, 0.25))            // 1/4
        #expect(ImageJDescription.parse("ImageJ=1.53t\nunit=um\n", resolution: nil).pixelSize == nil)
        #expect(ImageJDescription.parse("ImageJ=1.53t\nunit=um\n", resolution: TIFFResolution(x: 0, y: 0, unit: 1)).pixelSize == nil)
        #expect(!ImageJDescription.isImageJ("Some camera description"))
    }

    @Test func tiffResolutionUnits() {
        // JEOL image000.tif: 568189440/2097152 = 270.93383… dpi → 25400 / 270.93383… = 93.7498254 µm
        let jeol = TIFFResolutionCalibration.parse(TIFFResolution(x: 568189440.0 / 2097152.0, y: 568189440.0 / 2097152.0, unit: 2))
        #expect(approx(jeol.pixelSize?.micrometres, 93.74982541034201, rel: 1e-12))
        // Thermo NSS: 4294967295/255684758 px/cm → 10000 / 16.7979… = 595.3124679 µm
        let nss = TIFFResolutionCalibration.parse(TIFFResolution(x: 4294967295.0 / 255684758.0, y: 4294967295.0 / 255684758.0, unit: 3))
        #expect(approx(nss.pixelSize?.micrometres, 595.3124679148458, rel: 1e-12))
        // NIST: 1/1 with unit NONE → never a size
        #expect(TIFFResolutionCalibration.parse(TIFFResolution(x: 1, y: 1, unit: 1)).pixelSize == nil)
        #expect(TIFFResolutionCalibration.parse(nil).pixelSize == nil)
        #expect(TIFFResolutionCalibration.parse(TIFFResolution(x: .nan, y: 1, unit: 2)).pixelSize == nil)
    }
}

// MARK: - Text helpers

@Suite("Vendor text helpers")
struct VendorTextTests {
    @Test func lengths() {
        #expect(VendorText.length("100um") == 100)
        #expect(VendorText.length("2.615 \u{B5}m") == 2.615)
        #expect(approx(VendorText.length("12.33 nm"), 0.01233))
        #expect(approx(VendorText.length("2.677 mm"), 2677))
        #expect(approx(VendorText.length("1e-3 mm"), 1))
        #expect(VendorText.length("5 e") == nil)
        #expect(VendorText.length("inf um") == nil)
        #expect(VendorText.length("") == nil)
        #expect(VendorText.length("um") == nil)
    }

    @Test func lineSplitting() {
        #expect(VendorText.lines("a\r\nb\nc\rd").map(String.init) == ["a", "b", "c", "d"])
        #expect(VendorText.lines("a\u{0}b").map(String.init) == ["a", "b"])
    }
}
