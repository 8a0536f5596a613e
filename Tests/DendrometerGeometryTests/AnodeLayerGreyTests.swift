import DendrometerCore
import DendrometerGeometry
import Testing

@Suite("Anode layer grey against its roots")
struct AnodeLayerGreyTests {
    /// 40 × 40, anode at the bottom: layer rows 30...39 at `layer`, one root column (x 18...21,
    /// rows 20...29) at 180, electrolyte 100 elsewhere. Phase = layer + root.
    func scene(layer: Float) -> (BinaryMask, Image<Float>, Interface) {
        var mask = BinaryMask(width: 40, height: 40)
        var grey = Image<Float>(width: 40, height: 40, fill: 100)
        for y in 30 ..< 40 { for x in 0 ..< 40 { mask[x, y] = true; grey[x, y] = layer } }
        for y in 20 ..< 30 { for x in 18 ... 21 { mask[x, y] = true; grey[x, y] = 180 } }
        // v = 39 − y: the layer is v 0...9, the interface at v = 9.5.
        return (mask, grey, Interface.straight(side: .bottom, width: 40, height: 40, v0: 9.5))
    }

    @Test("a layer of the roots' grey: contrast ratio (180 − 100) / (180 − 100) = 1, a match")
    func sameMaterial() throws {
        let (mask, grey, interface) = scene(layer: 180)
        let m = try #require(AnodeLayerGrey.measure(phase: mask, grey: grey, interface: interface, rootBandPx: 12))
        #expect(m.layerGrey == 180 && m.rootGrey == 180 && m.electrolyteGrey == 100)
        #expect(m.rootPixels == 40)
        #expect(m.contrastRatio == 1)
        #expect(m.matches(minimumRatio: 0.8, minimumRootPixels: 10) == true)
        // Too few roots to judge: no verdict.
        #expect(m.matches(minimumRatio: 0.8, minimumRootPixels: 41) == nil)
    }

    @Test("a fainter layer (a collector at 150): ratio 50 / 80 = 0.625, not the roots' material; a brighter one still is")
    func fainterLayer() throws {
        let (mask, grey, interface) = scene(layer: 150)
        let m = try #require(AnodeLayerGrey.measure(phase: mask, grey: grey, interface: interface, rootBandPx: 12))
        #expect(m.contrastRatio == 0.625)
        #expect(m.matches(minimumRatio: 0.8, minimumRootPixels: 10) == false)
        // Thin roots look fainter than a solid layer of their material (blur): a layer with
        // more contrast than its roots matches.
        let (mask2, grey2, interface2) = scene(layer: 220)
        let bright = try #require(AnodeLayerGrey.measure(phase: mask2, grey: grey2, interface: interface2, rootBandPx: 12))
        #expect(bright.contrastRatio == 1.5 && bright.matches(minimumRatio: 0.8, minimumRootPixels: 10) == true)
    }

    @Test("roots beyond the band are not roots; no root at all: nothing to measure")
    func band() {
        let (mask, grey, interface) = scene(layer: 180)
        // The root column ends 10.5 px beyond the interface: a 5 px band holds its first 5 rows.
        let m = AnodeLayerGrey.measure(phase: mask, grey: grey, interface: interface, rootBandPx: 5)
        #expect(m?.rootPixels == 20)
        var bare = mask
        for y in 20 ..< 30 { for x in 18 ... 21 { bare[x, y] = false } }
        #expect(AnodeLayerGrey.measure(phase: bare, grey: grey, interface: interface, rootBandPx: 12) == nil)
    }

    @Test("what lies behind a layer that begins away from the edge: the median grey of the pixels between them")
    func backing() throws {
        // Left edge, 20 lines (rows) 30 px deep: on 15 lines the layer begins 6 px in, behind grey
        // 40 (v 0...5); on 5 lines 2 px in, behind grey 90 (v 0...1). 90 + 10 = 100 pixels: 90 of
        // them at 40, so the median is 40; the median start, 6 px, is at least 3 px: backed.
        var grey = Image<Float>(width: 30, height: 20, fill: 100)
        var starts = [Int]()
        for y in 0 ..< 20 {
            let start = y < 15 ? 6 : 2
            starts.append(start)
            for x in 0 ..< start { grey[x, y] = y < 15 ? 40 : 90 }
        }
        let backing = try #require(AnodeLayerGrey.backing(grey: grey, side: .left, layerStartPx: starts, minimumBackingPx: 3))
        #expect(backing.grey == 40 && backing.medianStartPx == 6)
        // A layer at the edge on most lines is not backed; nor is one whose lines were not all given.
        #expect(AnodeLayerGrey.backing(grey: grey, side: .left, layerStartPx: starts.map { $0 == 6 ? 0 : $0 }, minimumBackingPx: 3) == nil)
        #expect(AnodeLayerGrey.backing(grey: grey, side: .left, layerStartPx: Array(starts.prefix(10)), minimumBackingPx: 3) == nil)
    }
}
