// Micro-benchmarks of the filter kernels on a generated image, for
// `dendrometer bench`. Each kernel runs a few times and the best wall-clock
// time is reported (best-of-N resists noise from other processes). Results are
// sunk into a checksum so the optimiser cannot drop the work. Numbers from a
// debug build are meaningless; check `isOptimizedBuild` before reporting them.
// Python counterpart: tools/reference/bench_filters.py (scikit-image, OpenCV).

import DendrometerCore

/// Throughput measurements of the filter kernels.
public enum FilterBenchmarks {
    /// One measurement.
    public struct Result: Sendable, Equatable {
        /// Kernel and parameters, e.g. `gaussian u8→u8 σ=2`.
        public var name: String
        /// Megapixels (10⁶ px) processed per second, best of the repetitions.
        public var megapixelsPerSecond: Double
        /// Best wall-clock time of one call, seconds.
        public var seconds: Double
    }

    /// Whether this module was compiled with optimisation (benchmarks from debug builds are meaningless).
    public static var isOptimizedBuild: Bool {
        #if DEBUG
        false
        #else
        true
        #endif
    }

    /// A deterministic `width × height` 8-bit test image: a smooth oblique stripe
    /// pattern (periods ~12 and ~40 px) plus uniform noise of ±20 levels (seed 1).
    public static func syntheticImage(width: Int, height: Int, seed: UInt64 = 1) -> Image<UInt8> {
        var rng = SplitMix64(seed: seed)
        var px = [UInt8](repeating: 0, count: width * height)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let s = 60 * sinApprox(Double(x) * 0.45 + Double(y) * 0.25) + 40 * sinApprox(Double(x + 2 * y) * 0.05)
                let noise = Double(rng.next() % 41) - 20
                px[y * width + x] = UInt8(max(0, min(255, 128 + s + noise)))
            }
        }
        return Image(width: width, height: height, pixels: px, bitDepth: 8)
    }

    /// Runs every filter kernel on a generated `width × height` image (default 4096²)
    /// and returns the throughput of each, best of `repetitions` calls (CPU-bound; a 4096²
    /// run takes ~20 s in a release build).
    ///
    /// Kernels: Gaussian σ = 1, 2, 5 (u8→u8), σ = 2 (u8→Float, u16→u16, Float→Float);
    /// median r = 1, 2, 5 (u8), r = 1, 3 (u16 = u8·257, and 12-bit with > 256 values), r = 1 (Float); structure tensor σ = 1, ρ = 2 and 4.
    /// - Parameter matching: when non-nil, only kernels whose name contains this text run.
    public static func run(width: Int = 4096, height: Int = 4096, repetitions: Int = 3,
                           matching: String? = nil) -> [Result] {
        let u8 = syntheticImage(width: width, height: height)
        let u16 = u8.map(bitDepth: 16) { UInt16($0) * 257 }
        let f32 = u8.asFloat()
        // 12-bit data with > 256 distinct values (the UInt16 median cannot use rank compression).
        var noise = SplitMix64(seed: 7)
        let u12 = u8.map(bitDepth: 12) { UInt16($0) * 16 + UInt16(noise.next() % 16) }
        let mpx = Double(width * height) / 1e6
        var results = [Result]()
        var sink = 0.0
        func measure(_ name: String, _ body: () throws -> Double) {
            if let matching, !name.contains(matching) { return }
            var best = Double.infinity
            for _ in 0 ..< max(1, repetitions) {
                let clock = ContinuousClock()
                let start = clock.now
                let value = (try? body()) ?? 0
                let elapsed = clock.now - start
                let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                best = min(best, secs)
                sink += value
            }
            results.append(Result(name: name, megapixelsPerSecond: mpx / best, seconds: best))
        }
        let mid = width * height / 2
        for sigma in [1.0, 2.0, 5.0] {
            measure("gaussian u8→u8 σ=\(sigma)") { Double(try gaussianBlurKeepingType(u8, sigma: sigma).pixels[mid]) }
        }
        measure("gaussian u8→float σ=2.0") { Double(try gaussianBlur(u8, sigma: 2).pixels[mid]) }
        measure("gaussian u16→u16 σ=2.0") { Double(try gaussianBlurKeepingType(u16, sigma: 2).pixels[mid]) }
        measure("gaussian float→float σ=2.0") { Double(try gaussianBlur(f32, sigma: 2).pixels[mid]) }
        for r in [1, 2, 5] {
            measure("median u8 r=\(r)") { Double(try medianFilter(u8, radius: r).pixels[mid]) }
        }
        for r in [1, 3] {
            measure("median u16 r=\(r)") { Double(try medianFilter(u16, radius: r).pixels[mid]) }
        }
        measure("median u16 r=3 12-bit") { Double(try medianFilter(u12, radius: 3).pixels[mid]) }
        measure("median float r=1") { Double(try medianFilter(f32, radius: 1).pixels[mid]) }
        for rho in [2.0, 4.0] {
            measure("structure tensor u8 σ=1.0 ρ=\(rho)") { Double(try structureTensor(u8, sigma: 1, rho: rho).coherence.pixels[mid]) }
        }
        if sink.isNaN { results.append(Result(name: "checksum NaN", megapixelsPerSecond: 0, seconds: 0)) }
        return results
    }

    /// sin(x) without Foundation, accurate to ~1e-3 (enough for a test pattern).
    private static func sinApprox(_ x: Double) -> Double {
        var t = x.truncatingRemainder(dividingBy: 2 * .pi)
        if t > .pi { t -= 2 * .pi } else if t < -.pi { t += 2 * .pi }
        // Bhaskara-style parabola refined once.
        let y = 4 / .pi * t - 4 / (.pi * .pi) * t * abs(t)
        return 0.225 * (y * abs(y) - y) + y
    }
}
