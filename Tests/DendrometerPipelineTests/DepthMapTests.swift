import Dendrometer
import Testing

/// The per-pixel depth map of `--save-masks` (`<stem>.depth.tif`), and its in-place form that writes
/// into a larger raster (the full image, data-bar rows included).
@Suite("Dendrite depth map")
struct DepthMapTests {
    @Test("a bar at 0.5 µm/px over a flat interface: depths in µm on the bar's pixels, NaN elsewhere; the in-place form places the same values at an origin")
    func barDepthsAndPlacement() throws {
        // Anode below v = 30 (pixel edges), bar u 40…45 from the anode to v = 70. Bottom anode in a
        // 100 × 100 scene: interface at y = 69.5 (pixel centres); bar pixel (x, y) lies 69.5 − y px
        // deep, (69.5 − y) / 2 µm; the deepest row, v = 70, is y = 29: 20.25 µm.
        var s = Scene(width: 100, height: 100, side: .bottom, interface: { _ in 30 })
        for u in 40 ... 45 { for v in 28 ... 70 { s.paint(u: u, v: v) } }
        let r = try DendriteAnalysis.run(s.micrograph(pixelSizeMicrometres: 0.5))
        let map = try #require(r.dendriteDepthMap())
        let dendrites = r.dendrites
        #expect(map.width == 100 && map.height == 100)
        for i in 0 ..< map.pixels.count {
            if dendrites.bits[i] != 0 { #expect(!map.pixels[i].isNaN) } else { #expect(map.pixels[i].isNaN) }
        }
        // Each value is the interface's depth of that pixel, px, times 0.5 µm/px; the found interface
        // lies within 1.5 px of the drawn one (as in the tilted-bar test), so the deepest is 20.25 ± 0.75 µm.
        let interface = try #require(r.interface)
        for i in 0 ..< map.pixels.count where dendrites.bits[i] != 0 {
            #expect(map.pixels[i] == Float(interface.depth(x: Double(i % 100), y: Double(i / 100)) * 0.5))
        }
        let deepest = try #require(map.pixels.filter { !$0.isNaN }.max())
        #expect(abs(Double(deepest) - 20.25) <= 0.75, "deepest \(deepest) µm")

        // The same values written in place into a 107-wide raster at (x 3, y 5), untouched elsewhere.
        let stride = 107, origin = (x: 3, y: 5)
        var big = [Float](repeating: -1, count: stride * 110)
        let wrote = big.withUnsafeMutableBufferPointer { r.writeDendriteDepths(into: $0, rowStride: stride, origin: origin) }
        #expect(wrote)
        for y in 0 ..< 110 {
            for x in 0 ..< stride {
                let fx = x - origin.x, fy = y - origin.y
                let inside = fx >= 0 && fy >= 0 && fx < 100 && fy < 100
                let expected: Float = inside && !map.pixels[fy * 100 + fx].isNaN ? map.pixels[fy * 100 + fx] : -1
                #expect(big[y * stride + x] == expected, "(\(x), \(y))")
            }
        }
    }
}
