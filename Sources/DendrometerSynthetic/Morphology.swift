// Procedural dendrite morphologies, drawn in a "straightened" raster whose
// row h is the height above the interface (h = y_interface(x) − y in the
// canonical frame), so stripes follow the interface exactly and tongues and
// whiskers can lean along the local normal (dx/dh = slope / (1 + slope²)).
//
// Each morphology is kept physically distinct in measurable ways:
// - flame: tapered tongues along the normal, wide base (≥ 6 px, ~25 % of the
//   tongue length), half-width ∝ (1 − t)^p, ≤ 1 side branch, no loops;
// - stripe: thin (≥ 2 px) long bands parallel to the interface, spacing
//   ≥ 3 × thickness, sparse bridges (one per 20–40 spacings, half of them
//   stopping short) → few loops;
// - network: Voronoi-wall mesh around particles of 1.5–3.5 µm (≥ 9 px),
//   walls ~20 % of the cell → one hole per cell, degree-3 junctions, isotropic;
// - vertical: whiskers 2–4 px wide along the normal with small-angle branches.
// Physical sizes (µm) are converted with the pixel size and clamped to the
// minimum px sizes above so the structure stays resolvable on coarse images.

import DendrometerCore
import Foundation

// The label type is DendrometerMorphology's (one vocabulary for truth and results);
// here it only gains the compact codes stored in label rasters.
@_exported import enum DendrometerMorphology.MorphologyLabel

extension MorphologyLabel {
    /// Compact code stored in label rasters.
    var code: UInt8 {
        switch self { case .none: 0; case .flame: 1; case .stripe: 2; case .network: 3; case .vertical: 4 }
    }
    /// The label for a raster code.
    init(code: UInt8) {
        switch code { case 1: self = .flame; case 2: self = .stripe; case 3: self = .network; case 4: self = .vertical; default: self = .none }
    }
}

/// The straightened raster: `width` columns (canonical x), `height` rows of h (0 = interface).
struct StraightCanvas {
    let width: Int, height: Int
    var label: [UInt8]

    init(width: Int, height: Int) {
        self.width = width; self.height = max(1, height)
        label = [UInt8](repeating: 0, count: width * self.height)
    }

    @inline(__always) mutating func set(_ x: Int, _ h: Int, _ l: UInt8) {
        if x >= 0 && x < width && h >= 0 && h < height { label[h * width + x] = l }
    }

    /// Fills row `h` between continuous columns x0…x1 (pixel centres inside; at least the nearest pixel).
    mutating func span(h: Int, _ x0: Double, _ x1: Double, _ l: UInt8) {
        guard h >= 0 && h < height else { return }
        var a = Int(saturating: (x0).rounded(.up)), b = Int(saturating: (x1).rounded(.down))
        if a > b { a = Int(saturating: ((x0 + x1) / 2).rounded()); b = a }
        let lo = max(0, a), hi = min(width - 1, b)
        guard lo <= hi else { return }
        for x in lo ... hi { label[h * width + x] = l }
    }

    /// Fills a disc of radius r (px) centred at (cx, ch); pixel centres at (x, h + 0.5).
    mutating func disc(_ cx: Double, _ ch: Double, _ r: Double, _ l: UInt8) {
        let r = max(r, 0.5)
        let h0 = Int(saturating: (ch - r - 0.5).rounded(.down)), h1 = Int(saturating: (ch + r - 0.5).rounded(.up))
        for h in h0 ... h1 {
            let dy = Double(h) + 0.5 - ch
            let dx2 = r * r - dy * dy
            if dx2 < 0 { continue }
            let dx = dx2.squareRoot()
            span(h: h, cx - dx, cx + dx, l)
        }
    }

    /// A capsule from (x0, h0) to (x1, h1) with half-width `hw`, swept with discs every 0.5 px.
    mutating func segment(_ x0: Double, _ h0: Double, _ x1: Double, _ h1: Double, _ hw: Double, _ l: UInt8) {
        let n = max(1, Int(saturating: (hypot(x1 - x0, h1 - h0) * 2).rounded(.up)))
        for i in 0 ... n {
            let t = Double(i) / Double(n)
            disc(x0 + t * (x1 - x0), h0 + t * (h1 - h0), hw, l)
        }
    }
}

/// Draws the dendrite layouts into a ``StraightCanvas``.
struct MorphologyPainter {
    /// Pixel size, µm/px.
    let pixelSize: Double
    /// Normal lean dx/dh at column x.
    let lean: (Double) -> Double
    let seed: UInt64

    func px(_ um: Double) -> Double { um / pixelSize }

    /// Paints `layout` with a zone of height `depth` px.
    func paint(_ layout: MorphologyLayout, depth: Double, into c: inout StraightCanvas) {
        guard depth >= 3 else { return }
        switch layout {
        case .none: return
        case .fig3:
            let b1 = depth / 3, b2 = 2 * depth / 3
            network(from: 0, to: b1, into: &c)
            let top = stripes(from: b1, to: b2, bridgeDown: true, into: &c)
            flames(base: min(top, b2) - 1, top: depth, into: &c)
        case .stripe: _ = stripes(from: 0, to: depth, bridgeDown: true, into: &c)
        case .network: network(from: 0, to: depth, into: &c)
        case .flame: flames(base: 0, top: depth, into: &c)
        case .vertical: whiskers(top: depth, into: &c)
        }
    }

    // MARK: network

    /// A Voronoi-wall mesh in heights lo…hi (px).
    func network(from lo: Double, to hi: Double, into c: inout StraightCanvas) {
        var rng = SplitMix64.stream(seed, 11)
        let band = hi - lo
        let cell = max(9, min(px(rng.uniform(1.5, 3.5)), band / 2.5))
        let wallHalf = max(1.0, cell * rng.uniform(0.08, 0.12))
        let cseed = rng.next()
        // Jittered-grid seeds: one per cell of size `cell`, position from a hash.
        func seedPoint(_ i: Int, _ j: Int) -> (Double, Double) {
            (( Double(i) + 0.1 + 0.8 * hashUnit(i, j, cseed)) * cell,
             lo + (Double(j) + 0.1 + 0.8 * hashUnit(j, i, cseed ^ 0x55)) * cell)
        }
        let hLo = max(0, Int(saturating: lo)), hHi = min(c.height - 1, Int(saturating: hi.rounded(.up)))
        guard hLo <= hHi else { return }
        for h in hLo ... hHi {
            let hc = Double(h) + 0.5
            let j0 = Int(saturating: ((hc - lo) / cell).rounded(.down))
            for x in 0 ..< c.width {
                let xc = Double(x)
                let i0 = Int(saturating: (xc / cell).rounded(.down))
                var d1 = Double.infinity, d2 = Double.infinity
                for dj in -2 ... 2 {
                    for di in -2 ... 2 {
                        let (sx, sh) = seedPoint(i0 + di, j0 + dj)
                        let d = (sx - xc) * (sx - xc) + (sh - hc) * (sh - hc)
                        if d < d1 { d2 = d1; d1 = d } else if d < d2 { d2 = d }
                    }
                }
                // Distance to the bisector between the two nearest seeds ≈ (√d2 − √d1) / 2.
                if (d2.squareRoot() - d1.squareRoot()) / 2 < wallHalf { c.label[h * c.width + x] = MorphologyLabel.network.code }
            }
        }
    }

    // MARK: stripes

    /// Lateral bands in heights lo…hi (px); returns the height of the top stripe's upper edge.
    func stripes(from lo: Double, to hi: Double, bridgeDown: Bool, into c: inout StraightCanvas) -> Double {
        var rng = SplitMix64.stream(seed, 12)
        let band = hi - lo
        let spacing = max(7, min(px(rng.uniform(1.0, 2.5)), band / 3.5))
        let thick = max(2, spacing * rng.uniform(0.22, 0.33))
        let bridgeEvery = spacing * rng.uniform(20, 40)
        let l = MorphologyLabel.stripe.code
        var centres: [Double] = []
        var h = lo + spacing * 0.6
        while h + thick / 2 <= hi {
            centres.append(h + spacing * rng.uniform(-0.12, 0.12))
            h += spacing
        }
        if centres.isEmpty { centres = [(lo + hi) / 2] }
        let w = Double(c.width)
        var topEdge = lo
        for (k, hc) in centres.enumerated() {
            // A stripe row is a few long pieces separated by short gaps.
            var x = -rng.uniform(0, 0.2) * w
            let amp = spacing * rng.uniform(0.05, 0.15), wave = w * rng.uniform(0.25, 0.6), phase = rng.uniform(0, 6.28)
            while x < w {
                let len = w * rng.uniform(0.35, 0.9)
                let tilt = tan(rng.uniform(-1.2, 1.2) * .pi / 180)
                let x0 = x, x1 = x + len
                for xi in max(0, Int(saturating: x0)) ..< max(max(0, Int(saturating: x0)), min(c.width, Int(saturating: x1))) {
                    let xd = Double(xi)
                    let centre = hc + tilt * (xd - (x0 + x1) / 2) + amp * sin(2 * .pi * xd / wave + phase)
                    let half = thick / 2 * (1 + 0.2 * sin(xd / (spacing * 2.3) + phase))
                    let h0 = Int(saturating: (centre - half).rounded()), h1 = Int(saturating: (centre + half).rounded()) - 1
                    for hh in h0 ... max(h0, h1) { c.set(xi, hh, l) }
                    topEdge = max(topEdge, centre + half)
                }
                x = x1 + spacing * rng.uniform(1.0, 3.0)
            }
            // Occasional bridges down to the previous stripe (or the band below); half of them
            // stop short (spurs), so closed loops stay rare.
            let below = k > 0 ? centres[k - 1] : (bridgeDown ? lo - spacing * 0.3 : hc)
            if below < hc {
                var bx = rng.uniform(0, bridgeEvery)
                while bx < w {
                    let hw = max(0.8, thick * 0.35)
                    let reach = rng.unit() < 0.5 ? 1 : rng.uniform(0.3, 0.6)
                    let top = below + reach * (hc - below)
                    c.segment(bx, below, bx + rng.uniform(-0.3, 0.3) * spacing * reach, top, hw, l)
                    bx += bridgeEvery * rng.uniform(0.6, 1.4)
                }
            }
        }
        return topEdge
    }

    // MARK: flames

    /// Tapered tongues rising from `base` along the normal; the tallest reaches `top` (px).
    func flames(base: Double, top: Double, into c: inout StraightCanvas) {
        var rng = SplitMix64.stream(seed, 13)
        let full = top - base
        guard full > 2 else { return }
        let baseWidth = max(6, full * rng.uniform(0.18, 0.32))      // full width at the base, px
        let power = rng.uniform(0.8, 1.4)
        let l = MorphologyLabel.flame.code
        var xs: [Double] = []
        var x = rng.uniform(0, baseWidth)
        while x < Double(c.width) {
            xs.append(x)
            x += baseWidth * rng.uniform(1.4, 2.4)
        }
        guard !xs.isEmpty else { return }
        let tallest = Int(rng.next() % UInt64(xs.count))
        for (k, x0) in xs.enumerated() {
            let len = k == tallest ? full : full * rng.uniform(0.5, 0.95)
            let half0 = baseWidth / 2 * rng.uniform(0.85, 1.15)
            let leanK = lean(x0)
            let wiggle = half0 * rng.uniform(0.05, 0.2), wave = len * rng.uniform(0.6, 1.2), ph = rng.uniform(0, 6.28)
            func centre(_ h: Double) -> Double { x0 + leanK * (h - base) + wiggle * sin(2 * .pi * (h - base) / wave + ph) }
            func half(_ t: Double) -> Double { max(0.5, half0 * pow(max(0, 1 - t), power)) }
            let hEnd = base + len
            let r0 = max(0, Int(saturating: base.rounded(.down))), r1 = min(c.height, Int(saturating: hEnd.rounded(.up)))
            guard r0 < r1 else { continue }      // the tongue starts beyond the field
            for hr in r0 ..< r1 {
                let hc = Double(hr) + 0.5
                let t = (hc - base) / len
                if t > 1 { break }
                let cx = centre(hc), hw = half(max(0, t))
                c.span(h: hr, cx - hw, cx + hw, l)
            }
            // At most one short side branch, leaning away at 20–35°.
            if rng.unit() < 0.35 {
                let tb = rng.uniform(0.25, 0.5)
                let hb = base + tb * len
                let ang = rng.uniform(20, 35) * .pi / 180 * (rng.unit() < 0.5 ? -1 : 1)
                let bl = len * rng.uniform(0.2, 0.35)
                let hw0 = half(tb) * 0.5
                let n = max(2, Int(saturating: bl * 2))
                for i in 0 ... n {
                    let s = Double(i) / Double(n)
                    c.disc(centre(hb) + sin(ang) * s * bl, hb + cos(ang) * s * bl, max(0.5, hw0 * (1 - s)), l)
                }
            }
        }
    }

    // MARK: vertical whiskers

    /// Thin whiskers (2–4 px) along the normal from the interface; the tallest reaches `top` (px).
    func whiskers(top: Double, into c: inout StraightCanvas) {
        var rng = SplitMix64.stream(seed, 14)
        let width = min(4, max(2, px(rng.uniform(0.3, 0.8)).rounded()))
        let spacing = max(12, px(rng.uniform(6, 15)))
        let l = MorphologyLabel.vertical.code
        var xs: [Double] = []
        var x = rng.uniform(0, spacing)
        while x < Double(c.width) { xs.append(x); x += spacing * rng.uniform(0.6, 1.4) }
        guard !xs.isEmpty else { return }
        let tallest = Int(rng.next() % UInt64(xs.count))
        func line(_ x0: Double, _ h0: Double, _ len: Double, _ dxdh: Double, _ w: Double, _ rng: inout SplitMix64) {
            var cx = x0, drift = 0.0
            let r0 = max(0, Int(saturating: h0)), r1 = min(c.height, Int(saturating: h0 + len))
            guard r0 < r1 else { return }
            for hr in r0 ..< r1 {
                drift = max(-0.15, min(0.15, drift + rng.uniform(-0.05, 0.05)))
                cx += dxdh + drift
                let a = cx - (w - 1) / 2
                for i in 0 ..< Int(saturating: w) { c.set(Int(saturating: a.rounded()) + i, hr, l) }
            }
        }
        for (k, x0) in xs.enumerated() {
            let len = k == tallest ? top : top * rng.uniform(0.3, 0.95)
            let dx = lean(x0)
            line(x0, 0, len, dx, width, &rng)
            let branches = rng.unit() < 0.6 ? 1 + Int(rng.next() % 2) : 0
            for b in 0 ..< branches {
                let hb = len * rng.uniform(0.2, 0.7)
                let ang = rng.uniform(8, 22) * .pi / 180 * (b % 2 == 0 ? 1 : -1)
                let bl = (len - hb) * rng.uniform(0.3, 0.8)
                line(x0 + dx * hb, hb, bl, dx + tan(ang), max(1, width - 1), &rng)
            }
        }
    }
}
