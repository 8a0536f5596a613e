import DendrometerCore
import DendrometerPipeline
import Foundation
import Testing

/// Gaussian noise of 5 and 10 % of the grey range, added to the project's samples with fixed seeds,
/// must not change what the analysis says about the scene (anode side, polarity, short circuit)
/// and may move the depth by at most 5 %: max depth on the Li-In samples, the depth of the
/// dendrites rooted at the anode (connected max) on the Li sample.
@Suite("Noise robustness on the samples")
struct NoiseRobustnessTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples").path

    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var isLi: Bool
        var testDescription: String { file }
    }

    static let cases = [Case(file: "li-in_fig3_fei.tif", isLi: false), Case(file: "li-in_fig3_jeol_left.png", isLi: false),
                        Case(file: "li-in_stripe_zeiss.tif", isLi: false), Case(file: "li_vertical_imagej16.tif", isLi: true)]

    /// `m` with zero-mean Gaussian noise of `fraction` × (max − min of the scanned field) added to
    /// every pixel (Box–Muller on SplitMix64 draws seeded with `seed`), as a Float image.
    static func noisy(_ m: Micrograph, fraction: Double, seed: UInt64) -> Micrograph {
        let image = m.image.asFloat()
        let sigma = fraction * greyRange(m)
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
        var pixels = image.pixels
        for i in pixels.indices {
            let r = (-2 * log(max(uniform(), 0x1p-53))).squareRoot(), t = 2 * Double.pi * uniform()
            pixels[i] += Float(sigma * r * cos(t))
        }
        var out = m
        out.image = .float32(Image(width: image.width, height: image.height, pixels: pixels, bitDepth: 32))
        return out
    }

    /// max − min grey of the scanned field.
    static func greyRange(_ m: Micrograph) -> Double {
        let image = m.image.asFloat(), field = m.scannedField
        var lo = Float.infinity, hi = -Float.infinity
        for y in field.y ..< field.y + field.height {
            for x in field.x ..< field.x + field.width { lo = min(lo, image[x, y]); hi = max(hi, image[x, y]) }
        }
        return Double(hi - lo)
    }

    @Test("side, polarity and short circuit unchanged; depth within 5 %", arguments: cases, [0.05, 0.10])
    func noise(_ c: Case, fraction: Double) throws {
        let path = Self.samples + "/" + c.file
        try #require(FileManager.default.fileExists(atPath: path), "sample \(path) missing")
        let m = try Micrograph.open(path)
        let clean = try DendriteAnalysis.run(m)
        let baseline = try #require(c.isLi ? clean.connectedDepth?.maxPx : clean.penetration?.maxPx)
        let original = m.image.asFloat().pixels, range = Self.greyRange(m)
        for seed: UInt64 in [11, 12] {
            let n = Self.noisy(m, fraction: fraction, seed: seed)
            // The noise is there: its RMS over the image is the σ asked for (within 2 %).
            let noisyPixels = n.image.asFloat().pixels
            let rms = (zip(noisyPixels, original).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(original.count)).squareRoot()
            #expect(abs(rms - fraction * range) <= 0.02 * fraction * range)
            let r = try DendriteAnalysis.run(n)
            #expect(r.interface?.side == clean.interface?.side, "\(c.file) σ \(fraction) seed \(seed): side")
            #expect(r.phase == clean.phase, "\(c.file) σ \(fraction) seed \(seed): phase \(r.phase) vs \(clean.phase)")
            #expect(r.shortCircuit == clean.shortCircuit, "\(c.file) σ \(fraction) seed \(seed): short circuit")
            let depth = try #require(c.isLi ? r.connectedDepth?.maxPx : r.penetration?.maxPx)
            #expect(abs(depth - baseline) <= 0.05 * baseline, "\(c.file) σ \(fraction) seed \(seed): depth \(depth) vs \(baseline) px")
        }
    }
}
