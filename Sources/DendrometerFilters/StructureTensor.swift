// Structure tensor with Gaussian-derivative gradients (J. Bigün & G. Granlund
// 1987; B. Jähne, "Digital Image Processing", ch. 13; the "coherence" of
// Kass & Witkin 1987). Gradients Ix, Iy are convolutions with the first
// derivative of a Gaussian of scale σ; the tensor components Jxx = Ix²,
// Jxy = IxIy, Jyy = Iy² are smoothed with a Gaussian of scale ρ. Border mode
// 'reflect' throughout (scipy.ndimage). Eigen-analysis in closed form:
//   λ1,2 = ½ (Jxx + Jyy ± √((Jxx − Jyy)² + 4Jxy²)),
//   gradient direction θg = ½ atan2(2Jxy, Jxx − Jyy) (image axes, y down),
//   structure direction = θg + 90° (eigenvector of the smaller eigenvalue).
// Every pass runs on `separableFilter` (parallel row bands); the products are
// formed on the fly when rows are loaded and the eigen-analysis is fused into
// the store of the last pass, so no product image is ever stored.

import DendrometerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-pixel orientation, coherence and energy of the structure tensor.
///
/// Angle convention (used everywhere in Dendrometer): degrees in [0, 180),
/// measured from the +x axis (pointing right) towards the image's UP direction
/// (−y), i.e. counter-clockwise as seen on screen. A horizontal stripe has
/// orientation 0°, a vertical stripe 90°, a stripe rising to the right at 45°
/// on screen 45°, one falling to the right 135°.
public struct StructureTensorField: Sendable, Equatable {
    /// Direction of the local structure (along stripes/needles, the eigenvector of the
    /// smaller eigenvalue), degrees in [0, 180) counter-clockwise from +x as seen on screen.
    /// 0 where the energy is 0 (flat neighbourhood).
    public var orientationDegrees: Image<Float>
    /// (λ1 − λ2)/(λ1 + λ2) in [0, 1]: 1 for perfectly oriented stripes, near 0 for isotropic
    /// texture; 0 where the energy is 0.
    public var coherence: Image<Float>
    /// λ1 + λ2 = Jxx + Jyy, the ρ-smoothed squared gradient magnitude, in (intensity/px)².
    public var energy: Image<Float>
    /// Gradient (derivative-of-Gaussian) scale σ, px.
    public var sigma: Double
    /// Integration (tensor smoothing) scale ρ, px.
    public var rho: Double

    /// Number of columns, px.
    public var width: Int { energy.width }
    /// Number of rows, px.
    public var height: Int { energy.height }

    /// Wraps precomputed planes (all the same shape); σ and ρ in px.
    public init(orientationDegrees: Image<Float>, coherence: Image<Float>, energy: Image<Float>,
                sigma: Double, rho: Double) {
        precondition(orientationDegrees.width == energy.width && orientationDegrees.height == energy.height
                     && coherence.width == energy.width && coherence.height == energy.height,
                     "structure-tensor planes must have the same shape")
        self.orientationDegrees = orientationDegrees
        self.coherence = coherence
        self.energy = energy
        self.sigma = sigma
        self.rho = rho
    }
}

/// Computes the structure tensor of `image` and its per-pixel orientation, coherence and energy.
///
/// Gradients: `Ix = I ∗ (g′σ ⊗ gσ)`, `Iy = I ∗ (gσ ⊗ g′σ)` — exactly
/// `scipy.ndimage.gaussian_filter(I, σ, order=(0,1) / (1,0), mode='reflect')`.
/// Tensor: `Jab = gρ ∗ (Ia·Ib)` (`gaussian_filter(Ia*Ib, ρ, mode='reflect')`).
/// Orientation = (90° − ½·atan2(2Jxy, Jxx − Jyy)) mod 180°, which is the direction
/// of the smaller eigenvalue's eigenvector expressed in the y-up convention of
/// ``StructureTensorField``; atan2 is a polynomial approximation (orientation error ≤ 0.006°).
///
/// Note: `skimage.feature.structure_tensor` uses Sobel gradients and one scale;
/// this is the two-scale Gaussian-derivative tensor (Jähne; Rezakhaniha et al. 2012, OrientationJ).
///
/// - Parameters:
///   - image: shape (rows, cols); any sample type; not modified.
///   - sigma: gradient scale σ in px, finite and > 0 (≈ half the width of the thinnest structure).
///   - rho: integration scale ρ in px, finite and ≥ 0 (0 = no smoothing of the tensor).
/// - Returns: the three planes plus σ and ρ.
/// - Throws: ``FilterError/invalidScale(name:value:requirement:)``.
/// - Complexity: O(W·H·(σ + ρ)) (five separable Gaussian passes), parallel over row bands.
///
/// Example: horizontal stripes `I(x, y) = sin(2πy/8)` give orientation 0° and
/// coherence ≈ 1 everywhere; vertical stripes 90°; a constant image energy 0,
/// coherence 0, orientation 0.
public func structureTensor<P: PixelSample>(_ image: Image<P>, sigma: Double, rho: Double) throws(FilterError) -> StructureTensorField {
    try FilterError.check(sigma, name: "structure-tensor gradient scale σ", positive: true)
    try FilterError.check(rho, name: "structure-tensor integration scale ρ")
    let w = image.width, h = image.height
    var orientation = Image<Float>(width: w, height: h, fill: 0, bitDepth: 32)
    var coherence = orientation
    var energy = orientation
    if image.isEmpty {
        return StructureTensorField(orientationDegrees: orientation, coherence: coherence, energy: energy,
                                    sigma: sigma, rho: rho)
    }
    let g = Kernel1D.gaussian(sigma: sigma), d = Kernel1D.gaussianDerivative(sigma: sigma)
    let gr = Kernel1D.gaussian(sigma: rho)
    var ix = [Float](repeating: 0, count: w * h)
    var iy = ix
    ix.withUnsafeMutableBufferPointer { ixb in
        iy.withUnsafeMutableBufferPointer { iyb in
            let gx = SendablePointer(ixb.baseAddress!), gy = SendablePointer(iyb.baseAddress!)
            withFloatRowLoader(image) { load in
                separableFilter(width: w, height: h, row: d, column: g, loadRow: load) { y, src in
                    (gx.base + y * w).update(from: src, count: w)
                }
                separableFilter(width: w, height: h, row: g, column: d, loadRow: load) { y, src in
                    (gy.base + y * w).update(from: src, count: w)
                }
            }
            orientation.pixels.withUnsafeMutableBufferPointer { ob in
                coherence.pixels.withUnsafeMutableBufferPointer { cb in
                    energy.pixels.withUnsafeMutableBufferPointer { eb in
                        // Jxx is parked in `orientation`, Jxy in `coherence` until the last pass.
                        let jxx = SendablePointer(ob.baseAddress!), jxy = SendablePointer(cb.baseAddress!)
                        let en = SendablePointer(eb.baseAddress!)
                        separableFilter(width: w, height: h, row: gr, column: gr, loadRow: { y, dst in
                            let a = gx.base + y * w
                            for x in 0 ..< w { dst[x] = a[x] * a[x] }
                        }, storeRow: { y, src in (jxx.base + y * w).update(from: src, count: w) })
                        separableFilter(width: w, height: h, row: gr, column: gr, loadRow: { y, dst in
                            let a = gx.base + y * w, b = gy.base + y * w
                            for x in 0 ..< w { dst[x] = a[x] * b[x] }
                        }, storeRow: { y, src in (jxy.base + y * w).update(from: src, count: w) })
                        separableFilter(width: w, height: h, row: gr, column: gr, loadRow: { y, dst in
                            let b = gy.base + y * w
                            for x in 0 ..< w { dst[x] = b[x] * b[x] }
                        }, storeRow: { y, src in
                            eigenRow(jxx: jxx.base + y * w, jxy: jxy.base + y * w, jyy: src,
                                     orientation: jxx.base + y * w, coherence: jxy.base + y * w,
                                     energy: en.base + y * w, count: w)
                        })
                    }
                }
            }
        }
    }
    return StructureTensorField(orientationDegrees: orientation, coherence: coherence, energy: energy,
                                sigma: sigma, rho: rho)
}

/// Energies at or below this are treated as a flat neighbourhood (coherence and orientation 0).
let flatEnergy: Float = 1e-20

/// Closed-form eigen-analysis of one row. `orientation` may alias `jxx` and
/// `coherence` may alias `jxy` (each element is read before it is written).
/// Unchecked: every pointer holds `count` Floats.
@inline(__always)
func eigenRow(jxx: UnsafeMutablePointer<Float>, jxy: UnsafeMutablePointer<Float>, jyy: UnsafePointer<Float>,
              orientation: UnsafeMutablePointer<Float>, coherence: UnsafeMutablePointer<Float>,
              energy: UnsafeMutablePointer<Float>, count: Int) {
    for x in 0 ..< count {
        let a = jxx[x], b = jxy[x], c = jyy[x]
        let e = a + c
        let dx = a - c, dy = 2 * b
        let diff = (dx * dx + dy * dy).squareRoot()
        let flat = !(e > flatEnergy)
        var o = 90 - 0.5 * (180 / Float.pi) * fastAtan2(dy, dx)
        o = o >= 180 ? o - 180 : (o < 0 ? o + 180 : o)
        energy[x] = max(e, 0)
        orientation[x] = flat ? 0 : o
        coherence[x] = flat ? 0 : min(diff / e, 1)
    }
}

/// atan2(y, x) in radians in [−π, π], branch-free so the row loop vectorises:
/// a 7th-order odd polynomial fit of atan on [0, 1] plus octant folding. Max
/// error 2.1e-4 rad (0.012°) over the circle, i.e. ≤ 0.006° on the (halved)
/// orientation — measured on a dense grid (see StructureTensorTests).
@inline(__always)
func fastAtan2(_ y: Float, _ x: Float) -> Float {
    let ax = abs(x), ay = abs(y)
    let mn = min(ax, ay), mx = max(ax, ay)
    let a = mx > 0 ? mn / mx : 0
    let s = a * a
    var r = ((-0.046_496_474_9 * s + 0.159_314_22) * s - 0.327_622_764) * s * a + a
    r = ay > ax ? Float.pi / 2 - r : r
    r = x < 0 ? Float.pi - r : r
    return y < 0 ? -r : r
}

/// Scalar reference of ``structureTensor(_:sigma:rho:)``: the same definition computed
/// with `separableReference` (direct convolution in Double) and libm atan2. Slow; for tests.
func structureTensorReference<P: PixelSample>(_ image: Image<P>, sigma: Double, rho: Double) -> StructureTensorField {
    let g = Kernel1D.gaussian(sigma: sigma), d = Kernel1D.gaussianDerivative(sigma: sigma)
    let gr = Kernel1D.gaussian(sigma: rho)
    let ix = separableReference(image, row: d, column: g)
    let iy = separableReference(image, row: g, column: d)
    func smoothed(_ f: (Float, Float) -> Float) -> Image<Float> {
        let prod = Image<Float>(width: image.width, height: image.height,
                                pixels: zip(ix.pixels, iy.pixels).map { f($0, $1) })
        return separableReference(prod, row: gr, column: gr)
    }
    let jxx = smoothed { a, _ in a * a }, jxy = smoothed { a, b in a * b }, jyy = smoothed { _, b in b * b }
    var o = jxx, c = jxx, e = jxx
    for i in jxx.pixels.indices {
        let a = Double(jxx.pixels[i]), b = Double(jxy.pixels[i]), cc = Double(jyy.pixels[i])
        let en = a + cc
        if !(en > Double(flatEnergy)) { o.pixels[i] = 0; c.pixels[i] = 0; e.pixels[i] = Float(max(en, 0)); continue }
        var ang = 90 - 0.5 * atan2(2 * b, a - cc) * 180 / .pi
        if ang >= 180 { ang -= 180 }
        o.pixels[i] = Float(ang)
        c.pixels[i] = Float(min(1, ((a - cc) * (a - cc) + 4 * b * b).squareRoot() / en))
        e.pixels[i] = Float(en)
    }
    return StructureTensorField(orientationDegrees: o, coherence: c, energy: e, sigma: sigma, rho: rho)
}
