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
