import Dendrometer
import Foundation
import Testing

/// The review reason for a maximum depth set by a loose piece far beyond the growth front.
@Suite("Review: the deepest piece is loose and far beyond the front")
struct LoosePieceReviewTests {
    /// Bright scene, anode at the bottom (interface at v = 20): ten flames 6 px wide rising 40 px
    /// from the anode (2400 px), and a loose block 8 × 8 px (64 px, 2.6 % of the phase: more than
    /// the isolated-fragment rule drops, less than the 5 % beyond the p95) whose far edge lies at
    /// v = `farEdge`.
    static func scene(farEdge: Int) -> Scene {
        var s = Scene(width: 240, height: 200, side: .bottom, interface: { _ in 20 })
        for k in 0 ..< 10 { for u in (10 + 22 * k) ... (15 + 22 * k) { for v in 18 ... 59 { s.paint(u: u, v: v) } } }
        for u in 220 ... 227 { for v in (farEdge - 7) ... farEdge { s.paint(u: u, v: v) } }
        return s
    }

    @Test("a loose block near 3 × the p95 depth is flagged, with both depths named")
    func farLoosePiece() throws {
        let r = try DendriteAnalysis.run(Self.scene(farEdge: 130).micrograph())
        let p = try #require(r.penetration)
        #expect(r.maximumFromIsolatedPiece == true)
        #expect(p.maxPx > 1.5 * p.p95Px, "max \(p.maxPx), p95 \(p.p95Px)")
        let reason = try #require(r.review.first { $0.contains("comes from a piece not connected to the anode") }, "\(r.review)")
        #expect(reason.contains(String(format: "(%.0f px)", p.maxPx)))
    }

    @Test("a loose piece just beyond the front (a tongue cut by the section) is not flagged")
    func nearLoosePiece() throws {
        let r = try DendriteAnalysis.run(Self.scene(farEdge: 66).micrograph())
        let p = try #require(r.penetration)
        #expect(r.maximumFromIsolatedPiece == true)
        #expect(p.maxPx <= 1.5 * p.p95Px, "max \(p.maxPx), p95 \(p.p95Px)")
        #expect(!r.review.contains { $0.contains("comes from a piece not connected to the anode") }, "\(r.review)")
    }
}

/// The review reason for a layer with only bumps attached and the growth beyond a gap: a mount
/// or a collector of the phase's grey found along the edge, with the anode of another grey between.
@Suite("Review: the growth lies beyond a gap, only bumps attached to the layer")
struct DetachedGrowthReviewTests {
    /// Bright (220) foil at the bottom (interface at v = 20) under a mount of grey 100 ± 4: five
    /// bumps 4 × 4 px on its edge (v 20 … 23), and eight tongues 6 px wide from v = `growthStart`
    /// to v 120. `attachedTongue` makes the first tongue start on the foil (v 20).
    static func scene(growthStart: Int, attachedTongue: Bool = false) -> Scene {
        var s = Scene(width: 240, height: 200, side: .bottom, interface: { _ in 20 })
        for k in 0 ..< 5 { for u in (8 + 48 * k) ... (11 + 48 * k) { for v in 20 ... 23 { s.paint(u: u, v: v) } } }
        for k in 0 ..< 8 {
            let start = attachedTongue && k == 0 ? 20 : growthStart
            for u in (20 + 28 * k) ... (25 + 28 * k) { for v in start ... 120 { s.paint(u: u, v: v) } }
        }
        return s
    }

    static func run(_ s: Scene) throws -> AnalysisResult {
        var options = AnalysisOptions()
        options.phase = .bright
        options.anode = .bottom
        return try DendriteAnalysis.run(s.micrograph(), options: options)
    }

    static let reason = "what is attached to the interface ends"

    @Test("bumps ending at v 23 and the tongues from v 45 (a gap of about 22 px, more than the 10 px that isolates): flagged, with both offsets")
    func detached() throws {
        let r = try Self.run(Self.scene(growthStart: 45))
        let flag = try #require(r.review.first { $0.hasPrefix(Self.reason) }, "\(r.review)")
        // The foil's last row is v 19 (its edge at 19.5): the bumps' outer row v 23 lies 3.5 px
        // beyond it, the tongues' first row v 45 25.5 px; the denoising's blur and the hysteresis
        // may move each edge by up to 2 px.
        let numbers = flag.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
        #expect(numbers.count >= 2 && abs(numbers[0] - 3.5) <= 2 && abs(numbers[1] - 25.5) <= 2, "\(flag)")
    }

    @Test("not flagged: the tongues from v 25 (a gap of about 2 px), or one tongue attached")
    func attached() throws {
        let near = try Self.run(Self.scene(growthStart: 25))
        #expect(!near.review.contains { $0.hasPrefix(Self.reason) }, "\(near.review)")
        let one = try Self.run(Self.scene(growthStart: 45, attachedTongue: true))
        #expect(!one.review.contains { $0.hasPrefix(Self.reason) }, "\(one.review)")
    }
}
