import Dendrometer
import Testing
@testable import DendrometerPipeline

/// The prepare stage corrects scan lines along the axis they run along (ScanAxis.swift).
@Suite("Scan-line axis in the prepare stage")
struct ScanAxisPreparationTests {
    /// A 60 × 40 field of grey 100 with a dark bar across rows 18 … 21 (grey 40) and an offset of
    /// −4 … 4 grey levels on every line: on the columns (`columns`), or on the rows.
    static func field(columns: Bool) -> Micrograph {
        var rng = SplitMix64(seed: 5)
        let offsets = (0 ..< (columns ? 60 : 40)).map { _ in Float(Int(rng.next() % 9) - 4) }
        var pixels = [Float]()
        for y in 0 ..< 40 {
            for x in 0 ..< 60 { pixels.append(100 + offsets[columns ? x : y] - ((18 ..< 22).contains(y) ? 60 : 0)) }
        }
        let image = Image(width: 60, height: 40, pixels: pixels, bitDepth: 32)
        return Micrograph(image: .float32(image), metadata: SourceMetadata(format: .tiff, path: "lines.tif", width: 60, height: 40),
                          calibration: .uncalibrated("test"), dataBar: nil, warnings: [])
    }

    /// The spread (largest minus smallest) of the interior columns' means over the flat rows 0 … 14.
    static func columnSpread(_ image: Image<Float>) -> Float {
        var means = [Float]()
        for x in 3 ..< 57 {
            var sum: Float = 0
            for y in 0 ..< 15 { sum += image.pixels[y * 60 + x] }
            means.append(sum / 15)
        }
        return means.max()! - means.min()!
    }

    @Test("lines along the columns (a field turned by 90°) are taken out as the rows of the field turned back are")
    func columns() throws {
        let m = Self.field(columns: true)
        guard case .float32(let image) = m.image else { Issue.record("not a Float field"); return }
        let corrected = try DendriteAnalysis.prepare(m, options: AnalysisOptions()).denoised
        // The field turned back (its lines as rows, the bar down a column), prepared and turned again.
        var back = [Float](repeating: 0, count: 60 * 40)
        for y in 0 ..< 40 { for x in 0 ..< 60 { back[x * 40 + y] = image.pixels[y * 60 + x] } }
        let turned = Micrograph(image: .float32(Image(width: 40, height: 60, pixels: back, bitDepth: 32)),
                                metadata: SourceMetadata(format: .tiff, path: "back.tif", width: 40, height: 60),
                                calibration: .uncalibrated("test"), dataBar: nil, warnings: [])
        let rowsCorrected = try DendriteAnalysis.prepare(turned, options: AnalysisOptions()).denoised
        var expected = [Float](repeating: 0, count: 60 * 40)
        for y in 0 ..< 40 { for x in 0 ..< 60 { expected[y * 60 + x] = rowsCorrected.pixels[x * 40 + y] } }
        var largest: Float = 0
        for i in expected.indices { largest = max(largest, abs(corrected.pixels[i] - expected[i])) }
        #expect(largest < 1e-3, "largest difference \(largest)")
        // And it takes something out: the columns' spread over the flat rows shrinks.
        var off = AnalysisOptions()
        off.parameters.preparation.correctScanLines = false
        let raw = try DendriteAnalysis.prepare(m, options: off).denoised
        #expect(Self.columnSpread(corrected) < Self.columnSpread(raw), "corrected \(Self.columnSpread(corrected)), raw \(Self.columnSpread(raw))")
    }

    @Test("lines along the rows are corrected along the rows, exactly as before")
    func rows() throws {
        let m = Self.field(columns: false)
        guard case .float32(let image) = m.image else { Issue.record("not a Float field"); return }
        let prepared = try DendriteAnalysis.prepare(m, options: AnalysisOptions()).denoised
        let rowsOnly = try gaussianBlur(image, sigma: AnalysisParameters().preparation.denoiseSigmaPx,
                                        subtractingRowOffsets: scanLineOffsets(image))
        #expect(prepared == rowsOnly)
    }
}
