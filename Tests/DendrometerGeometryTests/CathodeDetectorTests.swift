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

    /// 40×120, interface 10.5 px above the bottom edge (bin k = v − 11); every row alternates
    /// 100 ∓ a, so its grey spread is exactly a: a = 2 in the electrolyte, 6 in the composite
    /// (v ≥ 100, bins ≥ 89), rising linearly over the ten rows v 90 … 99 in between (a composite's
    /// particles thinning out toward the electrolyte). The step's 50 % point, a = 4, is at v 94.5.
    func rampScene() -> (Image<Float>, Interface) {
        var pixels = [Float](repeating: 0, count: 40 * 120)
        for y in 0 ..< 120 {
            let v = 119 - y
            let a: Float = v >= 100 ? 6 : v >= 90 ? 2 + 4 * Float(v - 89) / 11 : 2
            for x in 0 ..< 40 { pixels[y * 40 + x] = x % 2 == 0 ? 100 - a : 100 + a }
        }
        return (Image(width: 40, height: 120, pixels: pixels), Interface.straight(side: .bottom, width: 40, height: 120, v0: 10.5))
    }

    @Test("a band whose texture ramps up begins at the step's halfway point, not where the spread ratio is first met")
    func halfwayEdge() throws {
        let (image, interface) = rampScene()
        // 5-bin running spreads (root mean a²): bin 83 3.85, 84 4.21, 85 4.57, 86 4.94, 87 5.30.
        // 2.5 × the electrolyte's 2 = 5 is met from bin 87 on; halfway between 2 and the band's
        // median 6 is 4, met from bin 84 on (the 50 % point, v 94.5, lies in bin 83.5).
        #expect(try #require(CathodeDetector.detect(texture: image, interface: interface, fringe: (0, 0))).offsetPx == 87)
        let c = try #require(CathodeDetector.detect(texture: image, interface: interface))
        #expect(c.offsetPx == 84)
        #expect(c.thicknessPx == 109 - 84)
        // The walk moves the edge by at most max(minimum px, fraction × offset): a fringe of 2 px.
        #expect(try #require(CathodeDetector.detect(texture: image, interface: interface, fringe: (2, 0))).offsetPx == 85)
        // The band is judged by its thickness from the refined edge: 25 bins (84 … 108), where
        // the spread-ratio edge alone leaves 22 (87 … 108).
        var thick = CathodeDetector.Parameters()
        thick.minimumThickness = 24
        #expect(try #require(CathodeDetector.detect(texture: image, interface: interface, parameters: thick)).offsetPx == 84)
        #expect(CathodeDetector.detect(texture: image, interface: interface, fringe: (0, 0), parameters: thick) == nil)
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

@Suite("Offset sums")
struct OffsetSumsTests {
    /// The sums as the definition reads, pixel by pixel in raster order: bin ⌊v − g(u)⌋ (capped
    /// at `extent`) of every pixel with v > g(u).
    static func reference<P: PixelSample>(_ image: Image<P>, _ interface: Interface, extent: Int) -> OffsetSums {
        var out = OffsetSums(bins: extent + 1)
        for y in 0 ..< image.height {
            var run = -1, rn = 0.0, rs = 0.0, rs2 = 0.0
            for x in 0 ..< image.width {
                let f = interface.side.frame(x: Double(x), y: Double(y), width: image.width, height: image.height)
                let g = interface.height(atU: f.u)
                guard f.v > g else { continue }
                let k = min(extent, Int(saturating: f.v - g))
                if k != run {
                    if run >= 0 { out.count[run] += rn; out.sum[run] += rs; out.sumOfSquares[run] += rs2 }
                    run = k; rn = 0; rs = 0; rs2 = 0
                }
                let value = Double(image.pixels[y * image.width + x].floatValue)
                rn += 1; rs += value; rs2 += value * value
            }
            if run >= 0 { out.count[run] += rn; out.sum[run] += rs; out.sumOfSquares[run] += rs2 }
        }
        return out
    }

    /// A wavy interface over random greys: a tooth that dips below the first rows, a tilt, and a
    /// knot at a whole height (v − g there is a whole number: a bin's edge met exactly).
    static func scene(side: AnodeSide) -> (Image<Float>, Image<UInt8>, Interface) {
        let w = 97, h = 61
        var rng = SplitMix64(seed: 21)
        let grey = (0 ..< w * h).map { _ in Float(rng.next() % 1000) / 7 }
        let bytes = (0 ..< w * h).map { _ in UInt8(rng.next() % 2) }
        let length = Double(side.length(width: w, height: h) - 1)
        let interface = Interface(side: side, width: w, height: h, knotsU: [0, 10, 0.3 * length, 0.55 * length, length],
                                  knotsV: [3, 2, -2.5, 17.75, 9.1])
        return (Image(width: w, height: h, pixels: grey), Image(width: w, height: h, pixels: bytes), interface)
    }

    /// Equal up to the rounding of a different summation order (a bin's Float sums are taken
    /// per run along a row here, pixel by pixel across rows): relative 1e-12.
    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }
    }

    @Test("Float and byte images, every side: counts and byte sums equal the pixel-by-pixel definition exactly, Float sums to rounding")
    func matchesDefinition() {
        for side in [AnodeSide.bottom, .top, .left, .right] {
            let (grey, bytes, interface) = Self.scene(side: side)
            let extent = side.extent(width: grey.width, height: grey.height)
            for cap in [extent, 20] {
                let fast = grey.pixels.withUnsafeBufferPointer { interface.offsetSums(of: $0.baseAddress!, extent: cap) }
                let slow = Self.reference(grey, interface, extent: cap)
                #expect(fast.count == slow.count && Self.close(fast.sum, slow.sum) && Self.close(fast.sumOfSquares, slow.sumOfSquares), "\(side) cap \(cap)")
                let fastBytes = bytes.pixels.withUnsafeBufferPointer { interface.offsetSums(of: $0.baseAddress!, extent: cap) }
                let slowBytes = Self.reference(bytes, interface, extent: cap)
                #expect(fastBytes.count == slowBytes.count && fastBytes.sum == slowBytes.sum
                        && fastBytes.sumOfSquares == slowBytes.sumOfSquares, "\(side) cap \(cap), bytes")
            }
        }
    }

    @Test("a grey threshold read in place sums exactly what its 0/1 mask sums, both polarities, every side (NaN never phase)")
    func thresholdIndicator() {
        for side in [AnodeSide.bottom, .top, .left, .right] {
            var (grey, _, interface) = Self.scene(side: side)
            grey.pixels[5] = .nan
            let extent = side.extent(width: grey.width, height: grey.height)
            // 71.3 is no Float (the test runs on the largest Float below it); 1e40 is beyond Float.
            for (threshold, bright) in [(71.0, true), (71.0, false), (142.5, true), (-1.0, false), (71.3, true), (71.3, false), (1e40, true), (1e40, false)] {
                // The mask `segment(grey, threshold:polarity:)` makes: above the threshold (bright) or at or below it.
                let mask = Image(width: grey.width, height: grey.height, pixels: grey.pixels.map { v -> UInt8 in
                    !v.isNaN && (Double(v) > threshold) == bright ? 1 : 0
                })
                let fromMask = mask.pixels.withUnsafeBufferPointer { interface.offsetSums(of: $0.baseAddress!, extent: extent) }
                let inPlace = grey.pixels.withUnsafeBufferPointer {
                    interface.offsetSums(of: ThresholdIndicator(values: $0.baseAddress!, threshold: threshold, bright: bright), extent: extent)
                }
                #expect(inPlace.count == fromMask.count && inPlace.sum == fromMask.sum && inPlace.sumOfSquares == fromMask.sumOfSquares,
                        "\(side) \(threshold) \(bright)")
            }
        }
    }

    @Test("the cathode band from a grey threshold read in place is the band of its mask")
    func greyPassingBand() throws {
        let (image, interface) = CathodeDetectorTests().scene()
        // Speckle is 40 or 160 on electrolyte at 98…102: the bright speckle above 130 is the raw phase.
        let mask = BinaryMask(width: image.width, height: image.height, normalizedBits: image.pixels.map { $0 > 130 ? 1 : 0 })
        let fromMask = try #require(CathodeDetector.detect(in: mask, interface: interface))
        let inPlace = try #require(CathodeDetector.detect(greyPassing: 130, bright: true, in: image, interface: interface))
        #expect(inPlace == fromMask)
        // The band begins where the speckle does: v = 95, bin ⌊95 − 10.5⌋ = 84 (the running mean
        // of about half bright speckle passes 0.3 from bin 85 on; the walk back stops at bin 83,
        // which holds none).
        #expect(inPlace.offsetPx == 84)
    }
}
