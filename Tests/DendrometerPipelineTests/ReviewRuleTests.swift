import Dendrometer
import Foundation
import Testing

/// The review reasons that say "a grey threshold cannot be trusted here", each on a small hand-made
/// Li scene (dark whiskers from a dark anode along the top, electrolyte at 100) with and without the
/// feature that triggers it.
@Suite("Review reasons for a dark (Li) phase")
struct ReviewRuleTests {
    /// Six 2 px wide vertical whiskers from a dark anode 20 px thick along the top.
    static func whiskers() -> Scene {
        var s = Scene(width: 200, height: 160, side: .top, phase: 20, interface: { _ in 20 })
        for k in 0 ..< 6 {
            let u0 = 20 + 30 * k
            for v in 18 ... 90 + 8 * k { s.paint(u: u0, v: v); s.paint(u: u0 + 1, v: v) }
        }
        return s
    }

    @Test("vertical whiskers alone: neither the lateral nor the loose-material reason")
    func clean() throws {
        let r = try DendriteAnalysis.run(Self.whiskers().micrograph(pixelSizeMicrometres: 0.4))
        #expect(r.phase == "dark")
        #expect(!r.review.contains { $0.contains("runs parallel to the interface") }, "\(r.review)")
        #expect(!r.review.contains { $0.contains("loose dark material") }, "\(r.review)")
    }

    @Test("lateral dark lines joined to the whiskers (cracks): set aside as crack-like and flagged; without the separation, flagged by their share")
    func lateralCracks() throws {
        var s = Self.whiskers()
        // Two 2 px thick lateral lines joining whiskers at v = 60 and v = 75 (about 55 % of the phase).
        for u in 20 ... 172 { for v in 60 ... 61 { s.paint(u: u, v: v) }; for v in 75 ... 76 { s.paint(u: u, v: v) } }
        let r = try DendriteAnalysis.run(s.micrograph(pixelSizeMicrometres: 0.4))
        #expect(r.phase == "dark")
        #expect(r.warnings.contains { $0.contains("crack-like material") }, "\(r.warnings)")
        #expect(r.review.contains { $0.contains("loose dark material") }, "\(r.review)")
        #expect(r.orientation.lateralFraction < 0.1)
        var options = AnalysisOptions()
        options.parameters.dendrites.separateCracks = false
        let kept = try DendriteAnalysis.run(s.micrograph(pixelSizeMicrometres: 0.4), options: options)
        let reason = try #require(kept.review.first { $0.contains("runs parallel to the interface") }, "\(kept.review)")
        #expect(kept.orientation.lateralFraction > 0.1)
        #expect(reason.contains("\(Int((100 * kept.orientation.lateralFraction).rounded())) %"))
    }

    @Test("dark cracks floating in the electrolyte, a fifth of the whiskers' area: flagged as loose material")
    func looseCracks() throws {
        var s = Self.whiskers()
        // Six 2 × 24 px dark vertical slivers between the whiskers and away from the anode (v 110 … 133),
        // not rooted, too long to be pores: 288 px against about 1250 px of whiskers.
        for k in 0 ..< 6 { let u0 = 35 + 30 * k; for v in 110 ... 133 { s.paint(u: u0, v: v); s.paint(u: u0 + 1, v: v) } }
        let r = try DendriteAnalysis.run(s.micrograph(pixelSizeMicrometres: 0.4))
        #expect(r.phase == "dark")
        #expect(r.review.contains { $0.contains("loose dark material") }, "\(r.review)")
        let aside = (r.dendriteInventory?.records ?? []).filter { !$0.counted }
        #expect(aside.count == 6 && aside.allSatisfy { $0.areaPx == 48 && $0.isolated })
    }

    @Test("faint whisker tips broken into dashes at the noise level: set aside, so the depth falls short, and the reason says the error can go either way")
    func brokenTips() throws {
        var s = Self.whiskers()
        // Beyond each whisker's end (v = 90 + 8k) two 2 × 8 px dashes after 3 px gaps, in line with
        // it: what a tip thinner than the beam's spread leaves after thresholding. 192 px against
        // about 1110 px of whiskers; each dash is larger than a noise speck (13 px at σ = 1).
        for k in 0 ..< 6 {
            let u0 = 20 + 30 * k, end = 90 + 8 * k
            for start in [end + 4, end + 15] { for v in start ..< start + 8 { s.paint(u: u0, v: v); s.paint(u: u0 + 1, v: v) } }
        }
        let r = try DendriteAnalysis.run(s.micrograph(pixelSizeMicrometres: 0.4))
        #expect(r.phase == "dark")
        // The deepest whisker ends at v = 130, 110 px below the interface at v = 20; its dashes reach
        // v = 152. Only the rooted whisker is measured.
        let maxPx = try #require(r.penetration?.maxPx)
        #expect(abs(maxPx - 110) <= 1.5, "max \(maxPx) px")
        let reason = try #require(r.review.first { $0.contains("loose dark material") }, "\(r.review)")
        #expect(reason.contains("too deep") && reason.contains("too shallow"), "\(reason)")
        // It names the options that settle it, the denoising among them.
        #expect(reason.contains("--mask") && reason.contains("--denoise-sigma"), "\(reason)")
    }
}
