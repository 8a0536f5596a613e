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

    /// The same scene with a uniform layer of another grey at the far end (v ≥ 110): a current
    /// collector (175) behind the composite, or a layer of the electrolyte's own grey (100).
    func sceneWithBacking(grey: Float) -> (Image<Float>, Interface) {
        var (image, interface) = scene()
        for y in 0 ..< 10 { for x in 0 ..< 80 { image.pixels[y * 80 + x] = grey } }
        return (image, interface)
    }

    @Test("a collector behind the composite is skipped: the band is still found where it begins")
    func backing() throws {
        let (image, interface) = sceneWithBacking(grey: 175)
        let c = try #require(CathodeDetector.detect(texture: image, interface: interface))
        #expect(abs(c.offsetPx - 84) <= 2)
        // The band is bins 84 … 98 (v 95 … 109); the collector's bins 99 … 108 are not in it,
        // except the two next to the band, whose 5-bin running spread includes band bins.
        #expect(c.offsetPx + c.thicknessPx <= 99 + 2)
        #expect(c.offsetPx + c.thicknessPx >= 99)
    }

    @Test("a far layer of the electrolyte's grey is not skipped (the band must begin at the far end then)")
    func electrolyteIsNoBacking() {
        let (image, interface) = sceneWithBacking(grey: 100)
        #expect(CathodeDetector.detect(texture: image, interface: interface) == nil)
    }

    @Test("no cathode in a uniform electrolyte")
    func none() {
        var rng = SplitMix64(seed: 3)
        let image = Image<Float>(width: 60, height: 90, pixels: (0 ..< 60 * 90).map { _ in 100 + Float(rng.next() % 5) })
        #expect(CathodeDetector.detect(texture: image, interface: Interface.straight(side: .top, width: 60, height: 90, v0: 8)) == nil)
        #expect(CathodeDetector.detect(in: BinaryMask(width: 60, height: 90), interface: Interface.straight(side: .top, width: 60, height: 90, v0: 8)) == nil)
    }
}

@Suite("Cathode band: particles, not the dendrite mesh")
struct CathodeRootedShareTests {
    /// 40 × 60 field, flat interface at the bottom (boundary v = 9.5); band from offset 30 (v ≥ 39.5).
    static let interface = Interface(side: .bottom, width: 40, height: 60, knotsU: [0, 39], knotsV: [9.5, 9.5])

    static func share(_ m: BinaryMask) -> Double {
        let labels = labelComponentsForTest(m)
        let (nearest, _) = interface.componentOffsets(labels: labels.labels, componentCount: labels.count)
        return CathodeLayer(offsetPx: 30, thicknessPx: 20, phaseFraction: 0.5)
            .rootedShare(labels: labels.labels, nearestOffsets: nearest, interface: interface, rootTolerancePx: 3)
    }

    static func set(_ m: inout BinaryMask, u: ClosedRange<Int>, v: ClosedRange<Int>) {
        for vv in v { for uu in u { m[uu, 59 - vv] = true } }
    }

    @Test("separate particles in the band: 0; a mesh rising from the anode into it: 1; a whisker touching one particle: that particle's share")
    func shares() {
        var particles = BinaryMask(width: 40, height: 60)
        for k in 0 ..< 5 { Self.set(&particles, u: (2 + 8 * k) ... (5 + 8 * k), v: 45 ... 48) }   // 5 particles of 16 px
        #expect(Self.share(particles) == 0)
        var mesh = particles
        for k in 0 ..< 5 { Self.set(&mesh, u: (3 + 8 * k) ... (3 + 8 * k), v: 10 ... 48) }        // each joined to the anode
        #expect(Self.share(mesh) == 1)
        var shorted = particles
        Self.set(&shorted, u: 3 ... 3, v: 10 ... 44)                                               // one whisker reaches one particle
        // Band pixels (v ≥ 40): the whisker's 5 (v 40 … 44) + 5 × 16 particle px; rooted: 5 + 16.
        #expect(abs(Self.share(shorted) - 21.0 / 85.0) < 1e-12)
    }
}

/// 8-connected labels by plain flood fill (an independent reference for these tests): 0 background,
/// 1 … count in raster order of first pixel.
func labelComponentsForTest(_ m: BinaryMask) -> (labels: [Int32], count: Int) {
    var labels = [Int32](repeating: 0, count: m.count)
    var count: Int32 = 0
    for start in 0 ..< m.count where m.bits[start] != 0 && labels[start] == 0 {
        count += 1
        labels[start] = count
        var stack = [start]
        while let p = stack.popLast() {
            let x = p % m.width, y = p / m.width
            for dy in -1 ... 1 {
                for dx in -1 ... 1 {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < m.width, ny < m.height else { continue }
                    let q = ny * m.width + nx
                    if m.bits[q] != 0 && labels[q] == 0 { labels[q] = count; stack.append(q) }
                }
            }
        }
    }
    return (labels, Int(count))
}
