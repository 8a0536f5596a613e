import DendrometerCore
@testable import DendrometerGeometry
import Testing

@Suite("Anode edge from the solid layer's grey")
struct SolidLayerEdgeTests {
    /// A `width` × 160 field with the anode at the bottom: foil rows v < 40 (grey `foil`), then up
    /// to v < `meshTop` a mesh of foil and electrolyte (where `meshHole(x, v)`; by default 2-px
    /// checks, mean halfway), electrolyte (`electrolyte`) beyond. ±3 deterministic noise.
    static func scene(width w: Int = 96, foil: Float = 200, electrolyte: Float = 100, meshTop: Int = 70, collectorBelow: Int = 0,
                      collector: Float = 150, meshHole: (Int, Int) -> Bool = { x, v in (x / 2 + v / 2) % 2 != 0 }) -> Image<Float> {
        let h = 160
        var rng = SplitMix64(seed: 17)
        var pixels = [Float](repeating: 0, count: w * h)
        for y in 0 ..< h {
            for x in 0 ..< w {
                let v = h - 1 - y
                let noise = Float(Int(rng.next() % 7) - 3)
                let base: Float
                if v < collectorBelow { base = collector }
                else if v < 40 { base = foil }
                else if v < meshTop { base = meshHole(x, v) ? electrolyte : foil }
                else { base = electrolyte }
                pixels[y * w + x] = base + noise
            }
        }
        return Image(width: w, height: h, pixels: pixels)
    }

    static func flat(_ v: Double) -> Interface { Interface.straight(side: .bottom, width: 96, height: 160, v0: v) }

    @Test("the worked example: a foil at 225 under 54 rows averaging 184 ends 53.5 px below the interface")
    func workedExample() throws {
        let rows: [Double?] = [Double](repeating: 225, count: 100) + [Double](repeating: 184, count: 54)
        let positions = (0 ..< rows.count).map { Double($0 - (rows.count - 1)) }
        // Foil rows spread by their noise (10); the network's rows mix foil and electrolyte (50).
        let spreads: [Double?] = [Double](repeating: 10, count: 100) + [Double](repeating: 50, count: 54)
        let edge = try #require(SolidLayerEdge.edgeOffset(rows: rows, spreads: spreads, positions: positions, electrolyte: 95, parameters: .init()))
        #expect(abs(edge - -53.5) < 1e-9)
        // The same grey profile with rows as uniform as the foil's is a layer of another material.
        let uniform: [Double?] = [Double](repeating: 10, count: 154)
        #expect(SolidLayerEdge.edgeOffset(rows: rows, spreads: uniform, positions: positions, electrolyte: 95, parameters: .init()) == nil)
    }

    @Test("a sparse mesh keeps a solid mean but is rough: 20 such rows on the foil are mesh; 8 are the edge's own transition")
    func sparseMeshProfile() throws {
        // Foil 225 (spread 6) under rows averaging 215, within the 15 % tolerance of the foil–
        // electrolyte contrast (solid from 205.5), but spreading 30: a few particles per row.
        func profile(meshRows: Int) -> (rows: [Double?], spreads: [Double?], positions: [Double]) {
            let rows: [Double?] = [Double](repeating: 225, count: 100) + [Double](repeating: 215, count: meshRows)
            let spreads: [Double?] = [Double](repeating: 6, count: 100) + [Double](repeating: 30, count: meshRows)
            return (rows, spreads, (0 ..< rows.count).map { Double($0 - (rows.count - 1)) })
        }
        let sparse = profile(meshRows: 20)
        // The foil's last row is 20 rows below the interface; the step's midpoint (220) lies half a
        // row beyond it.
        let edge = try #require(SolidLayerEdge.edgeOffset(rows: sparse.rows, spreads: sparse.spreads, positions: sparse.positions,
                                                          electrolyte: 95, parameters: .init()))
        #expect(abs(edge - -19.5) < 1e-9)
        let thin = profile(meshRows: 8)
        #expect(SolidLayerEdge.edgeOffset(rows: thin.rows, spreads: thin.spreads, positions: thin.positions, electrolyte: 95, parameters: .init()) == nil)
        // With the rough rows no rougher than the foil, the mean alone decides: no mesh.
        let smooth: [Double?] = [Double](repeating: 6, count: 120)
        #expect(SolidLayerEdge.edgeOffset(rows: sparse.rows, spreads: smooth, positions: sparse.positions, electrolyte: 95, parameters: .init()) == nil)
    }

    @Test("a sparse mesh on the foil (one pixel in sixteen electrolyte) read as layer: the knots move down to the foil")
    func sparseMeshOnFoil() throws {
        // 384 px wide, so each knot's window (±24 columns) holds about three electrolyte pixels in
        // every mesh row: means of about 194 (solid from 185), spreads of about 25 against 2.
        let w = 384, h = 160
        let grey = Self.scene(width: w, meshHole: { x, v in (x + 3 * v) % 16 == 0 })
        let threshold = Interface.straight(side: .bottom, width: w, height: h, v0: 69.5)
        let refined = try #require(SolidLayerEdge.refine(threshold, grey: grey, phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(refined.movedKnots == 2)
        for v in refined.interface.knotsV { #expect(abs(v - 39.5) <= 0.75, "knot at \(v)") }
        // By the mean alone (the rough rows never enough) the mesh's rows are foil and nothing moves.
        var meanOnly = SolidLayerEdge.Parameters()
        meanOnly.sparseMeshMinimumRows = .max
        let unmoved = try #require(SolidLayerEdge.refine(threshold, grey: grey, phaseIsBright: true, electrolyteGrey: 100,
                                                         windowFraction: 1.0 / 16, parameters: meanOnly))
        #expect(unmoved.movedKnots == 0)
    }

    @Test("a mesh on the foil read as layer by the threshold: every knot moves down to the foil's edge")
    func meshOnFoil() throws {
        // The threshold's layer ends at the mesh's top (v 69.5); the foil's last row is v = 39.
        let refined = try #require(SolidLayerEdge.refine(Self.flat(69.5), grey: Self.scene(), phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(refined.movedKnots == 2)
        for v in refined.interface.knotsV { #expect(abs(v - 39.5) <= 0.75) }
        #expect(abs(refined.largestShiftPx - 30) <= 0.75)
    }

    @Test("a collector behind the foil (fainter) does not stand for the foil's grey")
    func collectorBehind() throws {
        let image = Self.scene(collectorBelow: 12)
        let refined = try #require(SolidLayerEdge.refine(Self.flat(69.5), grey: image, phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        for v in refined.interface.knotsV { #expect(abs(v - 39.5) <= 0.75) }
    }

    @Test("a uniform collector brighter than the foil behind it is not taken for the foil")
    func brighterCollectorBehind() throws {
        // Collector 240 for v < 20, foil 200 for v 20 … 39, no mesh: the interface at the foil's edge stays.
        let image = Self.scene(meshTop: 40, collectorBelow: 20, collector: 240)
        let refined = try #require(SolidLayerEdge.refine(Self.flat(39.5), grey: image, phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(refined.movedKnots == 0)
    }

    @Test("no mesh: the interface at the foil's edge stays where it is")
    func bareEdge() throws {
        let image = Self.scene(meshTop: 40)
        let refined = try #require(SolidLayerEdge.refine(Self.flat(39.5), grey: image, phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(refined.movedKnots == 0)
        #expect(refined.interface.knotsV == [39.5, 39.5])
    }

    @Test("a layer of the foil's grey right up to the interface (a flame base) moves nothing")
    func solidToTheInterface() throws {
        // The foil reaches v 69 (a wide base of the same material); the interface sits on it.
        let image = Self.scene(meshTop: 40).mapRows { v, x, value in v < 70 && v >= 40 ? 200 + (value - 100) : value }
        let refined = try #require(SolidLayerEdge.refine(Self.flat(69.5), grey: image, phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(refined.movedKnots == 0)
    }

    @Test("an interface running out of the image (steep tilt, heights below the edge) is left alone where no row is inside")
    func interfaceOutOfTheImage() throws {
        // From v = −40 at u = 0 to v = 69.5 at the far end: the left windows see no layer at all.
        let tilted = Interface(side: .bottom, width: 96, height: 160, knotsU: [0, 47.5, 95], knotsV: [-40, 14.75, 69.5])
        let refined = try #require(SolidLayerEdge.refine(tilted, grey: Self.scene(), phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(refined.interface.knotsV[0] == -40)
        #expect(refined.interface.knotsV[1] == 14.75)
        // The last window's rows follow the tilted curve (1.15 px per px over its 7 columns) across
        // the flat foil edge at 39.5: the step is smeared over that tilt, not lost.
        #expect(refined.interface.knotsV[2] >= 39.5 - 1 && refined.interface.knotsV[2] <= 39.5 + 1.15 * 6)
    }

    @Test("a dark phase: off by default, and mirrored grey gives the bright result when enabled")
    func darkPhase() throws {
        let bright = Self.scene()
        let dark = Image(width: bright.width, height: bright.height, pixels: bright.pixels.map { 300 - $0 })
        let off = SolidLayerEdge.refine(Self.flat(69.5), grey: dark, phaseIsBright: false, electrolyteGrey: 200, windowFraction: 1.0 / 16)
        #expect(off == nil)
        var p = SolidLayerEdge.Parameters()
        p.darkPhase = true
        let on = try #require(SolidLayerEdge.refine(Self.flat(69.5), grey: dark, phaseIsBright: false, electrolyteGrey: 200, windowFraction: 1.0 / 16, parameters: p))
        let reference = try #require(SolidLayerEdge.refine(Self.flat(69.5), grey: bright, phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(on.movedKnots == 2)
        #expect(on.interface.knotsV == reference.interface.knotsV)
    }

    @Test("another side: the same scene rotated so the anode is on the left gives the same knots")
    func leftSide() throws {
        let bottom = Self.scene()
        // Rotate: anode at the left, frame (u, v) = (y, x).
        var pixels = [Float](repeating: 0, count: bottom.count)
        for y in 0 ..< bottom.height {
            for x in 0 ..< bottom.width {
                let (u, v) = AnodeSide.bottom.framePosition(x: x, y: y, width: bottom.width, height: bottom.height)
                pixels[AnodeSide.left.index(u: u, v: v, width: bottom.height, height: bottom.width)] = bottom.pixels[y * bottom.width + x]
            }
        }
        let left = Image(width: bottom.height, height: bottom.width, pixels: pixels)
        let a = try #require(SolidLayerEdge.refine(Self.flat(69.5), grey: bottom, phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        let b = try #require(SolidLayerEdge.refine(Interface.straight(side: .left, width: 160, height: 96, v0: 69.5), grey: left,
                                                   phaseIsBright: true, electrolyteGrey: 100, windowFraction: 1.0 / 16))
        #expect(a.movedKnots == 2)
        #expect(a.interface.knotsV == b.interface.knotsV)
    }

    /// Eight knots 10 px apart: knots 0–2 show no row of the foil's grey (brightest 150 where the
    /// foil, found under the mesh at knots 4–7 at grey 200, is solid from 185 on an electrolyte at
    /// 100), knot 3 straddles the point where the foil leaves (brightest 190, no edge found), knots
    /// 4–7 had their edge found on the line v = −10 + 0.5 u (`offset` = −10), which leaves the field
    /// (v < 0) before knot 0.
    static func leavingProfiles(noFoil: Set<Int> = [0, 1, 2]) -> [SolidLayerEdge.KnotProfile] {
        (0 ..< 8).map { k in
            var q = SolidLayerEdge.KnotProfile(knot: k, reachesFieldEdge: true)
            q.rowsSeen = 20
            if k >= 4 { q.edge = -30; q.layerGrey = 200; q.brightestRow = 205 }
            else { q.brightestRow = noFoil.contains(k) ? 150 : 190; q.layerGrey = q.brightestRow }
            return q
        }
    }
    static let leavingU = (0 ..< 8).map { 10 * Double($0) }
    static func leavingV(offset: Double = -10) -> [Double] { (0 ..< 8).map { k in k >= 4 ? offset + 5 * Double(k) : 80 } }
    static let leavingV = leavingV()

    @Test("a foil leaving the field under the mesh: knots 0–4 carried on along the line of knots 5–7 (v = −10 + 0.5 u)")
    func carriedOutOfView() throws {
        var knotsV = Self.leavingV
        // The first found knot reads the thinning foil's edge low: it is carried too, not fitted.
        knotsV[4] -= 3
        let carried = try #require(SolidLayerEdge.carriedOutOfView(Self.leavingProfiles(), knotsU: Self.leavingU, knotsV: knotsV,
                                                                   electrolyte: 100, parameters: .init()))
        #expect(carried.count == 5 && carried.lastInView == 5)
        for k in 0 ..< 8 { #expect(abs(carried.knotsV[k] - (-10 + 0.5 * Self.leavingU[k])) < 1e-9, "knot \(k)") }
        // The same knots on the line v = 10 + 0.5 u, which stays inside the field: the foil is in
        // view there (fainter), so nothing is carried.
        #expect(SolidLayerEdge.carriedOutOfView(Self.leavingProfiles(), knotsU: Self.leavingU, knotsV: Self.leavingV(offset: 10),
                                                electrolyte: 100, parameters: .init()) == nil)
    }

    @Test("nothing is carried when the foil is seen at the end knot, short of the field's edge, in view over three knots before the first found one, or at both ends")
    func notCarried() {
        let p = SolidLayerEdge.Parameters()
        // No-foil knots only in the middle: knot 0 shows the foil's grey.
        #expect(SolidLayerEdge.carriedOutOfView(Self.leavingProfiles(noFoil: [1, 2]), knotsU: Self.leavingU, knotsV: Self.leavingV,
                                                electrolyte: 100, parameters: p) == nil)
        // The profile at knot 0 does not reach the field's edge: the foil may lie deeper.
        var short = Self.leavingProfiles()
        short[0].reachesFieldEdge = false
        #expect(SolidLayerEdge.carriedOutOfView(short, knotsU: Self.leavingU, knotsV: Self.leavingV, electrolyte: 100, parameters: p) == nil)
        // Three knots of foil in view (brightest 190) between the one without foil and the first
        // found one: more than the two windows that can straddle the point where a foil leaves.
        #expect(SolidLayerEdge.carriedOutOfView(Self.leavingProfiles(noFoil: [0]), knotsU: Self.leavingU, knotsV: Self.leavingV,
                                                electrolyte: 100, parameters: p) == nil)
        // No foil at either end.
        var both = Self.leavingProfiles()
        both[7] = both[0]
        both[7].knot = 7
        #expect(SolidLayerEdge.carriedOutOfView(both, knotsU: Self.leavingU, knotsV: Self.leavingV, electrolyte: 100, parameters: p) == nil)
    }
}

private extension Image where Pixel == Float {
    /// The image with `transform(v, x, value)` applied to every pixel (v: rows from the bottom edge).
    func mapRows(_ transform: (Int, Int, Float) -> Float) -> Image<Float> {
        var out = self
        for y in 0 ..< height { for x in 0 ..< width { out.pixels[y * width + x] = transform(height - 1 - y, x, pixels[y * width + x]) } }
        return out
    }
}
