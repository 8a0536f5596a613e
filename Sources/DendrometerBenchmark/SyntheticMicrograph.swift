// A quick procedural BSE-like image for benchmarks: granular electrolyte,
// a bright anode layer at the bottom, bright tapered tongues rising from it,
// and Gaussian-ish noise. Not a ground-truth generator (that is tools/'s job);
// just realistic texture so kernels see realistic branch and cache behaviour.

import DendrometerCore

/// Deterministic synthetic micrographs for benchmarks.
public enum SyntheticMicrograph {
    /// An 8-bit `width × height` BSE-like cross-section, fully determined by `seed`.
    public static func bse(width: Int, height: Int, seed: UInt64) -> Image<UInt8> {
        var rng = SplitMix64(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height)
        let anodeTop = height - max(1, height / 6)
        // Tongues: base x, base half-width, height.
        let tongues = (0 ..< max(3, width / 64)).map { _ in
            (x: Double.random(in: 0 ..< Double(width), using: &rng),
             half: Double.random(in: 3 ... 12, using: &rng) * Double(max(1, width / 1024)),
             h: Double.random(in: 0.1 ... 0.6, using: &rng) * Double(anodeTop))
        }
        pixels.withUnsafeMutableBufferPointer { out in
            var noise = rng
            for y in 0 ..< height {
                for x in 0 ..< width {
                    // Granular electrolyte: a cheap hash-based cell texture.
                    let cell = UInt64(x / 6) &* 0x9E37_79B9 ^ UInt64(y / 6) &* 0x85EB_CA6B
                    var v = 90 + Int(cell % 31) - 15
                    if y >= anodeTop { v = 210 }
                    out[y * width + x] = UInt8(clamping: v + Int(noise.next() % 17) - 8)
                }
            }
            for t in tongues {
                let y0 = max(0, anodeTop - Int(saturating: t.h))
                for y in y0 ..< anodeTop {
                    let frac = Double(anodeTop - y) / t.h
                    let half = max(0.7, t.half * (1 - frac))
                    let cx = t.x + 5 * (Double(y % 40) / 40 - 0.5)
                    let lo = max(0, Int(saturating: cx - half)), hi = min(width - 1, Int(saturating: cx + half))
                    if lo <= hi { for x in lo ... hi { out[y * width + x] = UInt8(clamping: 205 + Int(noise.next() % 11)) } }
                }
            }
        }
        return Image(width: width, height: height, pixels: pixels, bitDepth: 8)
    }
}
