// Sampled 1-D Gaussian and first-derivative-of-Gaussian kernels, built exactly
// like scipy.ndimage.gaussian_filter1d (`_gaussian_kernel1d`): radius
// `Int(truncate · σ + 0.5)` with truncate = 4, weights exp(−x²/2σ²)
// normalised to sum 1; the derivative kernel is (−x/σ²)·weight, applied as a
// convolution so a rising edge gives a positive response.
import DendrometerCore


/// A 1-D kernel of odd length `2·radius + 1` that is either even
/// (w[−k] = w[k]) or odd (w[−k] = −w[k]) about its centre. Only the half
/// `taps[0 ... radius]` is stored.
///
/// Applied at position x of a line p:
/// - even: `taps[0]·p[x] + Σ_{k≥1} taps[k]·(p[x−k] + p[x+k])`
/// - odd:  `Σ_{k≥1} taps[k]·(p[x+k] − p[x−k])` (`taps[0]` is 0)
struct Kernel1D: Sendable, Equatable {
    enum Parity: Sendable { case even, odd }
    var taps: [Float]
    var parity: Parity
    var radius: Int { taps.count - 1 }

    /// The identity (radius 0, weight 1).
    static let identity = Kernel1D(taps: [1], parity: .even)

    /// Gaussian of standard deviation `sigma` px truncated at 4σ; σ = 0 gives the identity.
    static func gaussian(sigma: Double, truncate: Double = 4) -> Kernel1D {
        let r = radius(sigma: sigma, truncate: truncate)
        guard r > 0 else { return .identity }
        let phi = normalisedWeights(sigma: sigma, radius: r)
        return Kernel1D(taps: phi.map { Float($0) }, parity: .even)
    }

    /// First derivative of a Gaussian (σ px, truncated at 4σ), as scipy's `order=1`.
    /// Convolution with it estimates d/dx of the σ-smoothed signal.
    static func gaussianDerivative(sigma: Double, truncate: Double = 4) -> Kernel1D {
        let r = max(1, radius(sigma: sigma, truncate: truncate))
        let phi = normalisedWeights(sigma: sigma, radius: r)
        var taps = [Float](repeating: 0, count: r + 1)
        for k in 1 ... r { taps[k] = Float(Double(k) / (sigma * sigma) * phi[k]) }
        return Kernel1D(taps: taps, parity: .odd)
    }

    static func radius(sigma: Double, truncate: Double) -> Int {
        sigma > 0 ? Int(saturating: truncate * sigma + 0.5) : 0
    }

    /// exp(−k²/2σ²) for k = 0 ... r, normalised so the full symmetric kernel sums to 1.
    static func normalisedWeights(sigma: Double, radius r: Int) -> [Double] {
        var phi = (0 ... r).map { k in Double.exp(-0.5 * Double(k * k) / (sigma * sigma)) }
        let sum = phi[0] + 2 * phi.dropFirst().reduce(0, +)
        for k in phi.indices { phi[k] /= sum }
        return phi
    }

    /// The full kernel w[−r ... r] in convolution order (for reference code).
    var full: [Float] {
        let r = radius
        return (-r ... r).map { j in
            let t = taps[abs(j)]
            switch parity {
            case .even: return t
            case .odd: return j > 0 ? t : (j < 0 ? -t : 0)
            }
        }
    }
}

extension Double {
    @inline(__always) static func exp(_ x: Double) -> Double { _exp(x) }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _exp(_ x: Double) -> Double { Darwin.exp(x) }
#endif
