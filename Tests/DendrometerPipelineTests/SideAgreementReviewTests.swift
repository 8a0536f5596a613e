import Dendrometer
import Foundation
import Testing

/// The review reason for a phase whose own layer (found when the phase was chosen) lies along
/// another edge than the interface: entered at the measurement stage with a hand-made
/// segmentation record, as a user's own segmenter would.
@Suite("Review: the phase's own layer and the interface on different edges")
struct SideAgreementReviewTests {
    /// 200 × 160 bright scene: a thick uniform layer along the top (a collector, 40 px) and the
    /// anode along the bottom (12 px) with six 4-px flames 50 px tall rising from it. The phase
    /// mask holds both layers, as a threshold that takes the collector in would.
    static func record(layerSide: AnodeSide) throws -> (PhaseSegmentation, PreparedField, Micrograph) {
        var s = Scene(width: 200, height: 160, side: .bottom, interface: { _ in 12 })
        for u in 0 ..< 200 { for v in 120 ..< 160 { s.paint(u: u, v: v) } }
        for k in 0 ..< 6 { for u in (20 + 30 * k) ... (23 + 30 * k) { for v in 10 ... 62 { s.paint(u: u, v: v) } } }
        let micrograph = s.micrograph()
        let field = try DendriteAnalysis.prepare(micrograph)
        let bits = s.pixels.map { $0 > 160 ? UInt8(1) : 0 }
        var seg = PhaseSegmentation(phase: BinaryMask(width: 200, height: 160, bits: bits), appearance: .bright,
                                    method: .threshold(160), reason: "test", texture: field.denoised)
        seg.hypotheses = [PhaseHypothesis(appearance: .bright, side: layerSide, layerThicknessPx: 12, greySpread: 0.02, score: 1, chosen: true),
                          PhaseHypothesis(appearance: .dark, side: nil, layerThicknessPx: 0, greySpread: nil, score: 0, chosen: false)]
        return (seg, field, micrograph)
    }

    @Test("the phase's layer at the bottom, the interface drawn along the thicker top layer: flagged, naming both edges")
    func disagree() throws {
        let (seg, field, micrograph) = try Self.record(layerSide: .bottom)
        let r = try DendriteAnalysis.measure(seg, field: field, micrograph: micrograph)
        #expect(r.interface?.side == .top)
        let reason = try #require(r.review.first { $0.contains("phase's own layer") }, "\(r.review)")
        #expect(reason.contains("bottom edge") && reason.contains("top edge"))
    }

    @Test("both on the same edge: not flagged")
    func agree() throws {
        let (seg, field, micrograph) = try Self.record(layerSide: .top)
        let r = try DendriteAnalysis.measure(seg, field: field, micrograph: micrograph)
        #expect(r.interface?.side == .top)
        #expect(!r.review.contains { $0.contains("phase's own layer") }, "\(r.review)")
    }
}
