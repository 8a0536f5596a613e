import Testing
import DendrometerCore
@testable import DendrometerFilters

@Suite("Gaussian blur")
struct GaussianBlurTests {
    @Test("matches scipy.ndimage.gaussian_filter, mode='reflect', σ = 1 and 0.7")
    func scipyReference() throws {
        // scipy.ndimage.gaussian_filter(A, sigma=1.0, mode='reflect', truncate=4.0)
        let s1: [Float] = [2.899381, 3.428267, 4.150006, 4.501032, 5.016614, 3.501548, 3.829528, 4.268410, 4.340902, 4.001189,
                           4.264403, 3.777656, 3.733220, 4.071554, 3.857205, 4.980115, 3.678723, 2.925219, 3.547607, 4.227422]
        // scipy.ndimage.gaussian_filter(A, sigma=0.7, mode='reflect', truncate=4.0)
        let s07: [Float] = [2.607473, 2.907387, 4.491391, 4.045300, 5.948392, 3.308121, 4.313636, 4.675788, 4.603075, 3.089703,
                            4.403241, 3.381732, 3.580020, 4.980954, 3.439034, 5.792117, 3.511048, 1.927064, 3.285901, 4.708624]
        #expect(maxAbsDiff(try gaussianBlur(fixtureA, sigma: 1).pixels, s1) < 1e-5)
        #expect(maxAbsDiff(try gaussianBlur(fixtureA, sigma: 0.7).pixels, s07) < 1e-5)
        // scipy.ndimage.gaussian_filter(np.array([[0,3,0]], float), 1.0, mode='reflect')
        let row = try gaussianBlur(Image<Float>(width: 3, height: 1, pixels: [0, 3, 0]), sigma: 1)
        #expect(maxAbsDiff(row.pixels, [0.888289, 1.223422, 0.888289]) < 1e-5)
    }

    @Test("kernel wider than the image: reflection repeats (scipy, σ = 3 on 3×2)")
    func kernelWiderThanImage() throws {
        let b = Image<UInt8>(width: 3, height: 2, pixels: [1, 5, 2, 0, 9, 4])
        // scipy.ndimage.gaussian_filter(B, sigma=3.0, mode='reflect', truncate=4.0)
        let expected: [Float] = [3.490981, 3.500028, 3.508942, 3.491014, 3.500061, 3.508975]
        #expect(maxAbsDiff(try gaussianBlur(b, sigma: 3).pixels, expected) < 1e-5)
        // σ = 40 on a 1×1 and a 1-px-wide image: the value (column) survives.
        #expect(abs(try gaussianBlur(Image<UInt8>(width: 1, height: 1, pixels: [7]), sigma: 40).pixels[0] - 7) < 1e-5)
        #expect(try gaussianBlurKeepingType(Image<UInt8>(width: 1, height: 1, pixels: [7]), sigma: 40).pixels == [7])
        let column = Image<Float>(width: 1, height: 4, pixels: [1, 2, 3, 4])
        let blurred = try gaussianBlur(column, sigma: 40)
        #expect(abs(blurred.pixels.reduce(0, +) - 10) < 1e-4)
        #expect(maxAbsDiff(blurred.pixels, gaussianBlurReference(column, sigma: 40).pixels) < 1e-5)
    }

    @Test("fast path equals the scalar reference on random images", arguments: [0.5, 1.0, 1.7, 3.2, 9.0])
    func fastMatchesReference(sigma: Double) throws {
        for seed: UInt64 in 1 ... 4 {
            let w = 1 + Int(seed * 7 % 23), h = 1 + Int(seed * 5 % 19)
            let img: Image<UInt16> = randomImage(width: w, height: h, seed: seed) { UInt16.random(in: 0 ... 4095, using: &$0) }
            let fast = try gaussianBlur(img, sigma: sigma)
            let ref = gaussianBlurReference(img, sigma: sigma)
            #expect(maxAbsDiff(fast.pixels, ref.pixels) < 4095 * 2e-6)
            let rounded = try gaussianBlurKeepingType(img, sigma: sigma)
            #expect(zip(rounded.pixels, ref.pixels).allSatisfy { abs(Float($0) - $1) <= 0.5 + 1e-3 })
        }
    }

    @Test("row bands: a tall image split into several bands equals the reference")
    func bands() throws {
        // 150 rows with σ = 1.5 (r = 6) → bands of ≥ 24 rows, so several bands with halos.
        let img: Image<UInt8> = randomImage(width: 21, height: 150, seed: 77) { UInt8.random(in: 0 ... 255, using: &$0) }
        #expect(Concurrency.bandCount(for: 150, minimumPerBand: 24) > 1 || Concurrency.maximumThreads == 1)
        #expect(maxAbsDiff(try gaussianBlur(img, sigma: 1.5).pixels, gaussianBlurReference(img, sigma: 1.5).pixels) < 255 * 2e-6)
    }

    @Test("empty images, σ = 0 copy, constant image stays exactly constant")
    func edgeCases() throws {
        for (w, h) in [(0, 0), (0, 5), (5, 0)] {
            let e = Image<UInt8>(width: w, height: h)
            #expect(try gaussianBlur(e, sigma: 2).count == 0)
            #expect(try gaussianBlurKeepingType(e, sigma: 2) == e)
        }
        let img: Image<UInt8> = randomImage(width: 9, height: 6, seed: 3) { UInt8.random(in: 0 ... 255, using: &$0) }
        #expect(try gaussianBlur(img, sigma: 0).pixels == img.pixels.map(Float.init))
        #expect(try gaussianBlurKeepingType(img, sigma: 0) == img)
        for value: UInt8 in [0, 1, 128, 255] {
            let c = Image<UInt8>(width: 13, height: 7, fill: value)
            for sigma in [0.3, 1.0, 2.5, 20] {
                #expect(try gaussianBlurKeepingType(c, sigma: sigma) == c)
                #expect(try gaussianBlur(c, sigma: sigma).pixels.allSatisfy { abs($0 - Float(value)) <= Float(value) * 1e-6 })
            }
        }
        let c16 = Image<UInt16>(width: 5, height: 5, fill: 65535, bitDepth: 16)
        #expect(try gaussianBlurKeepingType(c16, sigma: 1.5) == c16)
    }

    @Test("input not modified; sum preserved and linear on Float")
    func invariants() throws {
        for seed: UInt64 in 10 ..< 14 {
            let a: Image<Float> = randomImage(width: 17, height: 11, seed: seed) { Float.random(in: -1 ... 1, using: &$0) }
            let b: Image<Float> = randomImage(width: 17, height: 11, seed: seed + 100) { Float.random(in: -1 ... 1, using: &$0) }
            let copy = a
            let ga = try gaussianBlur(a, sigma: 2.2)
            #expect(a == copy)
            let sumIn = a.pixels.reduce(0.0) { $0 + Double($1) }
            let sumOut = ga.pixels.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sumIn - sumOut) < 1e-3)
            let combo = Image<Float>(width: 17, height: 11, pixels: zip(a.pixels, b.pixels).map { 2 * $0 - 3 * $1 })
            let gb = try gaussianBlur(b, sigma: 2.2)
            let lhs = try gaussianBlur(combo, sigma: 2.2).pixels
            let rhs = zip(ga.pixels, gb.pixels).map { 2 * $0 - 3 * $1 }
            #expect(maxAbsDiff(lhs, rhs) < 1e-5)
        }
    }

    @Test("invalid σ throws a typed error", arguments: [-1.0, .nan, .infinity])
    func invalidSigma(sigma: Double) {
        let img = Image<UInt8>(width: 2, height: 2)
        #expect(throws: FilterError.self) { try gaussianBlur(img, sigma: sigma) }
        #expect(throws: FilterError.self) { try gaussianBlurKeepingType(img, sigma: sigma) }
    }
}

@Suite("Scan-line correction")
struct ScanLineCorrectionTests {
    @Test("a streak row is brought back to its neighbours (worked example)")
    func streak() {
        let image = Image<Float>(width: 3, height: 3, pixels: [1, 1, 1, 9, 9, 9, 1, 1, 1])
        #expect(correctingScanLines(image).pixels == [1, 1, 1, 1, 1, 1, 1, 1, 1])
    }

    @Test("vertical structure and smooth gradients are untouched")
    func structureKept() {
        // A vertical bright bar (columns 2–3) on a top-to-bottom ramp: every row's
        // median difference to its neighbours is 0, so nothing changes.
        var pixels = [Float]()
        for y in 0 ..< 6 { for x in 0 ..< 7 { pixels.append(Float(10 * y) + ((2 ... 3).contains(x) ? 100 : 0)) } }
        let image = Image<Float>(width: 7, height: 6, pixels: pixels)
        #expect(correctingScanLines(image) == image)
    }
}
