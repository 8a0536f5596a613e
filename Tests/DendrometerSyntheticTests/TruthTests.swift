import DendrometerCore
import Foundation
import Testing
@testable import DendrometerSynthetic

/// A quiet spec (no noise) of `w × h` px at 1 µm/px for analytic truth tests.
func quietSpec(_ w: Int, _ h: Int, side: AnodeSide = .bottom, tilt: Double = 0, anode: Double = 8,
               layout: MorphologyLayout = .none, zone: Double = 0, seed: UInt64 = 1) -> SceneSpec {
    SceneSpec(seed: seed, width: w, height: h, pixelSizeMicrometres: 1, anodeSide: side, tiltDegrees: tilt,
              anodeThicknessMicrometres: anode, layout: layout, zoneDepthMicrometres: zone, noiseSigma: 0,
              blurSigmaPixels: 0, scanLineSigma: 0, chargingAmplitude: 0, vendor: .none)
}

/// Brute-force reference: the distance from (x, y) to the polyline `pts`, over every segment.
func bruteDistance(_ x: Double, _ y: Double, _ pts: [[Double]]) -> Double {
    var best = Double.infinity
    for i in 0 ..< pts.count - 1 {
        let ax = pts[i][0], ay = pts[i][1], bx = pts[i + 1][0], by = pts[i + 1][1]
        let dx = bx - ax, dy = by - ay
        let t = min(max(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0), 1)
        best = min(best, hypot(ax + t * dx - x, ay + t * dy - y))
    }
    return best
}

@Suite("Ground truth")
struct TruthTests {
    @Test("flat interface at a known row and one vertical bar: depths 1…19 px, max 19, p95 18.2, front mean 57/63")
    func flatBar() throws {
        // 64 × 48 field, anode 8 px → interface row 48 − 1 − 8 = 39. The bar fills heights
        // 0 ..< 20 in columns 30…32, i.e. rows 20…39; row 39 lies on the interface (depth 0,
        // not a dendrite pixel), so depths are 1…19 in three columns: 57 pixels.
        // p95 (numpy.percentile linear): position 0.95 × 56 = 53.2 between sorted[53] = 18
        // and sorted[54] = 19 → 18.2. front_mean: 63 one-px bins along the 63-px polyline;
        // bins 30, 31, 32 hold 19 → 57 / 63.
        let scene = try SceneRenderer.render(quietSpec(64, 48)) { c in
            for h in 0 ..< 20 { for x in 30 ... 32 { c.set(x, h, MorphologyLabel.vertical.code) } }
        }
        let t = scene.truth
        #expect(t.interfacePoints.allSatisfy { $0[1] == 39 })
        #expect(t.dendriteAreaPixels == 57)
        #expect(t.maxDepthPixels == 19)
        #expect(abs(t.p95DepthPixels - 18.2) < 1e-9)
        #expect(abs(t.frontMeanDepthPixels - 57.0 / 63.0) < 1e-9)
        #expect(!t.shortCircuit)
        for y in 0 ..< 48 {
            for x in 0 ..< 64 {
                #expect(scene.dendriteMask[x, y] == ((30 ... 32).contains(x) && (20 ... 38).contains(y)))
                #expect(scene.anodeMask[x, y] == (y > 39))
            }
        }
        // Bands of 19/3 px: bottom holds depths 1…6, middle 7…12, top 13…19.
        #expect(t.regions.map(\.name) == ["bottom", "middle", "top"])
        #expect(t.regions.map(\.dendritePixels) == [18, 18, 21])
        // A band needs ≥ 20 dendrite pixels to get a label (documented rule); the top band has 21.
        #expect(t.regions.map(\.label) == [.none, .none, .vertical])
        #expect(t.regions[2].bbox == PixelRect(x: 30, y: 20, width: 3, height: 7))
    }

    @Test("tilted straight interface: depth of a known pixel is the perpendicular distance to the line")
    func tiltedPixel() throws {
        let tilt = 5.0
        let scene = try SceneRenderer.render(quietSpec(65, 64, tilt: tilt)) { c in c.set(32, 10, MorphologyLabel.flame.code) }
        let t = scene.truth
        // The interface is the straight line through the first and last vertices, at the spec's angle.
        let a = t.interfacePoints.first!, b = t.interfacePoints.last!
        #expect(abs(atan2(b[1] - a[1], b[0] - a[0]) * 180 / .pi - tilt) < 1e-9)
        #expect(abs(t.interfaceAngleDegrees - tilt) < 1e-3)
        // Exactly one dendrite pixel, in column 32, 10 ≤ y_line(32) − y < 11.
        let hits = (0 ..< 64).flatMap { y in (0 ..< 65).compactMap { x in scene.dendriteMask[x, y] ? (x, y) : nil } }
        #expect(hits.count == 1)
        let (x, y) = hits[0]
        #expect(x == 32)
        let yLine = a[1] + (b[1] - a[1]) * (32 - a[0]) / (b[0] - a[0])
        #expect((10 ..< 11).contains(yLine - Double(y)))
        // Hand formula: vertical gap × cos(tilt).
        let expected = (yLine - Double(y)) * cos(tilt * .pi / 180)
        #expect(abs(t.maxDepthPixels - expected) < 1e-9)
        #expect(abs(t.p95DepthPixels - expected) < 1e-9)
    }

    @Test("rotating the scene to each side keeps max, p95, front mean and labels exactly; masks are rotations",
          arguments: [MorphologyLayout.fig3, .vertical])
    func rotationInvariance(layout: MorphologyLayout) throws {
        func spec(_ side: AnodeSide) -> SceneSpec {
            var s = quietSpec(96, 96, side: side, tilt: 7, layout: layout, zone: 60, seed: 42)
            s.curvature = 0.02
            s.pixelSizeMicrometres = 0.5
            s.anodeThicknessMicrometres = 6
            return s
        }
        let scenes = try AnodeSide.allCases.map { try render(spec($0)) }
        let ref = scenes[0].truth
        #expect(ref.dendriteAreaPixels > 100)
        for s in scenes {
            #expect(s.truth.maxDepthPixels == ref.maxDepthPixels)
            #expect(s.truth.p95DepthPixels == ref.p95DepthPixels)
            #expect(s.truth.frontMeanDepthPixels == ref.frontMeanDepthPixels)
            #expect(s.truth.dendriteAreaPixels == ref.dendriteAreaPixels)
            #expect(s.truth.regions.map(\.label) == ref.regions.map(\.label))
            // Independent check: brute-force distance from every mask pixel to the final polyline.
            var maxD = 0.0
            for y in 0 ..< 96 { for x in 0 ..< 96 where s.dendriteMask[x, y] {
                maxD = max(maxD, bruteDistance(Double(x), Double(y), s.truth.interfacePoints))
            } }
            #expect(abs(maxD - ref.maxDepthPixels) < 1e-9)
        }
        // bottom → left is a clockwise quarter turn: left(x, y) = bottom(y, 95 − x).
        let bottom = scenes[0].dendriteMask, top = scenes[1].dendriteMask, left = scenes[2].dendriteMask, right = scenes[3].dendriteMask
        for y in 0 ..< 96 {
            for x in 0 ..< 96 {
                #expect(left[x, y] == bottom[y, 95 - x])
                #expect(right[x, y] == bottom[95 - y, x])
                #expect(top[x, y] == bottom[95 - x, 95 - y])
            }
        }
        // The anode lies along the requested edge.
        #expect(scenes[0].anodeMask[48, 95] && scenes[1].anodeMask[48, 0] && scenes[2].anodeMask[0, 48] && scenes[3].anodeMask[95, 48])
    }

    @Test("dendrite pixels all have positive depth and never touch the anode mask (property over seeds)")
    func maskInvariants() throws {
        for seed in UInt64(1) ... 4 {
            var s = quietSpec(80, 80, side: AnodeSide.allCases[Int(seed) % 4], tilt: Double(seed) * 2 - 5,
                              layout: [.fig3, .stripe, .network, .flame][Int(seed) - 1], zone: 30, seed: seed)
            s.pixelSizeMicrometres = 0.5
            let scene = try render(s)
            var overlap = 0, nonPositive = 0
            for y in 0 ..< 80 { for x in 0 ..< 80 where scene.dendriteMask[x, y] {
                if scene.anodeMask[x, y] { overlap += 1 }
                if bruteDistance(Double(x), Double(y), scene.truth.interfacePoints) <= 0 { nonPositive += 1 }
            } }
            #expect(overlap == 0 && nonPositive == 0)
            #expect(scene.truth.dendriteAreaPixels == scene.dendriteMask.area)
        }
    }

    @Test("no dendrites: zero depths, no regions; a cathode reached by dendrites is a short circuit")
    func noneAndShort() throws {
        let none = try render(quietSpec(64, 64))
        #expect(none.truth.maxDepthPixels == 0 && none.truth.regions.isEmpty && none.truth.morphology == .none)
        var s = quietSpec(64, 64, anode: 8, layout: .flame, zone: 40)
        s.electrolyteThicknessMicrometres = 30
        #expect(try render(s).truth.shortCircuit)
        s.electrolyteThicknessMicrometres = 50
        #expect(try !render(s).truth.shortCircuit)
    }

    @Test("Fig. 3 layout: network next to the anode, stripes in the middle, flames at the front")
    func fig3Bands() throws {
        let b = BenchmarkSet.scenes.first { $0.name == "b12_fig3_fei_small_top16" }!
        let t = try render(b.spec).truth
        #expect(t.regions.map(\.label) == [.network, .stripe, .flame])
    }
}

@Suite("Robustness")
struct RobustnessTests {
    @Test("random specs (tiny fields, zones deeper than the field, every layout, side and vendor) render with consistent truth")
    func randomSpecs() throws {
        var rng = SplitMix64(seed: 2024)
        for _ in 0 ..< 40 {
            func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
            let w = 16 + Int(rng.next() % 60), h = 16 + Int(rng.next() % 60)
            let spec = SceneSpec(seed: rng.next(), width: w, height: h,
                                 pixelSizeMicrometres: pick([0.05, 0.3, 1, 2]), anodeSide: pick(AnodeSide.allCases),
                                 tiltDegrees: Double(Int(rng.next() % 21)) - 10, curvature: pick([-0.05, 0, 0.05]),
                                 anodeThicknessMicrometres: pick([0.1, 5, 100]),
                                 electrolyteThicknessMicrometres: pick([nil, 3, 50]), polarity: pick(PhasePolarity.allCases),
                                 layout: pick(MorphologyLayout.allCases), zoneDepthMicrometres: pick([0, 2, 30, 5000]),
                                 shotElectronsPerLevel: pick([nil, 0.5]), blurSigmaPixels: pick([0, 2]),
                                 bitDepth: pick([8, 12, 16]), vendor: pick([.fei, .zeiss, .jeol, .none]),
                                 edx: [EDXSpec(element: "In", factor: pick([2, 8]))])
            let s = try render(spec)
            let t = s.truth
            #expect(t.dendriteAreaPixels == s.dendriteMask.area)
            #expect(t.maxDepthPixels >= t.p95DepthPixels && t.p95DepthPixels >= 0 && t.frontMeanDepthPixels <= t.maxDepthPixels)
            #expect(t.regions.count == (t.dendriteAreaPixels > 0 ? 3 : 0))
            #expect(s.image.width == w && s.image.height == h + spec.dataBarRows)
            #expect(s.edxMaps[0].image.width >= 1 && s.edxMaps[0].image.height >= 1)
        }
    }
}
