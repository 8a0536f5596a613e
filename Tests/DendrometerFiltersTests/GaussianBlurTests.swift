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

    // MARK: 8-bit fixed-point path (GaussianFixedPoint.swift, σ < 2.125)

    /// The documented bound: within 0.65 grey of the exact convolution, and equal to
    /// round(exact) wherever exact is more than 0.15 from a half-integer.
    static func checkFixedPoint(_ out: [UInt8], exact: [Float], _ label: String) {
        #expect(zip(out, exact).allSatisfy { abs(Float($0) - $1) <= 0.65 }, "\(label): off by more than 0.65")
        let mismatches = zip(out, exact).filter { o, e in
            abs(e - e.rounded(.down) - 0.5) > 0.15 && Float(o) != e.rounded()
        }
        #expect(mismatches.isEmpty, "\(label): \(mismatches.count) pixels not rounded to nearest away from ties")
    }

    @Test("u8 fixed point vs scipy.ndimage.gaussian_filter (float, reflect), σ = 1 and 2")
    func fixedPointScipy() throws {
        // G = np.random.default_rng(7).integers(0, 256, size=(5, 6)).astype(np.uint8)
        let g = Image<UInt8>(width: 6, height: 5, pixels: [
            241, 160, 175, 229, 148, 198, 213, 57, 14, 76, 72, 223, 233, 1, 127, 210, 33, 204, 30, 119,
            209, 77, 87, 71, 184, 65, 253, 113, 122, 129])
        // scipy.ndimage.gaussian_filter(G.astype(float), 1.0, mode='reflect', truncate=4.0), rounded to 4 decimals
        let s1: [Float] = [191.8832, 157.4313, 143.6728, 150.9571, 159.857, 177.7763, 167.9864, 128.2302, 114.3108, 123.5914,
                           137.6947, 164.6418, 138.042, 114.2382, 114.1353, 117.7394, 119.3701, 138.8079, 119.7359, 122.1337,
                           135.84, 126.6954, 111.8534, 115.4871, 127.5275, 135.3654, 151.685, 136.3954, 116.3447, 113.5705]
        // the same with sigma 2.0
        let s2: [Float] = [149.5784, 146.0489, 142.5461, 142.3197, 145.1896, 148.0757, 144.3579, 141.4458, 138.4792, 138.0994,
                           140.2357, 142.4696, 137.5481, 135.6512, 133.5001, 132.6917, 133.3866, 134.3778, 132.7398, 131.8627,
                           130.4502, 128.9975, 127.9592, 127.4965, 130.7613, 130.5092, 129.5084, 127.5528, 125.309, 123.8522]
        Self.checkFixedPoint(try gaussianBlurKeepingType(g, sigma: 1).pixels, exact: s1, "σ = 1")
        Self.checkFixedPoint(try gaussianBlurKeepingType(g, sigma: 2).pixels, exact: s2, "σ = 2")
        // Worked example of the doc comment; scipy gives [75.5046, 103.9908, 75.5046].
        let row = try gaussianBlurKeepingType(Image<UInt8>(width: 3, height: 1, pixels: [0, 255, 0]), sigma: 1)
        #expect(row.pixels == [76, 104, 76])
    }

    @Test("u8 fixed point vs the Double reference on random odd shapes",
          arguments: [(1, 1), (1, 9), (9, 1), (2, 3), (7, 5), (33, 17), (17, 40)])
    func fixedPointShapes(width: Int, height: Int) throws {
        for seed: UInt64 in 1 ... 3 {
            let img: Image<UInt8> = randomImage(width: width, height: height, seed: seed) { UInt8.random(in: 0 ... 255, using: &$0) }
            let copy = img
            for sigma in [0.3, 0.5, 0.7, 1.0, 1.2, 1.4, 1.7, 2.0, 2.1] {   // radius 1, 2, 3, 4, 5, 6, 7, 8, 8
                Self.checkFixedPoint(try gaussianBlurKeepingType(img, sigma: sigma).pixels,
                                     exact: gaussianBlurReference(img, sigma: sigma).pixels, "\(width)×\(height) σ = \(sigma)")
            }
            #expect(img == copy)
        }
    }

    @Test("u8 fixed point: extreme images (0/255 checkerboard, step) and several row bands")
    func fixedPointExtremes() throws {
        let checker = Image<UInt8>(width: 23, height: 19, pixels: (0 ..< 23 * 19).map { ($0 % 23 + $0 / 23) % 2 == 0 ? 255 : 0 })
        let step = Image<UInt8>(width: 16, height: 9, pixels: (0 ..< 16 * 9).map { $0 % 16 < 8 ? 0 : 255 })
        for img in [checker, step] {
            for sigma in [0.5, 1.0, 2.0] {
                Self.checkFixedPoint(try gaussianBlurKeepingType(img, sigma: sigma).pixels,
                                     exact: gaussianBlurReference(img, sigma: sigma).pixels, "extreme σ = \(sigma)")
            }
        }
        // 150 rows, σ = 2 (r = 8) → bands of ≥ 32 rows with halos.
        let tall: Image<UInt8> = randomImage(width: 21, height: 150, seed: 78) { UInt8.random(in: 0 ... 255, using: &$0) }
        #expect(Concurrency.bandCount(for: 150, minimumPerBand: 32) > 1 || Concurrency.maximumThreads == 1)
        Self.checkFixedPoint(try gaussianBlurKeepingType(tall, sigma: 2).pixels,
                             exact: gaussianBlurReference(tall, sigma: 2).pixels, "bands")
    }
}

@Suite("Separable kernel line pass")
struct ApplyKernelTests {
    @Test("every kernel set this CPU runs gives the portable result bit for bit (even and odd kernels, radii 1…8, lengths around the vector widths)")
    func wideKernelsBitIdentical() {
        var rng = SplitMix64(seed: 17)
        let lines = 17, length = 300
        // Lines of mixed magnitudes and signs, with zeros and negative zeros, so rounding differences would show.
        let storage = (0 ..< lines * length).map { i -> Float in
            switch rng.next() % 8 {
            case 0: return 0
            case 1: return -0.0
            default: return Float(Int64(bitPattern: rng.next()) % 2_000_001) / 997 * Float(1 + rng.next() % 1000)
            }
        }
        storage.withUnsafeBufferPointer { data in
            let base = data.baseAddress!
            for radius in 1 ... 8 {
                let taps = (0 ... radius).map { _ in Float(rng.next() % 100_000) / 65_537 - 0.3 }
                for parity in [Kernel1D.Parity.even, .odd] {
                    for n in [7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 255, 300 - 8] {
                        let offset = Int(rng.next() % 8)
                        let lo = (0 ... radius).map { UnsafePointer(base + (8 - $0) * length + offset) }
                        let hi = (0 ... radius).map { UnsafePointer(base + (8 + $0) * length + offset) }
                        func run(_ k: VectorKernels) -> [UInt32] {
                            var out = [Float](repeating: .nan, count: n)
                            taps.withUnsafeBufferPointer { t in
                                lo.withUnsafeBufferPointer { l in
                                    hi.withUnsafeBufferPointer { h in
                                        out.withUnsafeMutableBufferPointer { o in
                                            applyKernel(t, parity: parity, count: n, output: o.baseAddress!,
                                                        lo: l.baseAddress!, hi: h.baseAddress!, kernels: k)
                                        }
                                    }
                                }
                            }
                            return out.map(\.bitPattern)
                        }
                        let portable = run(.portable)
                        for k in VectorKernels.supported where k != .portable {
                            #expect(run(k) == portable, "\(k) r = \(radius) \(parity) n = \(n)")
                        }
                    }
                }
            }
        }
    }
}
