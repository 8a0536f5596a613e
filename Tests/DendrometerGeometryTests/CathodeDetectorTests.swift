import DendrometerCore
@testable import DendrometerGeometry
import Testing

@Suite("Cathode detection")
struct CathodeDetectorTests {
    /// 80×120 image, anode interface 10.5 px above the bottom edge; electrolyte rows with ±2
    /// noise; the top 25 rows (v 95…119, offsets ≥ 84.5 above the interface) speckled ±60.
    func scene() -> (Image<Float>, Interface) {
        var rng = SplitMix64(seed: 9)
        var pixels = [Float](repeating: 0, count: 80 * 120)
        for y in 0 ..< 120 {
            for x in 0 ..< 80 {
                let v = 119 - y
                let noise = Float(Int(rng.next() % 5) - 2)
                pixels[y * 80 + x] = v >= 95 ? (rng.next() % 2 == 0 ? 40 : 160) : 100 + noise
            }
        }
        return (Image(width: 80, height: 120, pixels: pixels), Interface.straight(side: .bottom, width: 80, height: 120, v0: 10.5))
    }

    @Test("a speckled far band is found from texture where it begins")
    func texture() throws {
        let (image, interface) = scene()
        let c = try #require(CathodeDetector.detect(texture: image, interface: interface))
        // Offsets are binned as ⌊v − 10.5⌋: the band starts at v = 95 → bin 84; the 5-bin
        // running spread starts to rise two bins earlier.
        #expect(abs(c.offsetPx - 84) <= 2)
    }

    @Test("no cathode in a uniform electrolyte")
    func none() {
        var rng = SplitMix64(seed: 3)
        let image = Image<Float>(width: 60, height: 90, pixels: (0 ..< 60 * 90).map { _ in 100 + Float(rng.next() % 5) })
        #expect(CathodeDetector.detect(texture: image, interface: Interface.straight(side: .top, width: 60, height: 90, v0: 8)) == nil)
        #expect(CathodeDetector.detect(in: BinaryMask(width: 60, height: 90), interface: Interface.straight(side: .top, width: 60, height: 90, v0: 8)) == nil)
    }
}
