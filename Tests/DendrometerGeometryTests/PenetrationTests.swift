import DendrometerCore
@testable import DendrometerGeometry
import Testing

@Suite("Penetration depth")
struct PenetrationTests {
    @Test("vertical bar on a flat interface: max = top pixel's height above the interface")
    func verticalBar() {
        // 40×50 image, interface 10.5 px above the bottom edge (rows 39...49 are anode, v 0...10).
        // Bar: columns 5...7, rows 20...38 → v from 11 to 29 → depths 0.5 ... 18.5.
        var mask = BinaryMask(width: 40, height: 50)
        for y in 20 ... 38 { for x in 5 ... 7 { mask[x, y] = true } }
        let i = Interface.straight(side: .bottom, width: 40, height: 50, v0: 10.5)
        let p = PenetrationDepth.measure(dendrites: mask, interface: i, binWidthPx: 5)
        #expect(p.maxPx == 18.5)
        // 57 depths: each of 0.5, 1.5, ..., 18.5 three times, so sorted index i holds
        // ⌊i/3⌋ + 0.5. The 95th percentile sits at position 0.95·56 = 53.2, between
        // index 53 (17.5) and 54 (18.5): 17.5 + 0.2 · 1.0 = 17.7.
        #expect(abs(p.p95Px - (17.5 + 0.2 * 1.0)) < 1e-9)
        // Front: 3 of 40 positions reach 18.5 → mean 3·18.5/40.
        #expect(abs(p.frontMeanPx - 3 * 18.5 / 40) < 1e-9)
        #expect(!p.shortCircuit)
        #expect(p.dendritePixels == 57)
        // First bin (depth 0–5): 5 rows × 3 columns of dendrite over 5 rows × 40 columns.
        #expect(abs(p.profile[0].areaFraction - 15.0 / 200) < 1e-9)
    }

    @Test("a dendrite through to the far edge is a short circuit")
    func shortCircuit() {
        var mask = BinaryMask(width: 20, height: 30)
        for y in 0 ... 20 { mask[3, y] = true }
        let i = Interface.straight(side: .bottom, width: 20, height: 30, v0: 8.5)
        #expect(PenetrationDepth.measure(dendrites: mask, interface: i, binWidthPx: 4).shortCircuit)
    }

    @Test("touching the far edge makes the depths lower bounds; with a cathode in view the edge is not a short circuit")
    func farEdge() {
        var mask = BinaryMask(width: 20, height: 30)
        for y in 0 ... 20 { mask[3, y] = true }                      // rows 0 … 20: v = 29 … 9
        let i = Interface.straight(side: .bottom, width: 20, height: 30, v0: 8.5)
        let p = PenetrationDepth.measure(dendrites: mask, interface: i, binWidthPx: 4, cathodeOffsetPx: 40)
        #expect(p.reachesFarEdge)
        #expect(!p.shortCircuit)                                     // the cathode begins beyond the image
        var short = BinaryMask(width: 20, height: 30)
        for y in 5 ... 20 { short[3, y] = true }
        #expect(!PenetrationDepth.measure(dendrites: short, interface: i, binWidthPx: 4).reachesFarEdge)
    }

    @Test("a dendrite touches the cathode within the contact distance of its edge, not beyond it")
    func cathodeContact() {
        // Interface at v = 8.5 (offset = v − 8.5); the bar's last pixel is row 4, v = 25: offset 16.5.
        var mask = BinaryMask(width: 20, height: 30)
        for y in 4 ... 20 { mask[3, y] = true }
        let i = Interface.straight(side: .bottom, width: 20, height: 30, v0: 8.5)
        // Cathode from offset 19: 2.5 px away, within the default 3 px.
        #expect(PenetrationDepth.measure(dendrites: mask, interface: i, binWidthPx: 4, cathodeOffsetPx: 19).shortCircuit)
        // From offset 20: 3.5 px away, beyond 3 px, within 4 px.
        #expect(!PenetrationDepth.measure(dendrites: mask, interface: i, binWidthPx: 4, cathodeOffsetPx: 20).shortCircuit)
        #expect(PenetrationDepth.measure(dendrites: mask, interface: i, binWidthPx: 4, cathodeOffsetPx: 20, cathodeContactPx: 4).shortCircuit)
    }

    @Test("no dendrites: zeros, no short circuit")
    func empty() {
        let i = Interface.straight(side: .left, width: 30, height: 20, v0: 5)
        let p = PenetrationDepth.measure(dendrites: BinaryMask(width: 30, height: 20), interface: i, binWidthPx: 2)
        #expect(p.maxPx == 0 && p.p95Px == 0 && p.frontMeanPx == 0 && !p.shortCircuit && p.dendritePixels == 0)
    }

    @Test("the same bar measured from every side gives the same depths", arguments: AnodeSide.allCases)
    func sides(_ side: AnodeSide) {
        let w = 40, h = 40
        var mask = BinaryMask(width: w, height: h)
        for u in 10 ... 12 { for v in 9 ... 25 {
            let p = side.image(u: Double(u), v: Double(v), width: w, height: h)
            mask[Int(p.x), Int(p.y)] = true
        } }
        let i = Interface.straight(side: side, width: w, height: h, v0: 8.5)
        let p = PenetrationDepth.measure(dendrites: mask, interface: i, binWidthPx: 4)
        #expect(p.maxPx == 16.5)
        #expect(abs(p.frontMeanPx - 3 * 16.5 / 40) < 1e-9)
    }

    @Test("electrolyte side keeps only pixels beyond the interface")
    func electrolyteSide() {
        let full = BinaryMask(rows: ["####", "####", "####", "####"])
        let i = Interface.straight(side: .top, width: 4, height: 4, v0: 1.5)   // rows 0,1 anode
        #expect(i.electrolyteSide(of: full).rows == ["....", "....", "####", "####"])
    }
}

@Suite("Electrolyte side (fast path vs definition)")
struct ElectrolyteSideTests {
    @Test("equals depth > 0 pixel by pixel on random masks, every side, tilted and bent", arguments: AnodeSide.allCases)
    func matchesDefinition(_ side: AnodeSide) {
        var rng = SplitMix64(seed: 77)
        for _ in 0 ..< 5 {
            let w = 20 + Int(rng.next() % 30), h = 20 + Int(rng.next() % 30)
            var mask = BinaryMask(width: w, height: h)
            for i in mask.bits.indices where rng.next() % 2 == 0 { mask.bits[i] = 1 }
            let length = Double(side.length(width: w, height: h) - 1)
            let interface = Interface(side: side, width: w, height: h, knotsU: [0, length / 2, length],
                                      knotsV: [5.3, 9.75, 4.0 + Double(rng.next() % 7)])
            let fast = interface.electrolyteSide(of: mask)
            for y in 0 ..< h { for x in 0 ..< w {
                let expected = mask[x, y] && interface.depth(x: Double(x), y: Double(y)) > 0
                #expect(fast[x, y] == expected, "\(side) (\(x), \(y))")
            } }
        }
    }
}
