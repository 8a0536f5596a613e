// Summary of a structure-tensor field over a set of pixels: dominant
// direction by doubled-angle (axial) averaging — orientations θ and θ + 180°
// are the same axis, so the mean is taken of the unit vectors (cos 2θ, sin 2θ)
// and halved back (Mardia & Jupp, "Directional Statistics", 2000, §9.3.2) —
// plus an 18-bin histogram over 0 ... 180°.

import DendrometerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How pixels are weighted in an ``OrientationSummary``.
public enum OrientationWeighting: Sendable, Equatable {
    /// Every selected pixel counts once.
    case uniform
    /// Weight = coherence (well-oriented pixels count more).
    case coherence
    /// Weight = energy (high-contrast pixels count more).
    case energy
    /// Weight = coherence × energy = λ1 − λ2: equivalent to summing the tensors and
    /// reading the direction of the sum (the usual "global structure tensor").
    case coherenceTimesEnergy
}

/// Orientation statistics of a ``StructureTensorField`` over selected pixels. Angles follow
/// the field's convention: degrees in [0, 180), counter-clockwise from +x as seen on screen.
public struct OrientationSummary: Sendable, Equatable {
    /// Dominant structure direction, degrees in [0, 180), from the weighted doubled-angle
    /// mean: ½·atan2(Σ w sin 2θ, Σ w cos 2θ). 0 when no weight was selected.
    public var dominantDegrees: Double
    /// Length of the weighted mean doubled-angle vector, in [0, 1]: 1 when every weighted
    /// pixel has the same orientation, near 0 for isotropic orientations.
    public var resultantLength: Double
    /// Energy-weighted mean coherence Σ(λ1 − λ2)/Σ(λ1 + λ2) over the selected pixels
    /// (the coherence of the summed tensor's eigenvalue gaps), in [0, 1]; 0 if all are flat.
    public var meanCoherence: Double
    /// 18 bins of 10° each (bin i covers [10i, 10i + 10)°), weighted, summing to 1
    /// (all 0 when no weight was selected).
    public var histogram: [Double]
    /// Number of selected pixels.
    public var pixelCount: Int
    /// Sum of the weights of the selected pixels.
    public var totalWeight: Double
}

extension StructureTensorField {
    /// Summarises the orientation over the pixels selected by `mask` (all pixels when nil).
    ///
    /// - Parameters:
    ///   - mask: same shape as the field (rows, cols); phase pixels are summarised.
    ///   - weighting: per-pixel weight; default coherence × energy.
    /// - Throws: ``FilterError/shapeMismatch(expectedWidth:expectedHeight:gotWidth:gotHeight:)``.
    /// - Complexity: O(W·H), one pass, accumulated in Double.
    ///
    /// Example: two equally weighted pixels at 10° and 170° have dominant direction 0°
    /// (the axes straddle the horizontal), not the naive mean 90°.
    public func orientationSummary(in mask: BinaryMask? = nil,
                                   weighting: OrientationWeighting = .coherenceTimesEnergy) throws(FilterError) -> OrientationSummary {
        if let m = mask, m.width != width || m.height != height {
            throw .shapeMismatch(expectedWidth: width, expectedHeight: height, gotWidth: m.width, gotHeight: m.height)
        }
        var histogram = [Double](repeating: 0, count: OrientationHistogram.binCount)
        var sc = 0.0, ss = 0.0, total = 0.0, gap = 0.0, energySum = 0.0
        var count = 0
        let n = width * height
        orientationDegrees.pixels.withUnsafeBufferPointer { ob in
            coherence.pixels.withUnsafeBufferPointer { cb in
                energy.pixels.withUnsafeBufferPointer { eb in
                    histogram.withUnsafeMutableBufferPointer { hb in
                        let bits = mask?.bits
                        bits.withOptionalUnsafeBufferPointer { mb in
                            for i in 0 ..< n {
                                if let mb, mb[i] == 0 { continue }
                                let o = Double(ob[i]), c = Double(cb[i]), e = Double(eb[i])
                                let wgt: Double = switch weighting {
                                case .uniform: 1
                                case .coherence: c
                                case .energy: e
                                case .coherenceTimesEnergy: c * e
                                }
                                count += 1
                                gap += c * e
                                energySum += e
                                guard wgt > 0 else { continue }
                                total += wgt
                                let t = 2 * o * .pi / 180
                                sc += wgt * cos(t)
                                ss += wgt * sin(t)
                                hb[OrientationHistogram.bin(degrees: o)] += wgt
                            }
                        }
                    }
                }
            }
        }
        var dominant = 0.0, resultant = 0.0
        if total > 0 {
            for b in histogram.indices { histogram[b] /= total }
            dominant = 0.5 * atan2(ss, sc) * 180 / .pi
            if dominant < 0 { dominant += 180 }
            if dominant >= 180 { dominant -= 180 }
            resultant = min(1, (sc * sc + ss * ss).squareRoot() / total)
        }
        return OrientationSummary(dominantDegrees: dominant, resultantLength: resultant,
                                  meanCoherence: energySum > 0 ? min(1, gap / energySum) : 0,
                                  histogram: histogram, pixelCount: count, totalWeight: total)
    }
}

extension StructureTensorField {
    /// Share of the selected pixels whose orientation lies within `tolerance` degrees of
    /// the axis `axisDegrees` (axial distance, period 180°), unweighted, in [0, 1].
    ///
    /// With the interface direction as the axis and a 30° tolerance this is the
    /// `lateral_fraction` of the report; with the axis + 90° the `vertical_fraction`.
    /// Flat pixels (energy 0, orientation undefined) are excluded from numerator and denominator.
    ///
    /// - Parameters:
    ///   - tolerance: half-width of the accepted sector, degrees (0 ... 90).
    ///   - axisDegrees: reference axis, degrees, same convention as the field.
    ///   - mask: same shape as the field; nil selects every pixel.
    /// - Returns: the fraction, or 0 when no non-flat pixel is selected.
    /// - Throws: ``FilterError/shapeMismatch(expectedWidth:expectedHeight:gotWidth:gotHeight:)``.
    /// - Complexity: O(W·H).
    ///
    /// Example: orientations [0°, 20°, 50°, 175°] with axis 0° and tolerance 30° give 0.75.
    public func fractionOfPixels(within tolerance: Double, of axisDegrees: Double,
                                 in mask: BinaryMask? = nil) throws(FilterError) -> Double {
        if let m = mask, m.width != width || m.height != height {
            throw .shapeMismatch(expectedWidth: width, expectedHeight: height, gotWidth: m.width, gotHeight: m.height)
        }
        var inside = 0, total = 0
        let n = width * height
        orientationDegrees.pixels.withUnsafeBufferPointer { ob in
            energy.pixels.withUnsafeBufferPointer { eb in
                (mask?.bits).withOptionalUnsafeBufferPointer { mb in
                    for i in 0 ..< n {
                        if let mb, mb[i] == 0 { continue }
                        if !(eb[i] > flatEnergy) { continue }
                        total += 1
                        var d = (Double(ob[i]) - axisDegrees).truncatingRemainder(dividingBy: 180)
                        if d < 0 { d += 180 }
                        if min(d, 180 - d) <= tolerance { inside += 1 }
                    }
                }
            }
        }
        return total == 0 ? 0 : Double(inside) / Double(total)
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with the array's buffer, or nil.
    fileprivate func withOptionalUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        switch self {
        case .some(let a): a.withUnsafeBufferPointer { body($0) }
        case .none: body(nil)
        }
    }
}
