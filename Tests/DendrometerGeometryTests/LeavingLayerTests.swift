import DendrometerCore
@testable import DendrometerGeometry
import Testing

/// The header's worked example: a foil 120 px thick at u = 0 thinning by 0.2 px per line to leave
/// the field at u = 600 of a 1000-line edge, a network 0–16 px deep along the edge beyond it.
private func leavingThickness(lines: Int = 1000, thickAt: Double = 120, slope: Double = 0.2) -> [Double] {
    (0 ..< lines).map { u in
        let foil = thickAt - slope * Double(u)
        return foil > 0 ? foil : Double((u * 7) % 17)
    }
}

@Suite("Anode layer leaving the field")
struct LeavingLayerTests {
    let p = InterfaceDetector.Parameters()

    @Test("the header's example: the ramp's first half of the edge is the layer in view, its 10th percentile 30 px")
    func workedExample() throws {
        let t = leavingThickness()
        let lines = try #require(InterfaceDetector.leavingLayer(thickness: t, parameters: p))
        // Blocks 0–7 of 16 (62.5 lines each) are at least 0.2 of the thickest; block 8 (median
        // 13.8 px) is not: lines 0 ..< 500.
        #expect(lines == 0 ..< 500)
        // 120 − 0.2 u over u < 500: its 10th percentile lies at u ≈ 450, 30 px; the whole edge's
        // (40 % of it network, 0–16 px) is a few px.
        #expect(abs(quantile(Array(t[lines]), 0.10) - 30) < 0.5)
        #expect(quantile(t, 0.10) < 4)
    }

    @Test("a foil leaving through the other end is found from that end")
    func otherEnd() throws {
        let t = Array(leavingThickness().reversed())
        #expect(try #require(InterfaceDetector.leavingLayer(thickness: t, parameters: p)) == 500 ..< 1000)
    }

    @Test("a foil along the whole edge does not leave the field")
    func wholeEdge() {
        #expect(InterfaceDetector.leavingLayer(thickness: (0 ..< 1000).map { 50 + 0.02 * Double($0) }, parameters: p) == nil)
        // Nor does the detector say so of a flat layer.
        #expect(InterfaceDetector.detect(in: anodeMask(width: 120, height: 80, side: .top, layer: { _ in 20 })).leavingLayerShare == nil)
    }

    @Test("a foil seen over less than a third of the edge is not told from dendrites at the edge")
    func corner() {
        // 40 px thinning by 0.16 px per line (9°), in view over u < 250 (a quarter): block medians
        // 35, 25, 15, then 5 below the floor (7): 3 blocks of 16, fewer than the 6 a third needs.
        #expect(InterfaceDetector.leavingLayer(thickness: leavingThickness(thickAt: 40, slope: 0.16), parameters: p) == nil)
    }

    @Test("a ramp steeper than a section's tilt (20°) is the electrolyte's bulk, not a foil")
    func steep() {
        // 1500 px falling by 2.5 px per line (68°) to leave the field at u = 600.
        #expect(InterfaceDetector.leavingLayer(thickness: leavingThickness(thickAt: 1500, slope: 2.5), parameters: p) == nil)
    }

    @Test("a layer that thickens again before it thins away does not leave the field steadily")
    func thickensAgain() {
        var t = leavingThickness()
        // Lines 250–311 (block 4) 40 px thicker than the ramp: more than 5 % of 120 above block 3.
        for u in 250 ..< 312 { t[u] += 40 }
        #expect(InterfaceDetector.leavingLayer(thickness: t, parameters: p) == nil)
    }

    @Test("the rule off: no layer leaves")
    func off() {
        var q = p
        q.leavingFloorFraction = 0
        #expect(InterfaceDetector.leavingLayer(thickness: leavingThickness(), parameters: q) == nil)
    }

    @Test("a tilted foil leaving the field with stubs of phase along the edge beyond: its side, and its edge carried on out of view")
    func detectsTheSide() throws {
        // 300 × 200, anode at the bottom thinning from 50 px by 0.25 px per px (14°), leaving the
        // field at u = 200; beyond it 3-px stubs 6 px deep every 8 px (dendrites at the edge).
        let g: (Double) -> Double = { 50 - 0.25 * $0 }
        var mask = anodeMask(width: 300, height: 200, side: .bottom, layer: g)
        for u in stride(from: 204, to: 300, by: 8) {
            for du in 0 ..< 3 { for v in 0 ..< 6 { mask.bits[AnodeSide.bottom.index(u: u + du, v: v, width: 300, height: 200)] = 1 } }
        }
        let d = InterfaceDetector.detect(in: mask)
        #expect(d.side == .bottom)
        // The whole edge's 10th percentile is 0 (a third of its lines hold no foil); the lines in
        // view (blocks 0–8: u < 168) score 50 − 0.25 × 151 ≈ 12 px.
        #expect(d.layerLines[.bottom] == 0 ..< 168)
        #expect(abs((d.leavingLayerShare ?? 0) - 168.0 / 300) < 1e-12)
        #expect(abs((d.sideScores[.bottom] ?? 0) - 12.2) < 1)
        let i = try #require(d.interface)
        // Layer pixels end half a pixel inside g(u): the interface at g(u) − 0.5 where the foil
        // is in view, and below the field's edge (v < 0) beyond where it leaves.
        for u in stride(from: 0.0, through: 160, by: 20) {
            #expect(abs(i.height(atU: u) - (g(u) - 0.5)) <= 1.0, "u=\(u): \(i.height(atU: u))")
        }
        #expect(i.height(atU: 280) < 0)
    }
}
