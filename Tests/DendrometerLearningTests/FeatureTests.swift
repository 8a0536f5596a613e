import Testing
import Foundation
import DendrometerCore
@testable import DendrometerLearning
import DendrometerFilters
import CVectorKernels

@Suite("Feature bank")
struct FeatureTests {
    @Test("default bank: 49 planes, σ = 0.7 only smoothed, names in µm or px")
    func defaultBank() {
        let bank = FeatureBank()
        #expect(bank.featureCount == 49)
        #expect(bank.features.filter { $0.sigma == 0.7 }.map(\.kind) == [.gaussianSmoothing])
        let names = bank.featureNames(pixelSize: 0.1)
        #expect(names.count == 49)
        #expect(names[0] == "gaussian σ=0.07µm")
        #expect(names.contains("hessian λ2 σ=1.6µm"))
        #expect(bank.featureNames(pixelSize: nil)[2] == "gaussian σ=1.6px")
        #expect(bank.scalesMicrometres(pixelSize: 0.5) == [0.35, 0.5, 0.8, 1.75, 2.5, 5, 8])
    }

    @Test("derivative kernels are moment-normalised: ramp → 1, x² → 2, zero sum")
    func kernelMoments() {
        for sigma in [0.3, 0.7, 1.0, 3.5, 16.0] {
            let d = SymmetricKernel.firstDerivative(sigma: sigma)
            let m1 = (1 ... d.radius).reduce(0.0) { $0 + 2 * Double($1) * Double(d.taps[$1]) }
            #expect(abs(m1 - 1) < 1e-6)
            let dd = SymmetricKernel.secondDerivative(sigma: sigma)
            let sum = Double(dd.taps[0]) + 2 * dd.taps.dropFirst().reduce(0.0) { $0 + Double($1) }
            let m2 = (1 ... dd.radius).reduce(0.0) { $0 + 2 * Double($1 * $1) * Double(dd.taps[$1]) }
            #expect(abs(sum) < 1e-6)
            #expect(abs(m2 - 2) < 1e-5)
            let g = SymmetricKernel.gaussian(sigma: sigma)
            #expect(abs(Double(g.taps[0]) + 2 * g.taps.dropFirst().reduce(0.0) { $0 + Double($1) } - 1) < 1e-6)
        }
    }

    @Test("constant image: smoothing keeps the value; DoG, gradient, LoG, Hessian, tensor are 0")
    func constant() {
        let img = Image<Float>(width: 9, height: 7, fill: 0.25)
        let bank = FeatureBank(scales: [0.7, 1.6, 5.0])
        let f = features(img, bank: bank)
        let n = img.count
        var plane = 0
        for feature in bank.features {
            for _ in 0 ..< feature.kind.planeCount {
                let values = f[plane * n ..< (plane + 1) * n]
                let expected: Float = feature.kind == .gaussianSmoothing ? 0.25 : 0
                #expect(values.allSatisfy { abs($0 - expected) < 1e-6 }, "\(feature)")
                plane += 1
            }
        }
    }

    @Test("gradient magnitude of the ramp 0.3x + 0.4y is 0.5 away from the border")
    func gradientOfRamp() {
        let img = image(width: 40, height: 36) { x, y in 0.3 * x + 0.4 * y }
        let bank = FeatureBank(features: [.init(kind: .gradientMagnitude, sigma: 1.6)])
        let err = interiorError(features(img, bank: bank), plane: 0, width: 40, height: 36, margin: 8) { _, _ in 0.5 }
        #expect(err < 1e-5)
    }

    @Test("Laplacian of 0.01(x − 20)² is 0.02 (not scale-normalised)")
    func laplacianOfQuadratic() {
        let img = image(width: 40, height: 30) { x, _ in 0.01 * (x - 20) * (x - 20) }
        for sigma in [1.0, 3.5] {
            let bank = FeatureBank(features: [.init(kind: .laplacianOfGaussian, sigma: sigma)])
            let margin = SymmetricKernel.radius(sigma: sigma) + 1
            let err = interiorError(features(img, bank: bank), plane: 0, width: 40, height: 30, margin: margin) { _, _ in 0.02 }
            #expect(err < 1e-5, "σ = \(sigma)")
        }
    }

    @Test("Hessian eigenvalues: x² + 3y² → 6, 2; (x + y)² → 4, 0 (times 0.01)")
    func hessianEigenvalues() {
        let bank = FeatureBank(features: [.init(kind: .hessianEigenvalues, sigma: 1.6)])
        let a = image(width: 36, height: 36) { x, y in 0.01 * ((x - 18) * (x - 18) + 3 * (y - 18) * (y - 18)) }
        let fa = features(a, bank: bank)
        #expect(interiorError(fa, plane: 0, width: 36, height: 36, margin: 8) { _, _ in 0.06 } < 1e-5)
        #expect(interiorError(fa, plane: 1, width: 36, height: 36, margin: 8) { _, _ in 0.02 } < 1e-5)
        let b = image(width: 36, height: 36) { x, y in 0.01 * (x + y - 36) * (x + y - 36) }
        let fb = features(b, bank: bank)
        #expect(interiorError(fb, plane: 0, width: 36, height: 36, margin: 8) { _, _ in 0.04 } < 1e-5)
        #expect(interiorError(fb, plane: 1, width: 36, height: 36, margin: 8) { _, _ in 0 } < 1e-5)
    }

    @Test("structure tensor of the ramp ax + by: λ1 = a² + b², λ2 = 0")
    func structureTensorOfRamp() {
        let img = image(width: 44, height: 40) { x, y in 0.3 * x - 0.4 * y }
        let bank = FeatureBank(features: [.init(kind: .structureTensorEigenvalues, sigma: 1.0)])
        let f = features(img, bank: bank)
        #expect(interiorError(f, plane: 0, width: 44, height: 40, margin: 14) { _, _ in 0.25 } < 1e-5)
        #expect(interiorError(f, plane: 1, width: 44, height: 40, margin: 14) { _, _ in 0 } < 1e-5)
    }

    @Test("Gaussian smoothing of a point equals the sampled 2-D kernel; DoG = G(σ) − G(1.6σ)")
    func gaussianOfPoint() {
        var img = Image<Float>(width: 31, height: 31, fill: 0)
        img[15, 15] = 1
        let bank = FeatureBank(features: [.init(kind: .gaussianSmoothing, sigma: 2), .init(kind: .differenceOfGaussians, sigma: 2)])
        let f = features(img, bank: bank)
        func g(_ s: Double, _ d: Int) -> Double {
            let r = Int(4 * s + 0.5)
            let norm = (-r ... r).reduce(0.0) { $0 + exp(-Double($1 * $1) / (2 * s * s)) }
            return abs(d) > r ? 0 : exp(-Double(d * d) / (2 * s * s)) / norm
        }
        #expect(interiorError(f, plane: 0, width: 31, height: 31, margin: 0) { x, y in g(2, x - 15) * g(2, y - 15) } < 1e-7)
        #expect(interiorError(f, plane: 1, width: 31, height: 31, margin: 0) { x, y in
            g(2, x - 15) * g(2, y - 15) - g(3.2, x - 15) * g(3.2, y - 15)
        } < 1e-7)
    }

    @Test("Gaussian feature equals DendrometerFilters.gaussianBlur; tensor λ1 + λ2 equals structureTensor's energy")
    func agreesWithFilters() throws {
        var rng = SplitMix64(seed: 11)
        let img = image(width: 41, height: 29) { _, _ in Double(rng.next() % 1000) / 1000 }
        for sigma in [0.7, 1.6, 5.0] {
            let f = features(img, bank: FeatureBank(features: [.init(kind: .gaussianSmoothing, sigma: sigma),
                                                              .init(kind: .structureTensorEigenvalues, sigma: sigma)],
                                                   pyramid: nil))
            let blur = try gaussianBlur(img, sigma: sigma).pixels
            let n = img.count
            #expect(zip(f[0 ..< n], blur).allSatisfy { abs($0 - $1) < 1e-6 }, "σ = \(sigma)")
            // DendrometerFilters uses scipy's derivative taps (k/σ²)·g[k], whose ramp response is
            // m = Σ 2k·(k/σ²)·g[k] (≈ 0.997 at σ = 1.6 because of the 4σ truncation); the bank's
            // taps are divided by m, so its energy is the filter module's divided by m².
            if sigma >= 1 {
                let g = SymmetricKernel.gaussian(sigma: sigma).taps
                let m = (1 ..< g.count).reduce(0.0) { $0 + 2 * Double($1 * $1) / (sigma * sigma) * Double(g[$1]) }
                let energy = try structureTensor(img, sigma: sigma, rho: 2 * sigma).energy.pixels.map { Double($0) / (m * m) }
                let worst = (0 ..< n).reduce(0.0) { max($0, abs(Double(f[n + $1] + f[2 * n + $1]) - energy[$1])) }
                let scale = energy.max()!
                #expect(worst <= 1e-4 * scale, "σ = \(sigma): \(worst) of \(scale)")
            }
        }
    }

    @Test("pyramid: the level of each scale, and features within a small fraction of the direct convolution's")
    func pyramidAgreesWithDirect() {
        // Worked example of FeatureBank.swift's header: σ = 10 px on level 4, at √(100 − 3.2²)/4 level px.
        let pyramid = FeatureBank.Pyramid()
        let sigmas: [Double] = [0.7, 1.6, 3.2, 3.5, 5, 6.4, 10, 12.8, 16, 40]
        let factors: [Int] = [1, 1, 2, 2, 2, 4, 4, 8, 8, 8]
        #expect(sigmas.map(pyramid.factor(sigma:)) == factors)
        let plan = FeaturePlan(bank: FeatureBank(), appliedSigmas: FeatureBank().features.map(\.sigma))
        #expect(plan.jobs.map(\.sigma) == [0.7, 1.0, 1.6])
        #expect(plan.levels.map(\.factor) == [2, 4, 8])
        let ten = plan.levels[1].plan.jobs[0]
        let expectedTen: Double = (100 - 3.2 * 3.2).squareRoot() / 4
        #expect(abs(ten.sigma - expectedTen) < 1e-12 && ten.integrationSigma == 5)
        let levelPlanes: Int = plan.levels.reduce(0) { $0 + $1.bankPlanes.count }
        #expect(levelPlanes == 49 - 3 - 2 * 7)
        // Full-resolution halo: σ = 1.6 px and its tensor (radii 6 + 13) plus the margin; a bank
        // without a pyramid reads 64 + 128 + 2 rows and gets tiles twice that tall.
        #expect(plan.halo == 21 && plan.defaultTileRows == defaultFeatureTileRows)
        let directPlan = FeaturePlan(bank: FeatureBank(pyramid: nil), appliedSigmas: FeatureBank().features.map(\.sigma))
        #expect(directPlan.levels.isEmpty && directPlan.halo == 194 && directPlan.defaultTileRows == 388)
        // A micrograph-like image: two discs and a band of three grey levels, with noise; worst error
        // counted 40 px from the border (the level reflects about its own edge, half a level pixel out).
        var rng = SplitMix64(seed: 8)
        let size = 192
        let img = image(width: size, height: size) { x, y in
            let first: Double = (x - 60) * (x - 60) + (y - 70) * (y - 70)
            let second: Double = (x - 140) * (x - 140) + (y - 130) * (y - 130)
            let grey: Double = first < 900 || second < 324 ? 0.75 : (y > 160 ? 0.15 : 0.45)
            return grey + 0.05 * gaussianNoise(&rng)
        }
        let direct = features(img, bank: FeatureBank(pyramid: nil)), levels = features(img, bank: FeatureBank())
        let n = img.count
        for (index, name) in FeatureBank().featureNames(pixelSize: nil).enumerated() {
            let a = direct[index * n ..< (index + 1) * n], b = levels[index * n ..< (index + 1) * n]
            let range = Double(a.max()! - a.min()!)
            var worst = 0.0
            for y in 40 ..< size - 40 { for x in 40 ..< size - 40 { worst = max(worst, Double(abs(a[a.startIndex + y * size + x] - b[b.startIndex + y * size + x]))) } }
            let mean = zip(a, b).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(n)
            // Measured on this image: mean ≤ 1.4 % of the plane's range for every plane, the worst
            // interior pixel ≤ 15 % (Hessian at σ = 3.5 px, where noise meets the 2-px level grid).
            #expect(mean <= 0.015 * range && worst <= 0.16 * range, "\(name): mean \(mean / range), worst \(worst / range) of the range")
        }
    }

    @Test("pyramid interpolation: every kernel gives the same bits as the formulas (along x at D = 2, 4, 8; along y)")
    func interpolationKernels() {
        var rng = SplitMix64(seed: 31)
        for (d, levelWidth, n) in [(2, 100, 199), (4, 40, 157), (8, 37, 293), (2, 9, 18), (8, 3, 17)] {
            let src = (0 ..< levelWidth).map { _ in Float(rng.next() % 100_000) / 977 }
            let inverse = 1 / Float(d)
            let expected = (0 ..< n).map { x -> Float in
                let k = x / d, j = x - k * d
                let a = src[k], b = src[min(k + 1, levelWidth - 1)]
                return a + Float(j) * ((b - a) * inverse)
            }
            for kernels in VectorKernels.supported {
                var out = [Float](repeating: .nan, count: n)
                dm_upsample_row_f32(kernels.isa ?? DM_ISA_BASELINE, src, levelWidth, d, n, &out)
                #expect(out == expected, "D = \(d), \(n) samples, \(kernels)")
            }
        }
        let a = (0 ..< 77).map { _ in Float(rng.next() % 100_000) / 313 }, b = (0 ..< 77).map { _ in Float(rng.next() % 100_000) / 313 }
        let expected = (0 ..< 77).map { x in (a[x] + 0.375 * (b[x] - a[x])) * 0.0625 }
        for kernels in VectorKernels.supported {
            var out = [Float](repeating: .nan, count: 77)
            dm_lerp_rows_f32(kernels.isa ?? DM_ISA_BASELINE, a, b, 77, 0.375, 0.0625, &out)
            #expect(out == expected, "\(kernels)")
        }
    }

    @Test("the wide-vector C line convolution is bit-identical to the Swift loop")
    func wideKernelsBitIdentical() {
        var rng = SplitMix64(seed: 21)
        let w = 203, r = 9
        let lines = (0 ..< 2 * r + 1).map { _ in (0 ... w).map { _ in Float(rng.next() % 100_000) / 7919 } }
        for kernel in [SymmetricKernel.gaussian(sigma: 2.2), .firstDerivative(sigma: 2.2), .secondDerivative(sigma: 2.2)] {
            let kr = kernel.radius
            var wide = [Float](repeating: 0, count: w), portable = [Float](repeating: 0, count: w)
            let pointers = lines.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: w + 1) }
            defer { pointers.forEach { $0.deallocate() } }
            for (p, l) in zip(pointers, lines) { p.initialize(from: l, count: w + 1) }
            let lo = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: kr + 1)
            let hi = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: kr + 1)
            defer { lo.deallocate(); hi.deallocate() }
            kernel.taps.withUnsafeBufferPointer { t in
                // Offset 0: the C kernel where the processor has wide vectors.
                for k in 0 ... kr { lo[k] = UnsafePointer(pointers[r - k]); hi[k] = UnsafePointer(pointers[r + k]) }
                convolveLines(t.baseAddress!, radius: kr, odd: kernel.odd, count: w, offset: 0, output: &wide, lo: lo, hi: hi)
                // The same samples at offset 1 of lines shifted by one: always the Swift loop.
                for k in 0 ... kr { lo[k] = UnsafePointer(pointers[r - k] - 1); hi[k] = UnsafePointer(pointers[r + k] - 1) }
                convolveLines(t.baseAddress!, radius: kr, odd: kernel.odd, count: w, offset: 1, output: &portable, lo: lo, hi: hi)
            }
            #expect(wide == portable, "odd \(kernel.odd), radius \(kr)")
        }
    }

    @Test("tiled features equal the untiled ones (tiny tiles, kernels wider than the image)")
    func tiledEqualsUntiled() {
        var rng = SplitMix64(seed: 3)
        let img = image(width: 23, height: 37) { _, _ in Double(rng.next() % 1000) / 1000 }
        for (bank, heights) in [(FeatureBank(scales: [0.7, 1.0, 1.6, 3.5]), [1, 3, 8]), (FeatureBank(), [5])] {
            let whole = features(img, bank: bank, tileRows: 37)
            for tileRows in heights {
                let tiled = features(img, bank: bank, tileRows: tileRows)
                let worst = zip(whole, tiled).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
                #expect(worst <= 1e-5, "tile height \(tileRows), \(bank.featureCount) features")
            }
        }
    }

    @Test("normalisation: percentiles map to 0 and 1, clipped; non-finite ignored; constant image is an error")
    func normalisation() throws {
        let ramp = Image<Float>(width: 201, height: 1, pixels: (0 ... 200).map { Float($0) })
        let n = IntensityNormalisation()
        let (low, high) = try n.bounds(of: ramp)
        #expect(abs(low - 1) < 1e-4 && abs(high - 199) < 1e-4)
        var withNaN = ramp
        withNaN.pixels[5] = .nan
        withNaN.pixels[6] = .infinity
        let out = try n.normalised(withNaN)
        #expect(out.pixels[0] == 0 && out.pixels[200] == 1 && out.pixels[5] == 0 && out.pixels[6] == 1)
        #expect(abs(out.pixels[100] - 0.5) < 1e-3)
        #expect(throws: LearningError.constantImage(imageIndex: nil, value: 7)) {
            try n.normalised(Image<Float>(width: 4, height: 4, fill: 7))
        }
        // 99 % background with a few bright pixels: percentiles coincide, min/max are used.
        var sparse = Image<Float>(width: 100, height: 100, fill: 10)
        sparse.pixels[17] = 20
        let (l2, h2) = try n.bounds(of: sparse)
        #expect(l2 == 10 && h2 == 20)
    }
}
