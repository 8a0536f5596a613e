import DendrometerCore
import DendrometerGeometry
@testable import DendrometerPipeline
import Testing

@Suite("Li whiskers and the cracks that touch them")
struct CrackSeparationTests {
    /// 120 × 140 field, flat interface at the bottom with its boundary at v = 9.5.
    static let frame = BottomFrame(width: 120, height: 140)
    static let interface = frame.interface

    static func set(_ m: inout BinaryMask, u: ClosedRange<Int>, v: ClosedRange<Int>) { frame.paint(&m, u: u, v: v) }

    static func maxOffset(_ m: BinaryMask) -> Int {
        (0 ..< m.count).filter { m.bits[$0] != 0 }.map { 139 - $0 / 120 }.max() ?? 0
    }

    @Test("the header's worked example: a crack running sideways from a whisker tip and then up is cut at its sideways run")
    func workedExample() throws {
        var m = BinaryMask(width: 120, height: 140)
        Self.set(&m, u: 20 ... 21, v: 10 ... 70)        // whisker, 61 px tall
        Self.set(&m, u: 20 ... 60, v: 70 ... 71)        // crack: 40 px sideways at the tip …
        Self.set(&m, u: 59 ... 60, v: 70 ... 100)       // … then 30 px up
        let (kept, removed) = try DendriteAnalysis.separatingCracks(
            m, interface: Self.interface, orientation: AnalysisParameters.Orientation(), dendrites: AnalysisParameters.Dendrites())
        // The whisker stays whole; the crack's rising end goes; at most the restore steps of crack remain.
        var whisker = BinaryMask(width: 120, height: 140)
        Self.set(&whisker, u: 20 ... 21, v: 10 ... 69)
        #expect(whisker.subtracting(kept).area == 0)
        #expect(Self.maxOffset(kept) <= 71 + AnalysisParameters.Dendrites().whiskerTipRestorePx)
        #expect(removed == m.area - kept.area && removed > 60 + 30)
    }

    @Test("a straight or tilted whisker (up to 30° from the normal) and its branches stay whole")
    func whiskersStay() throws {
        var m = BinaryMask(width: 120, height: 140)
        Self.set(&m, u: 10 ... 12, v: 10 ... 120)                                    // vertical, 3 px wide
        for v in 10 ... 110 { let u = 60 + (v - 10) / 2; Self.set(&m, u: u ... u + 2, v: v ... v) }   // 27° tilt
        let (kept, removed) = try DendriteAnalysis.separatingCracks(
            m, interface: Self.interface, orientation: AnalysisParameters.Orientation(), dendrites: AnalysisParameters.Dendrites())
        #expect(removed == 0)
        #expect(kept == m)
    }

    @Test("a thin whisker on a rough foot (a 3 px high sideways bump of the anode's edge) keeps its root: nothing within 2ρ + σ = 7 px of the interface is cut")
    func thinWhiskerOnAFoot() throws {
        var m = BinaryMask(width: 120, height: 140)
        Self.set(&m, u: 14 ... 28, v: 10 ... 12)        // the foot: 15 px wide, running sideways
        Self.set(&m, u: 20 ... 21, v: 10 ... 70)        // the whisker, 2 px wide
        let orientation = AnalysisParameters.Orientation()
        #expect(DendriteAnalysis.whiskerBaseBandPx(orientation) == 7)
        let (kept, removed) = try DendriteAnalysis.separatingCracks(
            m, interface: Self.interface, orientation: orientation, dendrites: AnalysisParameters.Dendrites())
        // The foot reads as sideways, but it lies within the base band: whisker and foot stay.
        #expect(removed == 0)
        #expect(kept.area == m.area && m.subtracting(kept).area == 0)
        #expect(Self.maxOffset(kept) == 70)
    }
}
