import Dendrometer
import DendrometerTestSupport
import Foundation
import Testing

/// A prepared field from literal grey values (no denoising: `denoised` = `original`).
private func field(_ width: Int, _ height: Int, _ values: [Float], pixelSize: Double? = nil,
                   raster: (Int, Int)? = nil, origin: (Int, Int) = (0, 0)) -> PreparedField {
    let image = Image(width: width, height: height, pixels: values, bitDepth: 32)
    return PreparedField(rect: PixelRect(x: origin.0, y: origin.1, width: width, height: height),
                         rasterWidth: raster?.0, rasterHeight: raster?.1, original: image, denoised: image,
                         pixelSize: pixelSize.map { PixelSize(micrometres: $0) })
}

/// Rows of a literal 0/1 picture, top row first.
private func mask(_ rows: [String]) -> BinaryMask {
    BinaryMask(width: rows[0].count, height: rows.count,
               normalizedBits: rows.flatMap { $0.map { $0 == "1" ? UInt8(1) : 0 } })
}

@Suite("Segmenters on tiny literal images")
struct SegmenterTests {
    /// 8 × 6 px: a bright layer (200) on the bottom two rows and a one-column dendrite (200)
    /// rising two rows above it, on electrolyte at 100.
    static let picture = [
        "00000000",
        "00000000",
        "00010000",
        "00010000",
        "11111111",
        "11111111",
    ]
    static var grey: [Float] { mask(picture).bits.map { $0 != 0 ? 200 : 100 } }

    @Test("threshold: a fixed value between the two greys gives the drawn phase exactly")
    func thresholdValue() throws {
        var p = AnalysisParameters()
        p.threshold.threshold = .value(150)
        p.dendrites.minimumAreaUnit = .pixels
        p.dendrites.minimumAreaPx = 1
        p.dendrites.minimumAreaFloorPx = 1
        let seg = try ThresholdSegmenter(polarity: .bright, anode: .bottom).segment(field(8, 6, Self.grey), parameters: p)
        #expect(seg.phase == mask(Self.picture))
        #expect(seg.method == .threshold(150))
        #expect(seg.appearance == .bright)
    }

    @Test("EDX: the In-rich pixels of a map are the phase")
    func edx() throws {
        var f = field(8, 6, [Float](repeating: 100, count: 48))
        f.edx["In"] = Image(width: 8, height: 6, pixels: mask(Self.picture).bits.map { $0 != 0 ? 40 : 0 }, bitDepth: 32)
        var p = AnalysisParameters()
        p.dendrites.minimumAreaUnit = .pixels
        p.dendrites.minimumAreaFloorPx = 1
        p.dendrites.minimumAreaPx = 1
        let seg = try EDXSegmenter(element: "In").segment(f, parameters: p)
        #expect(seg.phase == mask(Self.picture))
        #expect(seg.method.name == "edx")
        #expect(throws: AnalysisError.missingEDXMap(element: "S", available: ["In"])) {
            _ = try EDXSegmenter(element: "S").segment(f, parameters: p)
        }
    }

    @Test("external mask: taken as given, field-size or full-raster (data bar cut off)")
    func externalMask() throws {
        let drawn = mask(Self.picture)
        let given = try ExternalMaskSegmenter(mask: ExternalMask(mask: drawn, path: "m.png")).segment(field(8, 6, Self.grey), parameters: AnalysisParameters())
        #expect(given.phase == drawn)
        #expect(given.method == .mask("m.png", labels: []))
        // The same mask drawn on a raster with a 2-row data bar below the 6-row field.
        let raster = mask(Self.picture + ["11111111", "00000000"])
        let cut = try ExternalMaskSegmenter(mask: ExternalMask(mask: raster, path: "m.png"))
            .segment(field(8, 6, Self.grey, raster: (8, 8)), parameters: AnalysisParameters())
        #expect(cut.phase == drawn)
    }

    @Test("a mask's phase brighter than the matrix is bright (Li-In), darker is dark (Li)")
    func inferredAppearance() throws {
        let drawn = mask(Self.picture)
        let bright = try ExternalMaskSegmenter(mask: ExternalMask(mask: drawn, path: "m.png")).segment(field(8, 6, Self.grey), parameters: AnalysisParameters())
        #expect(bright.appearance == .bright)
        let darkGrey = Self.grey.map { 300 - $0 }   // phase 100, matrix 200
        let dark = try ExternalMaskSegmenter(mask: ExternalMask(mask: drawn, path: "m.png")).segment(field(8, 6, darkGrey), parameters: AnalysisParameters())
        #expect(dark.appearance == .dark)
        // What the user says wins.
        let told = try ExternalMaskSegmenter(mask: ExternalMask(mask: drawn, path: "m.png"), appearance: .bright).segment(field(8, 6, darkGrey), parameters: AnalysisParameters())
        #expect(told.appearance == .bright)
    }

    @Test("a mask's cathode search reads the grey halfway between its phase and the rest; none when the grey contradicts the polarity")
    func maskSpeckleThreshold() throws {
        let drawn = mask(Self.picture)
        // Phase 200, rest 99, 100, 101 in turn (a noiseless rest has no contrast to noise): medians 200 and
        // 100, so pixels above 150 read as phase speckle where the cathode is sought.
        let grey = Self.grey.enumerated().map { i, v in v == 100 ? v + Float(i % 3 - 1) : v }
        let bright = try ExternalMaskSegmenter(mask: ExternalMask(mask: drawn, path: "m.png")).segment(field(8, 6, grey), parameters: AnalysisParameters())
        #expect(bright.rawPhaseThreshold == 150)
        #expect(bright.greySegmentationIsBright == true)
        // Phase 100, rest 199, 200, 201 in turn, dark: at or below 150.
        let dark = try ExternalMaskSegmenter(mask: ExternalMask(mask: drawn, path: "m.png")).segment(field(8, 6, grey.map { 300 - $0 }), parameters: AnalysisParameters())
        #expect(dark.appearance == .dark, "\(dark.appearance)")
        #expect(dark.rawPhaseThreshold == 150, "\(String(describing: dark.rawPhaseThreshold))")
        #expect(dark.greySegmentationIsBright == false)
        // Told bright while the grey says dark: no grey threshold is made up.
        let told = try ExternalMaskSegmenter(mask: ExternalMask(mask: drawn, path: "m.png"), appearance: .bright)
            .segment(field(8, 6, grey.map { 300 - $0 }), parameters: AnalysisParameters())
        #expect(told.rawPhaseThreshold == nil)
    }

    @Test("external mask: wrong size, nothing marked, everything marked are clear errors")
    func externalMaskErrors() throws {
        let f = field(8, 6, Self.grey, raster: (8, 7))
        #expect(throws: AnalysisError.badMask("m.png", "the mask is 4 × 4 px but the image is 8 × 7 px or its scanned field 8 × 6 px")) {
            _ = try ExternalMaskSegmenter(mask: ExternalMask(mask: BinaryMask(width: 4, height: 4), path: "m.png")).segment(f, parameters: AnalysisParameters())
        }
        #expect(throws: AnalysisError.badMask("m.png", "no pixel of the mask is label 5 inside the scanned field: nothing is phase")) {
            _ = try ExternalMaskSegmenter(mask: ExternalMask(mask: BinaryMask(width: 8, height: 6), path: "m.png", labels: [5])).segment(f, parameters: AnalysisParameters())
        }
        let full = BinaryMask(width: 8, height: 6, normalizedBits: [UInt8](repeating: 1, count: 48))
        #expect(throws: AnalysisError.badMask("m.png", "every pixel of the scanned field is non-zero: the mask marks no electrolyte")) {
            _ = try ExternalMaskSegmenter(mask: ExternalMask(mask: full, path: "m.png")).segment(f, parameters: AnalysisParameters())
        }
    }

    @Test("external mask file: label values pick the phase; a float map is a probability map")
    func maskFile() throws {
        let dir = URL(fileURLWithPath: Scratch.file("dm-mask"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // ilastik-style labels: 1 Li-In, 2 electrolyte, 3 pore.
        let labels: [UInt8] = [2, 2, 3, 2,
                               2, 1, 2, 2,
                               1, 1, 1, 1]
        let path = dir.appendingPathComponent("labels.tif").path
        try TIFFWriter.write(Image(width: 4, height: 3, pixels: labels, bitDepth: 8), to: path)
        let m = try ExternalMask.read(path, labels: [1])
        #expect(m.mask.bits == labels.map { $0 == 1 ? 1 : 0 })
        let any = try ExternalMask.read(path)
        #expect(any.mask.area == 12)
        let probs: [Float] = [0.1, 0.49, 0.5, 0.9]
        let ppath = dir.appendingPathComponent("p.tif").path
        try TIFFWriter.write(Image(width: 2, height: 2, pixels: probs, bitDepth: 32), to: ppath)
        #expect(try ExternalMask.read(ppath).mask.bits == [0, 0, 1, 1])
        #expect(throws: AnalysisError.self) { _ = try ExternalMask.read(ppath, labels: [1]) }
    }
}

@Suite("One parameter set")
struct ParameterSetTests {
    @Test("the defaults survive a round trip through their JSON")
    func roundTrip() throws {
        let json = try JSONEncoder().encode(ParameterFile.tree(of: AnalysisParameters()))
        #expect(try ParameterFile.decode(json) == AnalysisParameters())
    }

    @Test("a subset changes only the keys it names")
    func subset() throws {
        let p = try ParameterFile.decode(Data(#"{"dendrites": {"minimumAreaSquareMicrometres": 2.5}, "threshold": {"threshold": 97}, "interface": {"knots": 9}}"#.utf8))
        var expected = AnalysisParameters()
        expected.dendrites.minimumAreaSquareMicrometres = 2.5
        expected.threshold.threshold = .value(97)
        expected.interface.knots = 9
        #expect(p == expected)
    }

    @Test("an old flat classifier-threshold file is read as the morphology group")
    func flatMorphology() throws {
        let p = try ParameterFile.decode(Data(#"{"needleMaximumWidthMicrometres": 10, "brightNeedles": true}"#.utf8))
        #expect(p.morphology.needleMaximumWidthMicrometres == 10)
        #expect(p.morphology.brightNeedles)
        #expect(p.dendrites == AnalysisParameters().dendrites)
    }

    @Test("numbers are input: non-finite, negative, huge, a fraction above 1, an angle above 180°, a filter scale above 100 px are refused naming the key")
    func ranges() throws {
        for (json, path, limit) in [(#"{"dendrites": {"minimumAreaPx": 1e300}}"#, "dendrites.minimumAreaPx", "1e+06"),
                                    (#"{"threshold": {"previewShortSidePx": -5}}"#, "threshold.previewShortSidePx", "1e+06"),
                                    (#"{"review": {"lateralDarkShare": 2}}"#, "review.lateralDarkShare", "1"),
                                    (#"{"dendrites": {"whiskerMaximumTiltDegrees": 200}}"#, "dendrites.whiskerMaximumTiltDegrees", "180"),
                                    (#"{"orientation": {"rhoPx": 1e6}}"#, "orientation.rhoPx", "100"),
                                    (#"{"preparation": {"denoiseSigmaPx": 500}}"#, "preparation.denoiseSigmaPx", "100")] {
            do {
                _ = try ParameterFile.decode(Data(json.utf8))
                Issue.record("\(json) accepted")
            } catch {
                #expect(error.description.hasPrefix("\(path): expected a number from 0 to \(limit)"), "\(error)")
            }
        }
        #expect(try ParameterFile.decode(Data(#"{"orientation": {"rhoPx": 100}, "cathode": {"textureSpreadRatio": 3}}"#.utf8)).orientation.rhoPx == 100)
    }

    @Test("unknown keys and wrong types are one error naming the key")
    func errors() throws {
        #expect(throws: ParameterFileError.unknownKey(path: "dendrites.minimumArea", known: AnalysisParameters.Dendrites.keys)) {
            _ = try ParameterFile.decode(Data(#"{"dendrites": {"minimumArea": 2}}"#.utf8))
        }
        do {
            _ = try ParameterFile.decode(Data(#"{"interface": {"knots": "seventeen"}}"#.utf8))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix("interface.knots: expected an integer"), "\(error)")
        }
        do {
            _ = try ParameterFile.decode(Data(#"{"skeleton": 3}"#.utf8))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix("skeleton: expected an object"), "\(error)")
        }
        #expect(throws: ParameterFileError.self) { _ = try ParameterFile.decode(Data("[1, 2]".utf8)) }
        #expect(throws: ParameterFileError.self) { _ = try ParameterFile.decode(Data(#"{"threshold": {"threshold": "median"}}"#.utf8)) }
    }

    @Test("sizes: µm on calibrated images, px otherwise or when the unit says px; floors hold")
    func sizes() {
        let d = AnalysisParameters.Dendrites()
        // 1 µm² at 0.05 µm/px = 400 px; uncalibrated: 12 px; at 1 µm/px the 4-px floor holds.
        #expect(d.minimumAreaPixels(pixelSize: PixelSize(micrometres: 0.05)) == 400)
        #expect(d.minimumAreaPixels(pixelSize: nil) == 12)
        #expect(d.minimumAreaPixels(pixelSize: PixelSize(micrometres: 1)) == 4)
        var px = d
        px.minimumAreaUnit = .pixels
        px.minimumAreaPx = 20
        #expect(px.minimumAreaPixels(pixelSize: PixelSize(micrometres: 0.05)) == 20)
        // A thresholded grey phase: never below the noise's blobs, π (2σ)² px rounded up:
        // π·4 = 12.57 → 13 px at σ = 1, π·16 = 50.27 → 51 px at σ = 2; 0 without denoising.
        #expect(d.minimumAreaPixels(pixelSize: PixelSize(micrometres: 1), denoiseSigmaPx: 1) == 13)
        #expect(d.minimumAreaPixels(pixelSize: PixelSize(micrometres: 1), denoiseSigmaPx: 2) == 51)
        #expect(d.minimumAreaPixels(pixelSize: PixelSize(micrometres: 1), denoiseSigmaPx: 0) == 4)
        #expect(d.minimumAreaPixels(pixelSize: nil, denoiseSigmaPx: 1) == 13)
        #expect(d.minimumAreaPixels(pixelSize: PixelSize(micrometres: 0.05), denoiseSigmaPx: 1) == 400)
        var off = d
        off.noiseSpeckRadiusSigmas = 0
        #expect(off.minimumAreaPixels(pixelSize: PixelSize(micrometres: 1), denoiseSigmaPx: 1) == 4)
        // Pores: 2 µm at 0.1 µm/px = 20 px; spurs: 1 µm at 0.1 µm/px = 10 px, 3 px floor at 1 µm/px.
        #expect(d.poreSizePixels(pixelSize: PixelSize(micrometres: 0.1)) == 20)
        let s = AnalysisParameters.Skeleton()
        #expect(s.spurLengthPixels(pixelSize: PixelSize(micrometres: 0.1)) == 10)
        #expect(s.spurLengthPixels(pixelSize: PixelSize(micrometres: 1)) == 3)
    }
}

@Suite("Specks: the noise's blobs in a thresholded grey phase")
struct NoiseSpeckTests {
    /// 12 × 12 px at 0.5 µm/px (1 µm² = 4 px): the anode layer (rows 10–11), a 3 × 3 blob
    /// (9 px) and a 4 × 4 blob (16 px) floating in the electrolyte; phase 200 on 100.
    static let picture = [
        "000000000000",
        "011100000000",
        "011100000000",
        "011100011110",
        "000000011110",
        "000000011110",
        "000000011110",
        "000000000000",
        "000000000000",
        "000000000000",
        "111111111111",
        "111111111111",
    ]
    static var grey: [Float] { mask(picture).bits.map { $0 != 0 ? 200 : 100 } }
    static var parameters: AnalysisParameters {
        var p = AnalysisParameters()
        p.threshold.threshold = .value(150)
        return p
    }

    /// The picture without its 3 × 3 blob.
    static var withoutSmallBlob: BinaryMask {
        var m = mask(picture)
        for y in 1 ... 3 { for x in 1 ... 3 { m.bits[y * 12 + x] = 0 } }
        return m
    }

    @Test("a threshold at 0.5 µm/px drops the 9-px blob (< π (2σ)² = 12.6 px at σ = 1) and keeps the 16-px one")
    func thresholdDropsNoiseSizedBlob() throws {
        let seg = try ThresholdSegmenter(polarity: .bright, anode: .bottom)
            .segment(field(12, 12, Self.grey, pixelSize: 0.5), parameters: Self.parameters)
        #expect(seg.phase == Self.withoutSmallBlob)
    }

    @Test("with the noise floor off, or without denoising, the 9-px blob (≥ 1 µm² = 4 px) stays")
    func floorOff() throws {
        var off = Self.parameters
        off.dendrites.noiseSpeckRadiusSigmas = 0
        var raw = Self.parameters
        raw.preparation.denoiseSigmaPx = 0
        for p in [off, raw] {
            let seg = try ThresholdSegmenter(polarity: .bright, anode: .bottom)
                .segment(field(12, 12, Self.grey, pixelSize: 0.5), parameters: p)
            #expect(seg.phase == mask(Self.picture))
        }
    }

    @Test("a mask keeps what its maker drew down to the area floor: the 9-px blob stays")
    func maskKeepsSmallBlob() throws {
        let given = try ExternalMaskSegmenter(mask: ExternalMask(mask: mask(Self.picture), path: "m.png"))
            .segment(field(12, 12, Self.grey, pixelSize: 0.5), parameters: AnalysisParameters())
        #expect(given.phase == mask(Self.picture))
    }
}

extension AnalysisParameters.Dendrites {
    /// Its JSON keys, sorted (what the unknown-key error lists).
    static var keys: [String] {
        guard case .object(let o) = ParameterFile.tree(of: AnalysisParameters.Dendrites()) else { return [] }
        return o.keys.sorted()
    }
}

@Suite("Entering the pipeline with your own mask")
struct OwnMaskTests {
    @Test("a hand-drawn mask of a clean scene gives the same penetration as the threshold path")
    func handDrawnMask() throws {
        // Flat interface 40 px above the bottom edge, three bars of known height.
        var s = Scene(width: 200, height: 160, side: .bottom, interface: { _ in 40 })
        for (u0, top) in [(40, 100), (100, 130), (150, 70)] {
            for u in u0 ..< u0 + 6 { for v in 38 ... top { s.paint(u: u, v: v) } }
        }
        let m = s.micrograph()
        let automatic = try DendriteAnalysis.run(m)
        // The mask a user would draw in Fiji: exactly the painted phase.
        let drawn = BinaryMask(width: s.width, height: s.height, normalizedBits: s.pixels.map { $0 == s.phaseValue ? 1 : 0 })
        var options = AnalysisOptions()
        options.segmentation = .mask(ExternalMask(mask: drawn, path: "drawn.tif"))
        let fromMask = try DendriteAnalysis.run(m, options: options)
        let a = try #require(automatic.penetration), b = try #require(fromMask.penetration)
        // Layer pixels v = 0…39, interface at 39.5; deepest bar pixel centre v = 130 → 90.5 px.
        #expect(abs(b.maxPx - 90.5) <= 0.01, "mask max \(b.maxPx)")
        // The threshold path sees the same scene through a σ = 1 px Gaussian and hysteresis,
        // which may carry a tip one pixel further: the same depth within 1.5 px.
        #expect(abs(a.maxPx - b.maxPx) <= 1.5, "threshold \(a.maxPx) vs mask \(b.maxPx)")
        #expect(abs(a.p95Px - b.p95Px) <= 1.5)
        #expect(fromMask.interface?.side == .bottom)
        #expect(fromMask.segmentation.method == .mask("drawn.tif", labels: []))
    }
}

@Suite("Isolated fragments beyond the front")
struct IsolatedFragmentTests {
    /// Flat interface at the bottom of a 40 × 200 field (layer rows v < 10, boundary 9.5).
    static let frame = BottomFrame(width: 40, height: 200)
    static let interface = frame.interface

    /// Paints rows v in `vs` of columns `us` (interface frame, v from the bottom edge).
    static func paint(_ m: inout BinaryMask, us: Range<Int>, vs: ClosedRange<Int>) {
        frame.paint(&m, u: us.lowerBound ... us.upperBound - 1, v: vs)
    }

    @Test("a speck far beyond the needles is removed and reported; the needles stay")
    func speck() {
        var m = BinaryMask(width: 40, height: 200)
        Self.paint(&m, us: 5 ..< 8, vs: 10 ... 90)      // needle reaching offset 80.5
        Self.paint(&m, us: 20 ..< 23, vs: 10 ... 70)
        Self.paint(&m, us: 30 ..< 32, vs: 170 ... 171)  // 4-px speck 150 px beyond the front
        let (kept, removed) = m.removingIsolatedFragments(interface: Self.interface, minimumGapPx: 10, gapFraction: 0.1, maximumShare: 0.02)
        let f = try? #require(removed)
        #expect(f?.components == 1 && f?.pixels == 4)
        // Reach: the needle's top pixel, v = 90, offset 90 − 9.5 = 80.5; the speck starts at 160.5.
        #expect(f?.reachPx == 80.5 && f?.firstOffsetPx == 160.5)
        #expect(kept.area == m.area - 4)
    }

    @Test("bands following each other within the gap, and much phase beyond a gap, are kept")
    func bandsKept() {
        var m = BinaryMask(width: 40, height: 200)
        // Stripe bands with 9-px gaps: each starts exactly max(10, 0.1 × reach) px past the
        // depth reached (24.5 vs 14.5 + 10, then 38.5 vs 28.5 + 10): joined, not isolated.
        Self.paint(&m, us: 0 ..< 40, vs: 20 ... 24)
        Self.paint(&m, us: 0 ..< 40, vs: 34 ... 38)
        Self.paint(&m, us: 0 ..< 40, vs: 48 ... 52)
        #expect(m.removingIsolatedFragments(interface: Self.interface, minimumGapPx: 10, gapFraction: 0.1, maximumShare: 0.02).1 == nil)
        // A second band 100 px beyond but holding a third of the phase is real growth.
        Self.paint(&m, us: 0 ..< 40, vs: 150 ... 156)
        #expect(m.removingIsolatedFragments(interface: Self.interface, minimumGapPx: 10, gapFraction: 0.1, maximumShare: 0.02).1 == nil)
    }
}
