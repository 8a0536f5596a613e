// DataBarDetector and locateDataBar on synthetic images whose bar rectangle
// is known by construction.

import Testing
import DendrometerCore
@testable import DendrometerCalibration

/// Builds synthetic SEM frames.
enum Synth {
    /// A noisy "micrograph": uniform integer levels lo...hi.
    static func micrograph(_ w: Int, _ h: Int, seed: UInt64, lo: Int = 80, hi: Int = 180) -> Image<UInt8> {
        var rng = SplitMix64(seed: seed)
        var px = [UInt8](repeating: 0, count: w * h)
        for i in px.indices { px[i] = UInt8(Int.random(in: lo...hi, using: &rng)) }
        return Image(width: w, height: h, pixels: px)
    }

    /// Paints rows `rows` with `background`, then letter-like blobs of `ink`
    /// (3 × 5 px blocks every 8 columns, on the middle rows of the bar).
    static func paintBar(_ img: inout Image<UInt8>, rows: Range<Int>, background: UInt8, ink: UInt8, text: Bool = true) {
        for y in rows { for x in 0..<img.width { img[x, y] = background } }
        guard text, rows.count >= 3 else { return }
        let mid = rows.lowerBound + rows.count / 2
        let top = max(rows.lowerBound + 1, mid - 2), bottom = min(rows.upperBound - 1, mid + 3)
        var x = 2
        while x + 3 < img.width - 2 {
            for y in top..<bottom { for dx in 0..<3 { img[x + dx, y] = ink } }
            x += 8
        }
    }
}

@Suite("DataBarDetector")
struct DataBarDetectorTests {
    @Test func darkBarWithWhiteText() {
        var img = Synth.micrograph(64, 100, seed: 1)
        Synth.paintBar(&img, rows: 88..<100, background: 0, ink: 255)
        #expect(DataBarDetector.detect(in: img) == PixelRect(x: 0, y: 88, width: 64, height: 12))
    }

    @Test func lightBarWithBlackText() {
        var img = Synth.micrograph(80, 120, seed: 2)
        Synth.paintBar(&img, rows: 100..<120, background: 243, ink: 0)
        #expect(DataBarDetector.detect(in: img) == PixelRect(x: 0, y: 100, width: 80, height: 20))
    }

    @Test func topBar() {
        var img = Synth.micrograph(64, 100, seed: 3)
        Synth.paintBar(&img, rows: 0..<10, background: 0, ink: 255)
        #expect(DataBarDetector.detect(in: img) == PixelRect(x: 0, y: 0, width: 64, height: 10))
    }

    @Test func zeissStyleFramedBarWithSliverBelow() {
        // Like test_tiff_Zeiss_SEM_512pix.tif: black frame row at the top and
        // bottom of the bar, 1-px frame columns, one micrograph row and column
        // outside the frame. The rectangle reaches the image edge.
        var img = Synth.micrograph(64, 100, seed: 4)
        Synth.paintBar(&img, rows: 86..<99, background: 243, ink: 0)
        for x in 1..<63 { img[x, 86] = 0; img[x, 98] = 0 }
        for y in 86..<99 { img[1, y] = 0; img[62, y] = 0; img[0, y] = 120; img[63, y] = 130 }
        // row 99 stays micrograph (the sliver)
        #expect(DataBarDetector.detect(in: img) == PixelRect(x: 0, y: 86, width: 64, height: 14))
    }

    @Test func sixteenBitAndFloat() {
        var img = Synth.micrograph(64, 100, seed: 5)
        Synth.paintBar(&img, rows: 90..<100, background: 0, ink: 255)
        let u16 = img.map { UInt16($0) * 257 }
        let f = img.map { Float($0) / 255 }
        #expect(DataBarDetector.detect(in: u16) == PixelRect(x: 0, y: 90, width: 64, height: 10))
        #expect(DataBarDetector.detect(in: f) == PixelRect(x: 0, y: 90, width: 64, height: 10))
    }

    @Test func noBarInNoise() {
        for seed in UInt64(10)..<30 {
            #expect(DataBarDetector.detect(in: Synth.micrograph(64, 100, seed: seed)) == nil)
        }
    }

    @Test func constantAndEmptyAndTinyImages() {
        #expect(DataBarDetector.detect(in: Image<UInt8>(width: 64, height: 100, fill: 0)) == nil)
        #expect(DataBarDetector.detect(in: Image<Float>(width: 64, height: 100, fill: 7)) == nil)
        #expect(DataBarDetector.detect(in: Image<UInt8>(width: 0, height: 0)) == nil)
        #expect(DataBarDetector.detect(in: Image<UInt8>(width: 1, height: 1, fill: 9)) == nil)
        var thin = Synth.micrograph(1, 100, seed: 6)
        for y in 90..<100 { thin[0, y] = 0 }
        #expect(DataBarDetector.detect(in: thin) == nil)   // 1-px-wide: below the 8-px minimum
    }

    @Test func gradients() {
        var vertical = Image<UInt8>(width: 64, height: 100)
        var horizontal = Image<UInt8>(width: 64, height: 100)
        for y in 0..<100 { for x in 0..<64 { vertical[x, y] = UInt8(y * 255 / 99); horizontal[x, y] = UInt8(x * 4) } }
        #expect(DataBarDetector.detect(in: vertical) == nil)
        #expect(DataBarDetector.detect(in: horizontal) == nil)
    }

    @Test func zeroedImageAreaAboveBarIsNotDetected() {
        // FEI Helios upload: image area zeroed, bar black too → no sharp change.
        var img = Image<UInt8>(width: 64, height: 100, fill: 0)
        Synth.paintBar(&img, rows: 94..<100, background: 0, ink: 252)
        #expect(DataBarDetector.detect(in: img) == nil)
    }

    @Test func uniformStripWithoutTextIsNotABar() {
        // e.g. saturated vacuum at the bottom of a cross-section
        var img = Synth.micrograph(64, 100, seed: 7)
        Synth.paintBar(&img, rows: 90..<100, background: 0, ink: 0, text: false)
        #expect(DataBarDetector.detect(in: img) == nil)
    }

    @Test func tooTallOrTooThin() {
        var tall = Synth.micrograph(64, 100, seed: 8)
        Synth.paintBar(&tall, rows: 60..<100, background: 0, ink: 255)   // 40 % > 30 %
        #expect(DataBarDetector.detect(in: tall) == nil)
        var thin = Synth.micrograph(64, 200, seed: 9)
        Synth.paintBar(&thin, rows: 197..<200, background: 0, ink: 255)  // 1.5 % < 2 %
        #expect(DataBarDetector.detect(in: thin) == nil)
    }

    @Test func inputNotModified() {
        var img = Synth.micrograph(64, 100, seed: 11)
        Synth.paintBar(&img, rows: 88..<100, background: 0, ink: 255)
        let copy = img
        _ = DataBarDetector.detect(in: img)
        #expect(img == copy)
    }

    @Test("a strip thinner than 8 rows cannot hold text: not a bar")
    func tooFewRowsForText() {
        var img = Synth.micrograph(52, 53, seed: 12)
        Synth.paintBar(&img, rows: 0..<2, background: 0, ink: 255)
        #expect(DataBarDetector.detect(in: img) == nil)
    }

    /// Property: for random sizes, bar heights (3–25 %, at least 8 rows), polarity and seeds the
    /// detector returns exactly the painted rows; without a bar it returns nil.
    @Test func propertyRandomBars() {
        var rng = SplitMix64(seed: 2026)
        for seed in 0..<40 {
            let w = Int.random(in: 40...120, using: &rng), h = Int.random(in: 60...160, using: &rng)
            let barH = Int.random(in: max(DataBarDetector.minimumBarRows, Int((Double(h) * 0.03).rounded(.up)))...Int(Double(h) * 0.25), using: &rng)
            let dark = Bool.random(using: &rng)
            let atTop = Int.random(in: 0..<4, using: &rng) == 0
            var img = Synth.micrograph(w, h, seed: UInt64(1000 + seed))
            #expect(DataBarDetector.detect(in: img) == nil, "seed \(seed): false positive")
            let rows = atTop ? 0..<barH : (h - barH)..<h
            Synth.paintBar(&img, rows: rows, background: dark ? 0 : 255, ink: dark ? 255 : 0)
            #expect(DataBarDetector.detect(in: img) == PixelRect(x: 0, y: rows.lowerBound, width: w, height: barH),
                    "seed \(seed): \(w)×\(h) bar \(rows) dark=\(dark)")
        }
    }
}

@Suite("locateDataBar")
struct LocateDataBarTests {
    @Test func metadataBarWinsOverPixels() {
        // Zeroed FEI image: detection is impossible, metadata states rows 442..<471.
        var m = SourceMetadata(format: .tiff, path: "h.tif", width: 512, height: 471)
        m.textTags[34682] = CalibrateTests.fei
        let img = Image<UInt8>(width: 512, height: 471, fill: 0)
        let bar = locateDataBar(metadata: m, image: img)
        #expect(bar == DataBar(rect: PixelRect(x: 0, y: 442, width: 512, height: 29), source: .metadata(.fei)))
    }

    @Test func metadataSayingNoBarSkipsDetection() {
        var m = SourceMetadata(format: .tiff, path: "p.tif", width: 64, height: 100)
        m.textTags[34682] = "[Scan]\nPixelWidth=1e-6\n[Image]\nResolutionX=64\nResolutionY=100\n"
        var img = Synth.micrograph(64, 100, seed: 1)
        Synth.paintBar(&img, rows: 88..<100, background: 0, ink: 255)
        #expect(locateDataBar(metadata: m, image: img) == nil)
    }

    @Test func zeissFallsBackToDetection() {
        var m = SourceMetadata(format: .tiff, path: "z.tif", width: 64, height: 100)
        m.textTags[34118] = "AP_WIDTH\r\nWidth = 6.4 \u{B5}m\r\n"
        var img = Synth.micrograph(64, 100, seed: 1)
        Synth.paintBar(&img, rows: 88..<100, background: 255, ink: 0)
        let r = calibrate(m)
        #expect(approx(r.calibration.pixelSize?.micrometres, 0.1))   // 6.4 µm / 64 px
        #expect(locateDataBar(r, image: img) == DataBar(rect: PixelRect(x: 0, y: 88, width: 64, height: 12), source: .detected))
    }

    @Test func metadataBarIsClippedToTheImage() {
        // JEOL sidecar describing a taller image than the one decoded.
        var m = SourceMetadata(format: .bmp, path: "j.bmp", width: 640, height: 512)
        m.sidecars["txt"] = SidecarTests.jeol(marker: "100um", bar: "45", full: "1280 960")
        let r = calibrate(m)
        let small = Image<UInt8>(width: 640, height: 500)
        #expect(locateDataBar(r, image: small)?.rect == PixelRect(x: 0, y: 480, width: 640, height: 20))
    }
}
