// An indexed-colour raster for overlays: one byte per pixel and a palette of 256 colours.
//
// Method: the overlay is a grey micrograph with a few flat colours drawn on it and one
// translucent tint (the dendrite phase), so a palette holds every colour it needs (the GIF/PNG
// indexed-colour idea): a grey ramp for the micrograph, a second ramp of those greys blended
// with the tint colour, and solid colours. Drawing writes one byte per pixel instead of three,
// and the PNG encoder compresses a third of the bytes (PNG colour type 3, ISO/IEC 15948 §11.2.3).
//
// Palette layout (indices):
//   0 ..< 160    grey ramp: index k is grey round(k · 255 / 159); micrograph grey g ↦ round(g · 159 / 255)
//   160 ..< 224  tint ramp: the grey of index round(t · 159 / 63) blended with the tint colour at its alpha
//   224 ..< 256  solid colours, in order of first use (a 33rd colour takes the nearest of the 32)
// Black at alpha a darkens whatever is under it to a grey of (1 − a) × its luminance.
//
// Worked example: a micrograph grey 200 is index round(200 · 159 / 255) = 125 (grey 200.5 → 200);
// tinted with (0, 230, 255) at alpha 0.18 it becomes tint index round(125 · 63 / 159) = 50, whose
// palette entry is grey round(50 · 255 / 63) = 202 blended: (166, 207, 212).
import DendrometerCore

/// An 8-bit RGB colour.
typealias RGB = (UInt8, UInt8, UInt8)

/// One byte per pixel plus a 256-entry palette; see the file header for the layout.
struct IndexedCanvas {
    /// Entries of the grey ramp (the micrograph keeps log2(160) ≈ 7.3 bits of grey).
    static let greyLevels = 160
    /// Entries of the tinted grey ramp.
    static let tintLevels = 64
    /// First index of the solid colours.
    static let firstSolid = greyLevels + tintLevels

    let width: Int
    let height: Int
    /// Palette index of every pixel, row-major.
    var indices: [UInt8]
    /// The 256 palette entries.
    private(set) var palette: [RGB]
    private var solids: [(colour: RGB, index: UInt8)] = []
    private var tint: (colour: RGB, alpha: Double)?

    /// A canvas showing the 8-bit grey image `gray` (`width × height`, row-major).
    init(gray: [UInt8], width: Int, height: Int) {
        let toIndex = Self.greyIndex
        let indices = [UInt8](unsafeUninitializedCapacity: width * height) { dst, initialized in
            let d = SendablePointer(dst.baseAddress!)
            gray.withUnsafeBufferPointer { src in
                toIndex.withUnsafeBufferPointer { lut in
                    let s = src.baseAddress!, l = lut.baseAddress!
                    parallelBands(height, minimumPerBand: 64) { rows in
                        for i in rows.lowerBound * width ..< rows.upperBound * width { d.base[i] = l[Int(s[i])] }
                    }
                }
            }
            initialized = width * height
        }
        self.init(greyIndices: indices, width: width, height: height)
    }

    /// A canvas whose pixels are already grey-ramp indices (0 ..< ``greyLevels``, e.g. an 8-bit
    /// grey mapped through ``greyIndex``), `width × height`, row-major.
    init(greyIndices: [UInt8], width: Int, height: Int) {
        precondition(greyIndices.count == width * height, "canvas size and pixel count differ")
        self.width = width
        self.height = height
        let levels = Self.greyLevels
        palette = (0 ..< 256).map { k in
            let g = k < levels ? UInt8((k * 255 + (levels - 1) / 2) / (levels - 1)) : 0
            return (g, g, g)
        }
        indices = greyIndices
    }

    /// The grey-ramp index of every 8-bit grey g: round(g · 159 / 255).
    static let greyIndex: [UInt8] = (0 ..< 256).map { UInt8(($0 * (greyLevels - 1) + 127) / 255) }

    /// Palette as PNG PLTE bytes (r, g, b per entry).
    var paletteBytes: [UInt8] { palette.flatMap { [$0.0, $0.1, $0.2] } }

    /// The palette index of the solid colour `c` (allocated on first use).
    mutating func solidIndex(_ c: RGB) -> UInt8 {
        if let hit = solids.first(where: { $0.colour == c }) { return hit.index }
        let next = Self.firstSolid + solids.count
        if next < 256 {
            palette[next] = c
            solids.append((c, UInt8(next)))
            return UInt8(next)
        }
        // Palette full: the nearest solid colour already there.
        func distance(_ a: RGB) -> Int {
            let dr = Int(a.0) - Int(c.0), dg = Int(a.1) - Int(c.1), db = Int(a.2) - Int(c.2)
            return dr * dr + dg * dg + db * db
        }
        return solids.min { distance($0.colour) < distance($1.colour) }!.index
    }

    /// Luminance (Rec. 601) of palette entry `k`, 0…255.
    func luminance(_ k: UInt8) -> Double {
        let c = palette[Int(k)]
        return 0.299 * Double(c.0) + 0.587 * Double(c.1) + 0.114 * Double(c.2)
    }

    /// Grey-ramp index of grey `g` (0…255).
    static func greyIndex(_ g: Double) -> UInt8 {
        UInt8(saturating: (max(0, min(255, g)) * Double(greyLevels - 1) / 255).rounded())
    }

    /// Index map for drawing `c` at `alpha` over each current index (256 entries).
    ///
    /// Solid (`alpha ≥ 1`): every index maps to `c`. Black: a darker grey. Another colour: the
    /// grey ramp maps onto the tint ramp (the first such colour and alpha own it; a later,
    /// different one is drawn solid where `alpha ≥ 0.5`, else not at all); anything already
    /// tinted or solid keeps its index.
    mutating func map(_ c: RGB, alpha: Double) -> [UInt8] {
        if alpha >= 1 { return [UInt8](repeating: solidIndex(c), count: 256) }
        if alpha <= 0 { return (0 ..< 256).map { UInt8($0) } }
        if c == (0, 0, 0) { return (0 ..< 256).map { Self.greyIndex(luminance(UInt8($0)) * (1 - alpha)) } }
        if tint == nil {
            tint = (c, alpha)
            let t = Self.tintLevels
            for k in 0 ..< t {
                let g = Double((k * 255 + (t - 1) / 2) / (t - 1))
                palette[Self.greyLevels + k] = (UInt8(saturating: (g * (1 - alpha) + Double(c.0) * alpha).rounded()),
                                                UInt8(saturating: (g * (1 - alpha) + Double(c.1) * alpha).rounded()),
                                                UInt8(saturating: (g * (1 - alpha) + Double(c.2) * alpha).rounded()))
            }
        }
        if let tint, tint.colour == c, tint.alpha == alpha {
            return (0 ..< 256).map { k in
                k < Self.greyLevels ? UInt8(Self.greyLevels + (k * (Self.tintLevels - 1) + (Self.greyLevels - 1) / 2) / (Self.greyLevels - 1)) : UInt8(k)
            }
        }
        let fallback = alpha >= 0.5 ? solidIndex(c) : nil
        return (0 ..< 256).map { fallback ?? UInt8($0) }
    }

    /// Sets pixel (x, y) through `table` (from ``map(_:alpha:)``); outside the canvas: nothing.
    @inline(__always)
    mutating func set(_ x: Int, _ y: Int, through table: [UInt8]) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = y * width + x
        indices[i] = table[Int(indices[i])]
    }

    mutating func fill(_ r: PixelRectLite, _ c: RGB, alpha: Double = 1) {
        fill(r, through: map(c, alpha: alpha))
    }

    mutating func fill(_ r: PixelRectLite, through table: [UInt8]) {
        let y0 = max(0, r.y), y1 = min(height, r.y + r.h), x0 = max(0, r.x), x1 = min(width, r.x + r.w)
        guard y0 < y1, x0 < x1 else { return }   // entirely outside the canvas
        for y in y0 ..< y1 {
            for x in x0 ..< x1 { indices[y * width + x] = table[Int(indices[y * width + x])] }
        }
    }

    mutating func rectangle(_ r: PixelRectLite, _ c: RGB, thickness t: Int) {
        fill(PixelRectLite(x: r.x, y: r.y, w: r.w, h: t), c)
        fill(PixelRectLite(x: r.x, y: r.y + r.h - t, w: r.w, h: t), c)
        fill(PixelRectLite(x: r.x, y: r.y, w: t, h: r.h), c)
        fill(PixelRectLite(x: r.x + r.w - t, y: r.y, w: t, h: r.h), c)
    }

    /// A line of thickness `t` (sampled at unit steps along the longer axis, square pen).
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: RGB, thickness t: Int) {
        let steps = max(1, Int(saturating: max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)))
        let table = map(c, alpha: 1)
        for s in 0 ... steps {
            let f = Double(s) / Double(steps)
            let x = Int(saturating: (x0 + f * (x1 - x0)).rounded()), y = Int(saturating: (y0 + f * (y1 - y0)).rounded())
            fill(PixelRectLite(x: x - t / 2, y: y - t / 2, w: t, h: t), through: table)
        }
    }

    /// The canvas reduced `factor`-fold in each direction (partial blocks at the right and bottom
    /// edges included), keeping what an overlay must show: a block takes its most salient index,
    /// a solid colour (line, text, skeleton) before the tint, the tint before grey; a block of
    /// greys only takes their mean grey. One-pixel skeleton lines stay visible at any factor.
    func reduced(by factor: Int) -> IndexedCanvas {
        guard factor > 1 else { return self }
        let rw = (width + factor - 1) / factor, rh = (height + factor - 1) / factor
        var out = IndexedCanvas(gray: [UInt8](repeating: 0, count: rw * rh), width: rw, height: rh)
        out.palette = palette
        out.solids = solids
        out.tint = tint
        let levels = Self.greyLevels
        for by in 0 ..< rh {
            for bx in 0 ..< rw {
                var best: UInt8 = 0, bestRank = -1, greySum = 0, greyCount = 0
                for y in by * factor ..< min(height, (by + 1) * factor) {
                    for x in bx * factor ..< min(width, (bx + 1) * factor) {
                        let k = indices[y * width + x]
                        if Int(k) < levels { greySum += Int(k); greyCount += 1; continue }
                        let rank = Int(k) >= Self.firstSolid ? 2 : 1
                        if rank > bestRank { best = k; bestRank = rank }
                    }
                }
                out.indices[by * rw + bx] = bestRank >= 0 ? best : UInt8((greySum + greyCount / 2) / max(1, greyCount))
            }
        }
        return out
    }

    /// Interleaved RGB of the whole canvas (for thumbnails and tests).
    var rgb: [UInt8] {
        var out = [UInt8](repeating: 0, count: 3 * indices.count)
        for (i, k) in indices.enumerated() {
            let c = palette[Int(k)]
            out[3 * i] = c.0; out[3 * i + 1] = c.1; out[3 * i + 2] = c.2
        }
        return out
    }
}
