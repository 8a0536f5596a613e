import Testing
import Foundation
import DendrometerCore
@testable import DendrometerFilters

/// Sinusoidal stripes whose structure direction is `degrees` (y-up, counter-clockwise on
/// screen): I = 128 + 100·sin(2π (x·sin θ + y·cos θ) / λ) varies only across the stripes.
func stripes(width: Int, height: Int, degrees: Double, wavelength: Double, phase: Double = 0) -> Image<Float> {
    let t = degrees * .pi / 180
    var img = Image<Float>(width: width, height: height, fill: 0)
    for y in 0 ..< height {
        for x in 0 ..< width {
            let u = Double(x) * sin(t) + Double(y) * cos(t)
            img[x, y] = Float(128 + 100 * sin(2 * .pi * u / wavelength + phase))
        }
    }
    return img
}

/// Smallest difference between two axial angles (degrees, period 180).
func axialDifference(_ a: Double, _ b: Double) -> Double {
    let d = abs((a - b).truncatingRemainder(dividingBy: 180))
    return min(d, 180 - d)
}

@Suite("Structure tensor")
struct StructureTensorTests {
    @Test("eigen-analysis: every kernel set this CPU runs gives the portable planes bit for bit, NaN and ±∞ included")
    func eigenRowKernelsBitIdentical() {
        var rng = SplitMix64(seed: 23)
        let specials: [Float] = [0, -0.0, 1e-20, 1e-21, -1, 1, .infinity, -.infinity, .nan, 1e30, -1e30, 3, -3]
        func draw() -> Float {
            switch rng.next() % 6 {
            case 0: return specials[Int(rng.next() % UInt64(specials.count))]
            case 1: return Float(Int64(bitPattern: rng.next()) % 1000) / 7   // ties: |dx| = |dy|, dx = 0 …
            default: return Float(Int64(bitPattern: rng.next()) % 2_000_001) / 1013 * Float(1 + rng.next() % 3)
            }
        }
        let n = 301
        // Jxx, Jyy mostly ≥ 0 (as Ix², Iy² smoothed), Jxy either sign; specials anywhere.
        let jxx = (0 ..< n).map { _ in abs(draw()) }, jyy = (0 ..< n).map { _ in rng.next() % 5 == 0 ? draw() : abs(draw()) }
        let jxy = (0 ..< n).map { _ in draw() }
        for count in [1, 7, 8, 9, 15, 16, 17, 40, 300, 301] {
            func planes(_ k: VectorKernels) -> [[UInt32]] {
                var o = [Float](repeating: 7, count: count), c = o, e = o
                o.withUnsafeMutableBufferPointer { ob in
                    c.withUnsafeMutableBufferPointer { cb in
                        e.withUnsafeMutableBufferPointer { eb in
                            eigenRow(jxx: jxx, jxy: jxy, jyy: jyy, orientation: ob.baseAddress!, coherence: cb.baseAddress!,
                                     energy: eb.baseAddress!, count: count, kernels: k)
                        }
                    }
                }
                return [o, c, e].map { $0.map(\.bitPattern) }
            }
            let portable = planes(.portable)
            for k in VectorKernels.supported where k != .portable {
                let wide = planes(k)
                #expect(wide[0] == portable[0], "orientation, \(k), \(count) tensors")
                #expect(wide[1] == portable[1], "coherence, \(k), \(count) tensors")
                #expect(wide[2] == portable[2], "energy, \(k), \(count) tensors")
            }
        }
    }

    @Test("stripes at known angles: orientation within 1°, coherence ≈ 1", arguments: [0.0, 30, 45, 90, 135, 160])
    func knownAngles(degrees: Double) throws {
        let img = stripes(width: 64, height: 64, degrees: degrees, wavelength: 8)
        let f = try structureTensor(img, sigma: 1, rho: 3)
        for y in stride(from: 20, to: 44, by: 3) {
            for x in stride(from: 20, to: 44, by: 3) {
                #expect(axialDifference(Double(f.orientationDegrees[x, y]), degrees) < 1, "(\(x), \(y))")
                #expect(f.coherence[x, y] > 0.97)
            }
        }
        let centre = BinaryMask(width: 64, height: 64, bits: (0 ..< 4096).map { i in
            (16 ..< 48).contains(i % 64) && (16 ..< 48).contains(i / 64) ? 1 : 0 })
        let s = try f.orientationSummary(in: centre)
        #expect(axialDifference(s.dominantDegrees, degrees) < 0.5)
        #expect(s.resultantLength > 0.99 && s.meanCoherence > 0.97)
        #expect(abs(s.histogram.reduce(0, +) - 1) < 1e-9)
        #expect(s.histogram[min(17, Int((degrees + 0.5) / 10))] > 0.5 || s.histogram[max(0, Int((degrees - 0.5) / 10))] > 0.5)
        #expect(s.pixelCount == 32 * 32)
    }

    @Test("rotation property: random angle, wavelength and phase → orientation within 2°")
    func rotationProperty() throws {
        var rng = SplitMix64(seed: 2024)
        for _ in 0 ..< 12 {
            let deg = Double.random(in: 0 ..< 180, using: &rng)
            let lambda = Double.random(in: 6 ... 12, using: &rng)
            let img = stripes(width: 48, height: 48, degrees: deg, wavelength: lambda,
                              phase: Double.random(in: 0 ..< 2 * .pi, using: &rng))
            let f = try structureTensor(img, sigma: 1.2, rho: 4)
            for (x, y) in [(24, 24), (18, 30), (30, 18)] {
                #expect(axialDifference(Double(f.orientationDegrees[x, y]), deg) < 2, "θ = \(deg), λ = \(lambda)")
            }
        }
    }

    @Test("isotropic noise has low coherence")
    func noise() throws {
        for seed: UInt64 in 1 ... 3 {
            // Orientations are correlated over ~2ρ, so a 128² field holds ~4096/π·ρ⁻²/4 ≈ 800
            // independent directions: their resultant length is ~1/√800 ≈ 0.04 for isotropic noise.
            let img: Image<UInt8> = randomImage(width: 128, height: 128, seed: seed) { UInt8.random(in: 0 ... 255, using: &$0) }
            let s = try structureTensor(img, sigma: 1, rho: 2).orientationSummary(weighting: .uniform)
            // Coherence of the local tensor, integrated over ρ = 4 (stripes give > 0.97).
            let f = try structureTensor(img, sigma: 1, rho: 4)
            let mean = f.coherence.pixels.reduce(0.0) { $0 + Double($1) } / Double(f.coherence.count)
            #expect(mean < 0.25)
            #expect(s.resultantLength < 0.12)
        }
    }

    @Test("matches the definition computed with scipy.ndimage (fixture A, σ = 1, ρ = 1.5)")
    func scipyReference() throws {
        // Ix = gaussian_filter(A, 1, order=(0,1), mode='reflect'); Iy = ... order=(1,0);
        // Jab = gaussian_filter(Ia*Ib, 1.5, mode='reflect'); orientation = (90 − ½·atan2(2Jxy, Jxx−Jyy)) mod 180,
        // coherence = √((Jxx−Jyy)² + 4Jxy²)/(Jxx+Jyy), energy = Jxx+Jyy  (tools/reference/filters_reference.py)
        let orientation: [Double] = [47.2987, 54.6801, 60.1927, 158.0069, 159.4925, 80.9468, 87.3457, 110.9481, 148.1380, 156.6693,
                                     111.2783, 110.0403, 114.7683, 128.7443, 141.3915, 111.1469, 110.2959, 112.6641, 119.3022, 125.4511]
        let coherence: [Float] = [0.28681, 0.24552, 0.08095, 0.21199, 0.41780, 0.09055, 0.12027, 0.10055, 0.20413, 0.34613,
                                  0.31552, 0.31171, 0.28510, 0.25899, 0.27160, 0.47660, 0.45311, 0.40828, 0.35742, 0.31854]
        let energy: [Float] = [0.45608, 0.43571, 0.41695, 0.43158, 0.46538, 0.54250, 0.50828, 0.46286, 0.44117, 0.44528,
                               0.69142, 0.63847, 0.55326, 0.47611, 0.43556, 0.81611, 0.75026, 0.63517, 0.51598, 0.44215]
        let f = try structureTensor(fixtureA, sigma: 1, rho: 1.5)
        for i in 0 ..< 20 {
            #expect(axialDifference(Double(f.orientationDegrees.pixels[i]), orientation[i]) < 0.02, "pixel \(i)")
        }
        #expect(maxAbsDiff(f.coherence.pixels, coherence) < 2e-5)
        #expect(maxAbsDiff(f.energy.pixels, energy) < 2e-5)
    }

    @Test("fast path equals the scalar reference on random images")
    func fastMatchesReference() throws {
        for seed: UInt64 in 1 ... 4 {
            let w = 3 + Int(seed * 7 % 20), h = 2 + Int(seed * 5 % 15)
            let img: Image<UInt16> = randomImage(width: w, height: h, seed: seed) { UInt16.random(in: 0 ... 4095, using: &$0) }
            let (sigma, rho) = (0.8 + Double(seed) * 0.3, Double(seed))
            let fast = try structureTensor(img, sigma: sigma, rho: rho)
            let ref = structureTensorReference(img, sigma: sigma, rho: rho)
            let maxEnergy = ref.energy.pixels.max() ?? 1
            #expect(maxAbsDiff(fast.energy.pixels, ref.energy.pixels) < maxEnergy * 1e-5)
            #expect(maxAbsDiff(fast.coherence.pixels, ref.coherence.pixels) < 1e-3)
            for i in 0 ..< w * h where ref.coherence.pixels[i] > 0.05 {
                #expect(axialDifference(Double(fast.orientationDegrees.pixels[i]), Double(ref.orientationDegrees.pixels[i])) < 0.05)
            }
        }
    }

    @Test("row bands: a tall image split into several bands equals the reference")
    func bands() throws {
        // σ = 1 (r = 4), ρ = 1.5 (r = 6) → bands of ≥ 40 rows; 200 rows → several bands.
        let img: Image<UInt8> = randomImage(width: 17, height: 200, seed: 5) { UInt8.random(in: 0 ... 255, using: &$0) }
        #expect(Concurrency.bandCount(for: 200, minimumPerBand: 40) > 1 || Concurrency.maximumThreads == 1)
        let fast = try structureTensor(img, sigma: 1, rho: 1.5)
        let ref = structureTensorReference(img, sigma: 1, rho: 1.5)
        let maxEnergy = ref.energy.pixels.max() ?? 1
        #expect(maxAbsDiff(fast.energy.pixels, ref.energy.pixels) < maxEnergy * 1e-5)
        #expect(maxAbsDiff(fast.coherence.pixels, ref.coherence.pixels) < 1e-3)
    }

    @Test("vertical strips: narrow strips (incl. a short last one) equal the reference", arguments: [0.5, 1.0, 2.0])
    func strips(rho: Double) throws {
        // Strip width 8 on a 43-px-wide image: strips of 8 px and a last one of 3 px.
        let img: Image<UInt16> = randomImage(width: 43, height: 30, seed: 8) { UInt16.random(in: 0 ... 4095, using: &$0) }
        let fast = try structureTensor(img, sigma: 0.8, rho: rho, stripWidth: 8)
        let ref = structureTensorReference(img, sigma: 0.8, rho: rho)
        let maxEnergy = ref.energy.pixels.max() ?? 1
        #expect(maxAbsDiff(fast.energy.pixels, ref.energy.pixels) < maxEnergy * 1e-5)
        #expect(maxAbsDiff(fast.coherence.pixels, ref.coherence.pixels) < 1e-3)
        let whole = try structureTensor(img, sigma: 0.8, rho: rho)   // one strip (43 ≤ 768 px)
        #expect(maxAbsDiff(fast.energy.pixels, whole.energy.pixels) < maxEnergy * 1e-6)
    }

    @Test("streamed row pieces equal the planes bit for bit: one piece per row (100, 700 px wide) and 512-px pieces (1300 px)",
          arguments: [100, 700, 1300])
    func streamedRows(width: Int) throws {
        let img: Image<UInt8> = randomImage(width: width, height: 60, seed: UInt64(width)) { UInt8.random(in: 0 ... 1, using: &$0) }
        let planes = try structureTensor(img, sigma: 1, rho: 3)
        // Each piece writes only its own row's columns; a count per pixel proves every pixel comes once.
        var orientation = [Float](repeating: .nan, count: img.count), coherence = orientation, energy = orientation
        var visits = [Int](repeating: 0, count: img.count)
        orientation.withUnsafeMutableBufferPointer { ob in coherence.withUnsafeMutableBufferPointer { cb in
            energy.withUnsafeMutableBufferPointer { eb in visits.withUnsafeMutableBufferPointer { vb in
                let o = SendablePointer(ob.baseAddress!), c = SendablePointer(cb.baseAddress!)
                let e = SendablePointer(eb.baseAddress!), v = SendablePointer(vb.baseAddress!)
                try? forEachStructureTensorRow(img, sigma: 1, rho: 3) { y, x0, count, po, pc, pe in
                    #expect(x0 % structureTensorPieceWidth == 0 && x0 + count <= width)
                    for i in 0 ..< count {
                        let j = y * width + x0 + i
                        o.base[j] = po[i]; c.base[j] = pc[i]; e.base[j] = pe[i]; v.base[j] += 1
                    }
                }
            } }
        } }
        #expect(visits.allSatisfy { $0 == 1 })
        #expect(orientation.map(\.bitPattern) == planes.orientationDegrees.pixels.map(\.bitPattern))
        #expect(coherence.map(\.bitPattern) == planes.coherence.pixels.map(\.bitPattern))
        #expect(energy.map(\.bitPattern) == planes.energy.pixels.map(\.bitPattern))
    }

    @Test("fastSquareRoot is within 3e-7 relative of sqrt over 1e-30 ... 1e30, and exactly 0 at 0")
    func squareRootAccuracy() {
        var worst = 0.0
        var rng = SplitMix64(seed: 9)
        for _ in 0 ..< 30_000 {
            // Magnitudes 1e-30 ... 1e30 (squared gradients of 8/16-bit and float images).
            let e = Double(rng.next() % 6000) / 100 - 30
            let v = Float(pow(10, e) * (1 + Double(rng.next() % 1000) / 1000))
            let exact = Double(v).squareRoot()
            worst = max(worst, abs(Double(fastSquareRoot(v)) - exact) / exact)
        }
        #expect(worst < 3e-7)
        #expect(fastSquareRoot(0) == 0)
        #expect(fastSquareRoot(4) == 2 || abs(fastSquareRoot(4) - 2) < 1e-6)
    }

    @Test("fastAtan2 is within 2.1e-4 rad of atan2")
    func atan2Accuracy() {
        var worst: Float = 0
        for i in 0 ..< 720 {
            let t = Float(i) * .pi / 360
            for r: Float in [1e-6, 1, 1000] {
                let (y, x) = (r * sin(t), r * cos(t))
                worst = max(worst, abs(fastAtan2(y, x) - atan2(y, x)))
            }
        }
        #expect(worst < 2.1e-4)
        #expect(fastAtan2(0, 0) == 0)
    }

    @Test("edge cases: empty, 1×1, 1-px-wide, constant, input untouched, invalid scales")
    func edgeCases() throws {
        for (w, h) in [(0, 0), (0, 3), (3, 0)] {
            let f = try structureTensor(Image<UInt8>(width: w, height: h), sigma: 1, rho: 2)
            #expect(f.energy.count == 0 && f.width == w && f.height == h)
            let s = try f.orientationSummary()
            #expect(s.pixelCount == 0 && s.totalWeight == 0 && s.dominantDegrees == 0)
        }
        let one = try structureTensor(Image<UInt8>(width: 1, height: 1, pixels: [9]), sigma: 1, rho: 1)
        #expect(one.energy.pixels == [0] && one.coherence.pixels == [0] && one.orientationDegrees.pixels == [0])
        let constant = try structureTensor(Image<UInt16>(width: 9, height: 7, fill: 500), sigma: 1.5, rho: 3)
        #expect(constant.energy.pixels.allSatisfy { $0 == 0 })
        #expect(constant.coherence.pixels.allSatisfy { $0 == 0 })
        #expect(constant.orientationDegrees.pixels.allSatisfy { $0 == 0 })
        // A 1-px-wide column varying along y: only Iy ≠ 0 → horizontal structure (0°), coherence 1.
        let column = Image<Float>(width: 1, height: 12, pixels: (0 ..< 12).map { Float($0 * $0) })
        let fc = try structureTensor(column, sigma: 1, rho: 1)
        #expect(fc.orientationDegrees.pixels.allSatisfy { axialDifference(Double($0), 0) < 1e-3 })
        #expect(fc.coherence.pixels.allSatisfy { abs($0 - 1) < 1e-4 })
        let img = stripes(width: 20, height: 20, degrees: 30, wavelength: 7)
        let copy = img
        _ = try structureTensor(img, sigma: 1, rho: 0)
        #expect(img == copy)
        #expect(throws: FilterError.self) { try structureTensor(img, sigma: 0, rho: 1) }
        #expect(throws: FilterError.self) { try structureTensor(img, sigma: 1, rho: -1) }
        #expect(throws: FilterError.self) { try structureTensor(img, sigma: .nan, rho: 1) }
        let f = try structureTensor(img, sigma: 1, rho: 2)
        #expect(throws: FilterError.shapeMismatch(expectedWidth: 20, expectedHeight: 20, gotWidth: 3, gotHeight: 3)) {
            try f.orientationSummary(in: BinaryMask(width: 3, height: 3))
        }
    }

    @Test("summary uses doubled angles: 10° and 170° average to 0°, 80° and 100° to 90°")
    func doubledAngles() throws {
        func field(_ angles: [Float]) -> StructureTensorField {
            let n = angles.count
            return StructureTensorField(orientationDegrees: Image(width: n, height: 1, pixels: angles),
                                        coherence: Image(width: n, height: 1, fill: 1),
                                        energy: Image(width: n, height: 1, fill: 2), sigma: 1, rho: 1)
        }
        let a = try field([10, 170]).orientationSummary()
        #expect(axialDifference(a.dominantDegrees, 0) < 1e-9)
        #expect(abs(a.resultantLength - cos(20 * Double.pi / 180)) < 1e-6)
        #expect(a.histogram[1] == 0.5 && a.histogram[17] == 0.5)
        #expect(a.meanCoherence == 1 && a.totalWeight == 4)
        // fractionOfPixels: axial distance, flat pixels excluded.
        let f = field([0, 20, 50, 175])
        #expect(try f.fractionOfPixels(within: 30, of: 0) == 0.75)
        #expect(try f.fractionOfPixels(within: 30, of: 90) == 0)
        #expect(try f.fractionOfPixels(within: 45, of: 90, in: BinaryMask(rows: ["..##"])) == 0.5)
        var flat = f
        flat.energy.pixels[1] = 0
        #expect(try flat.fractionOfPixels(within: 30, of: 0) == 2.0 / 3.0)
        let b = try field([80, 100, 0]).orientationSummary(in: BinaryMask(rows: ["##."]))
        #expect(abs(b.dominantDegrees - 90) < 1e-9 && b.pixelCount == 2)
        #expect(b.histogram[8] == 0.5 && b.histogram[10] == 0.5)
    }
}
