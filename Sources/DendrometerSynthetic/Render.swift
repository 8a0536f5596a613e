// Renderer of synthetic BSE/EDX cross-sections of Li-In | Li6PS5Cl | cathode
// (or Li | Li6PS5Cl | cathode) cells with exact ground truth.
//
// Method (our own procedural model, no paper): materials are decided per
// pixel in the canonical frame (anode at the bottom) — anode below the
// interface polyline, dendrite phase where the straightened morphology raster
// (Morphology.swift) is set, cathode composite beyond the electrolyte
// thickness, granular electrolyte with pores elsewhere — and given BSE grey
// levels (Li-In 210, Li 36, electrolyte 100 ± 12 per grain with darker grain
// boundaries, pores 58, cathode speckle of NCM 180 / electrolyte 104 /
// carbon 62). The ideal image is blurred (separable Gaussian, replicated
// border), mapped to the requested side, then acquisition artefacts are added
// in the final frame (charging ramp, per-row scan-line offsets, Poisson shot
// noise, Gaussian noise), quantised to the bit depth, and a data bar is
// appended below the field. Every random choice comes from SplitMix64
// sub-streams of the seed, per row where the work is row-parallel, so the
// output is bit-identical across runs (and thread counts) on one platform.

import DendrometerCore
import Foundation

/// Material codes of the per-pixel material map.
enum Material: UInt8 {
    case electrolyte = 0, pore, anode, dendrite, cathodeActive, cathodeElectrolyte, cathodeCarbon
}

/// One rendered EDX element map.
public struct EDXMap: Sendable {
    /// Element symbol.
    public var element: String
    /// Coarsening factor k: one map pixel covers about k × k field pixels.
    public var factor: Int
    /// X-ray counts, shape (rows, cols) = (round(field height / k), round(field width / k)).
    public var image: Image<UInt16>
}

/// A rendered scene: the micrograph as the file stores it, its EDX maps and the ground truth.
public struct SyntheticScene: Sendable {
    /// The spec it was rendered from.
    public var spec: SceneSpec
    /// The full raster (field plus data bar rows below it), 8-bit or 16-bit.
    public var image: AnyImage
    /// EDX maps, in the order of `spec.edx`.
    public var edxMaps: [EDXMap]
    /// Dendrite pixels (phase on the electrolyte side, depth > 0), full-raster size; the data bar is 0.
    public var dendriteMask: BinaryMask
    /// Anode-layer pixels, full-raster size.
    public var anodeMask: BinaryMask
    /// Truth numbers (interface, penetration, regions, calibration, data bar).
    public var truth: GroundTruth
    /// Material code (`Material.rawValue`) of every pixel of the scanned field in the final
    /// frame, row-major `spec.width × spec.height` (no data bar); for ``trainingLabels()``.
    var fieldMaterial: [UInt8]
}

/// Renders `spec` (see ``SceneRenderer/render(_:)``).
public func render(_ spec: SceneSpec) throws(SyntheticError) -> SyntheticScene {
    try SceneRenderer.render(spec)
}

/// Entry point of the generator.
public enum SceneRenderer {
    /// Renders a scene deterministically from its spec.
    ///
    /// - Parameter spec: the scene; validated first.
    /// - Returns: the file raster (`spec.width × (spec.height + spec.dataBarRows)` px), EDX maps
    ///   covering the `spec.width × spec.height` field at 1/k resolution, masks and truth.
    /// - Throws: ``SyntheticError/invalidSpec(_:)`` for an unusable spec.
    /// - Complexity: O(width × height × (1 + blur radius)) plus O(dendrite pixels × depth / 8) for the depth truth.
    public static func render(_ spec: SceneSpec) throws(SyntheticError) -> SyntheticScene {
        try render(spec, customDendrites: nil)
    }

    /// Renders with `customDendrites` drawing into the straightened raster (row h = height
    /// above the interface, px) instead of `spec.layout`; for analytic tests.
    static func render(_ spec: SceneSpec, customDendrites: ((inout StraightCanvas) -> Void)?) throws(SyntheticError) -> SyntheticScene {
        try spec.validate()
        var notes: [String] = []
        let p = spec.pixelSizeMicrometres
        let (cw, ch) = SideTransform.canonicalSize(width: spec.width, height: spec.height, side: spec.anodeSide)
        let transform = SideTransform(side: spec.anodeSide, cw: cw, ch: ch)

        // Interface: tilt + parabolic bow, shifted so the anode is at least `anodePx` thick everywhere.
        let tanT = tan(spec.tiltDegrees * .pi / 180)
        let xc = Double(cw - 1) / 2, halfW = max(1, Double(cw - 1) / 2)
        let sag = spec.curvature * Double(cw)
        func shape(_ x: Double) -> Double { let u = (x - xc) / halfW; return tanT * (x - xc) - sag * (1 - u * u) }
        let probe = CanonicalInterface(width: cw, shape)
        let fmax = probe.ys.max()!, fmin = probe.ys.min()!
        var anodePx = spec.anodeThicknessMicrometres / p
        if anodePx < 4 { anodePx = 4; notes.append("anode thinner than 4 px; drawn 4 px thick") }
        if anodePx > 0.45 * Double(ch) { anodePx = 0.45 * Double(ch); notes.append("anode thicker than 45 % of the field; clipped") }
        let base = Double(ch - 1) - anodePx - fmax
        if base + fmin < 0.1 * Double(ch) { notes.append("tilt/curvature push the interface near the far edge") }
        let iface = CanonicalInterface(width: cw) { base + shape($0) }
        var yCol = [Double](repeating: 0, count: cw)
        for x in 0 ..< cw { yCol[x] = iface.y(atColumn: Double(x)) }

        // Dendrites in the straightened raster.
        let depthPx = spec.zoneDepthMicrometres / p
        let canvasHeight = Int(saturating: yCol.max()!.rounded(.up)) + 2
        var canvas = StraightCanvas(width: cw, height: canvasHeight)
        if depthPx > Double(canvasHeight) { notes.append("zone depth \(Int(saturating: depthPx)) px exceeds the field; dendrites reach the far edge") }
        let painter = MorphologyPainter(pixelSize: p, lean: { x in let s = iface.slope(atColumn: x); return s / (1 + s * s) },
                                        seed: spec.seed)
        if let custom = customDendrites { custom(&canvas) } else { painter.paint(spec.layout, depth: depthPx, into: &canvas) }
        let electrolytePx = spec.electrolyteThicknessMicrometres.map { $0 / p }

        // Materials, morphology labels and ideal grey levels in the canonical frame.
        let n = cw * ch
        var material = [UInt8](repeating: 0, count: n)
        var labels = [UInt8](repeating: 0, count: n)
        let bright = spec.polarity == .bright
        let phaseLevel: Float = bright ? 210 : 36
        let grain = min(14, max(3, 1.2 / p)), cathodeCell = min(30, max(4, 3 / p))
        var texRng = SplitMix64.stream(spec.seed, 2)
        let tex = texRng.next()
        func nearest2(_ x: Double, _ y: Double, _ cell: Double, _ s: UInt64) -> (Int, Int, Double) {
            let i0 = Int(saturating: (x / cell).rounded(.down)), j0 = Int(saturating: (y / cell).rounded(.down))
            var d1 = Double.infinity, d2 = Double.infinity, bi = 0, bj = 0
            for dj in -1 ... 1 {
                for di in -1 ... 1 {
                    let i = i0 + di, j = j0 + dj
                    let sx = (Double(i) + hashUnit(i, j, s)) * cell, sy = (Double(j) + hashUnit(j, i, s &+ 1)) * cell
                    let d = (sx - x) * (sx - x) + (sy - y) * (sy - y)
                    if d < d1 { d2 = d1; d1 = d; bi = i; bj = j } else if d < d2 { d2 = d }
                }
            }
            return (bi, bj, d2.squareRoot() - d1.squareRoot())
        }
        var ideal = [Float](repeating: 0, count: n)
        material.withUnsafeMutableBufferPointer { mat in
            labels.withUnsafeMutableBufferPointer { lab in
                ideal.withUnsafeMutableBufferPointer { val in
                    canvas.label.withUnsafeBufferPointer { sl in
                        for y in 0 ..< ch {
                            for x in 0 ..< cw {
                                let i = y * cw + x
                                let hf = yCol[x] - Double(y)
                                let jitter = Float(hashUnit(x, y, tex)) - 0.5
                                if hf < 0 {
                                    mat[i] = Material.anode.rawValue
                                    val[i] = phaseLevel + 6 * jitter
                                    continue
                                }
                                let hr = Int(saturating: hf)
                                if hr < canvasHeight, sl[hr * cw + x] != 0 {
                                    mat[i] = Material.dendrite.rawValue
                                    lab[i] = sl[hr * cw + x]
                                    val[i] = phaseLevel + 6 * jitter
                                } else if let e = electrolytePx, hf > e {
                                    let (ci, cj, _) = nearest2(Double(x), Double(y), cathodeCell, tex &+ 7)
                                    let kind = hashUnit(ci, cj, tex &+ 9)
                                    if kind < 0.45 { mat[i] = Material.cathodeActive.rawValue; val[i] = 180 + 20 * jitter }
                                    else if kind < 0.8 { mat[i] = Material.cathodeElectrolyte.rawValue; val[i] = 104 + 16 * jitter }
                                    else { mat[i] = Material.cathodeCarbon.rawValue; val[i] = 62 + 12 * jitter }
                                } else {
                                    let (gi, gj, edge) = nearest2(Double(x), Double(y), grain, tex &+ 3)
                                    var v = 100 + 24 * (Float(hashUnit(gi, gj, tex &+ 5)) - 0.5) + 8 * jitter
                                    if edge < 1 { v -= 12 }
                                    val[i] = v
                                }
                            }
                        }
                    }
                }
            }
        }
        // Pores: small dark discs replacing electrolyte only (≤ 2.5 px radius, ~1.5 % of the area).
        var poreRng = SplitMix64.stream(spec.seed, 3)
        let poreRadiusMean = min(2.5, max(0.8, 0.4 / p))
        let poreCount = Int(saturating: 0.015 * Double(n) / (Double.pi * poreRadiusMean * poreRadiusMean))
        for _ in 0 ..< poreCount {
            let px = poreRng.uniform(0, Double(cw)), py = poreRng.uniform(0, Double(ch))
            let r = poreRadiusMean * poreRng.uniform(0.7, 1.3)
            for y in max(0, Int(saturating: py - r)) ... min(ch - 1, Int(saturating: py + r)) {
                for x in max(0, Int(saturating: px - r)) ... min(cw - 1, Int(saturating: px + r)) where (Double(x) - px) * (Double(x) - px) + (Double(y) - py) * (Double(y) - py) <= r * r {
                    let i = y * cw + x
                    if material[i] == Material.electrolyte.rawValue {
                        material[i] = Material.pore.rawValue
                        ideal[i] = 58 + 6 * (Float(poreRng.unit()) - 0.5)
                    }
                }
            }
        }
        if spec.blurSigmaPixels > 0 { ideal = gaussianBlur(ideal, width: cw, height: ch, sigma: spec.blurSigmaPixels) }

        // Truth in the canonical frame (distances are invariant under the side transform).
        let truthCore = computeTruth(material: material, labels: labels, cw: cw, ch: ch, iface: iface, yCol: yCol,
                                     electrolytePx: electrolytePx)

        // Final frame.
        let w = spec.width, h = spec.height, bar = spec.dataBarRows
        let fieldValues = transform.apply(ideal)
        let finalMaterial = transform.apply(material)
        let finalDendrite = transform.apply(truthCore.dendrite)
        let image = acquire(fieldValues, spec: spec, barRows: bar)
        var dendriteBits = finalDendrite
        dendriteBits.append(contentsOf: [UInt8](repeating: 0, count: w * bar))
        var anodeBits = finalMaterial.map { $0 == Material.anode.rawValue ? UInt8(1) : 0 }
        anodeBits.append(contentsOf: [UInt8](repeating: 0, count: w * bar))
        let edx = spec.edx.map { renderEDX($0, material: finalMaterial, width: w, height: h, bright: bright, seed: spec.seed) }

        let truth = GroundTruth(spec: spec, core: truthCore, iface: iface, transform: transform, notes: notes)
        return SyntheticScene(spec: spec, image: image, edxMaps: edx,
                              dendriteMask: BinaryMask(width: w, height: h + bar, bits: dendriteBits),
                              anodeMask: BinaryMask(width: w, height: h + bar, bits: anodeBits), truth: truth,
                              fieldMaterial: finalMaterial)
    }

    // MARK: acquisition artefacts, quantisation, data bar

    /// Adds charging, scan lines and noise to the final-frame ideal image, quantises, appends the data bar.
    static func acquire(_ values: [Float], spec: SceneSpec, barRows: Int) -> AnyImage {
        let w = spec.width, h = spec.height
        var rng = SplitMix64.stream(spec.seed, 4)
        let phi = rng.uniform(0, 2 * .pi)
        let cx = cos(phi), cy = sin(phi)
        let maxV = Double((1 << spec.bitDepth) - 1)
        let scale = maxV / 255
        var out = [UInt16](repeating: 0, count: w * (h + barRows))
        let q = spec.shotElectronsPerLevel ?? 0
        out.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { v in
                let dst = SendablePointer(o.baseAddress!)
                parallelBands(h, minimumPerBand: 16) { rows in
                    for y in rows {
                        var r = SplitMix64.stream(spec.seed, 1000 + UInt64(y))
                        var offset = spec.scanLineSigma * r.normal()
                        if r.unit() < 0.01 { offset *= 4 }            // occasional scan glitch
                        let gy = cy * (Double(y) / Double(h) - 0.5)
                        for x in 0 ..< w {
                            var s = Double(v[y * w + x])
                            s += spec.chargingAmplitude * (cx * (Double(x) / Double(w) - 0.5) + gy) + offset
                            if q > 0 { s = r.poisson(max(0, s) * q) / q }
                            if spec.noiseSigma > 0 { s += spec.noiseSigma * r.normal() }
                            s = min(max(s, 0), 255)
                            dst.base[y * w + x] = UInt16(saturating: (s * scale).rounded())
                        }
                    }
                }
            }
        }
        if barRows > 0 { drawDataBar(&out, width: w, top: h, rows: barRows, maxValue: UInt16(saturating: maxV), spec: spec) }
        if spec.bitDepth == 8 {
            return .uint8(Image(width: w, height: h + barRows, pixels: out.map { UInt8($0) }, bitDepth: 8))
        }
        return .uint16(Image(width: w, height: h + barRows, pixels: out, bitDepth: spec.bitDepth))
    }

    /// Length of the scale bar drawn in the data bar, px (also the JEOL `$$SM_MICRON_BAR`).
    static func scaleBarPixels(_ spec: SceneSpec) -> Int {
        let target = 0.2 * Double(spec.width) * spec.pixelSizeMicrometres
        let mag = pow(10, (log10(target)).rounded(.down))
        let nice = [1.0, 2, 5, 10].map { $0 * mag }.last { $0 <= target } ?? mag
        return min(max(10, Int(saturating: (nice / spec.pixelSizeMicrometres).rounded())), spec.width / 2)
    }

    /// A dark strip with white "text" blocks and a scale bar, rows `top ..< top + rows`.
    static func drawDataBar(_ out: inout [UInt16], width w: Int, top: Int, rows: Int, maxValue: UInt16, spec: SceneSpec) {
        for i in top * w ..< (top + rows) * w { out[i] = 0 }
        let textTop = top + rows * 3 / 10, textBottom = top + rows * 7 / 10
        var x = 10, k = 0
        while x + 14 < w * 55 / 100 {
            if k % 4 != 3 {   // word gaps
                for y in textTop ..< max(textTop + 1, textBottom) { for xx in x ..< x + 14 { out[y * w + xx] = maxValue } }
            }
            x += 20; k += 1
        }
        let len = scaleBarPixels(spec)
        let x1 = w - 12, x0 = max(w * 55 / 100 + 4, x1 - len)
        let y0 = top + rows * 55 / 100, y1 = min(top + rows - 2, y0 + max(2, rows / 8))
        guard x0 < x1 else { return }                // too narrow for a scale bar
        for y in y0 ..< max(y0 + 1, y1) { for xx in x0 ..< x1 { out[y * w + xx] = maxValue } }
    }

    // MARK: EDX

    /// Concentration (0…1) of `element` in material `m`.
    static func concentration(_ element: String, _ m: UInt8, bright: Bool) -> Double {
        let mat = Material(rawValue: m) ?? .electrolyte
        switch element.lowercased() {
        case "in":
            return bright && (mat == .anode || mat == .dendrite) ? 1 : 0
        case "s", "p", "cl":
            switch mat {
            case .electrolyte, .cathodeElectrolyte: return 1
            case .pore: return 0.1
            case .cathodeActive: return 0.05
            case .cathodeCarbon: return 0.1
            default: return 0
            }
        case "ni", "co", "mn", "o":
            return mat == .cathodeActive ? 1 : 0
        case "c":
            return mat == .cathodeCarbon ? 1 : 0
        default:
            return 0
        }
    }

    /// Poisson counts of the element's block-averaged concentration over the field.
    static func renderEDX(_ e: EDXSpec, material: [UInt8], width w: Int, height h: Int, bright: Bool, seed: UInt64) -> EDXMap {
        let mw = max(1, Int(saturating: (Double(w) / Double(e.factor)).rounded())), mh = max(1, Int(saturating: (Double(h) / Double(e.factor)).rounded()))
        var lut = [Double](repeating: 0, count: 256)
        for m in 0 ..< 8 { lut[m] = concentration(e.element, UInt8(m), bright: bright) }
        var out = [UInt16](repeating: 0, count: mw * mh)
        var elementHash: UInt64 = 0
        for u in e.element.unicodeScalars { elementHash = elementHash &* 31 &+ UInt64(u.value) }
        var rng = SplitMix64.stream(seed, 5 &+ elementHash)
        let background = 0.03
        for j in 0 ..< mh {
            let y0 = j * h / mh, y1 = (j + 1) * h / mh
            for i in 0 ..< mw {
                let x0 = i * w / mw, x1 = (i + 1) * w / mw
                var sum = 0.0
                for y in y0 ..< y1 { for x in x0 ..< x1 { sum += lut[Int(material[y * w + x])] } }
                let c = sum / Double(max(1, (y1 - y0) * (x1 - x0)))
                out[j * mw + i] = UInt16(saturating: min(65535, rng.poisson(e.countsPerPixel * (c * (1 - background) + background))))
            }
        }
        return EDXMap(element: e.element, factor: e.factor, image: Image(width: mw, height: mh, pixels: out, bitDepth: 16))
    }
}

// MARK: - Gaussian blur

/// Separable Gaussian blur (σ px, kernel radius ⌈3σ⌉, replicated border) of a row-major float image.
///
/// Precondition (unchecked in the kernel): `values.count == width * height`, σ > 0.
func gaussianBlur(_ values: [Float], width w: Int, height h: Int, sigma: Double) -> [Float] {
    let r = max(1, Int(saturating: (3 * sigma).rounded(.up)))
    var k = (-r ... r).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
    let s = k.reduce(0, +)
    k = k.map { $0 / s }
    var tmp = [Float](repeating: 0, count: w * h)
    var out = [Float](repeating: 0, count: w * h)
    values.withUnsafeBufferPointer { src in
        tmp.withUnsafeMutableBufferPointer { t in
            k.withUnsafeBufferPointer { kk in
                let dst = SendablePointer(t.baseAddress!)
                parallelBands(h, minimumPerBand: 16) { rows in
                    for y in rows {
                        let row = src.baseAddress! + y * w
                        for x in 0 ..< w {
                            var acc: Float = 0
                            for d in -r ... r { acc += kk[d + r] * row[min(max(x + d, 0), w - 1)] }
                            dst.base[y * w + x] = acc
                        }
                    }
                }
            }
        }
    }
    tmp.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { o in
            k.withUnsafeBufferPointer { kk in
                let dst = SendablePointer(o.baseAddress!)
                parallelBands(h, minimumPerBand: 16) { rows in
                    for y in rows {
                        for x in 0 ..< w {
                            var acc: Float = 0
                            for d in -r ... r { acc += kk[d + r] * src[min(max(y + d, 0), h - 1) * w + x] }
                            dst.base[y * w + x] = acc
                        }
                    }
                }
            }
        }
    }
    return out
}
