import DendrometerCore
import DendrometerGeometry
@testable import DendrometerPipeline
import Testing

@Suite("Cracks carrying on from Li whisker tips")
struct TipCracksTests {
    /// 80 × 460 field, flat interface at the bottom with its boundary at v = 9.5.
    static let frame = BottomFrame(width: 80, height: 460)

    /// Highest row (v) of `m` holding a pixel.
    static func top(_ m: BinaryMask) -> Int {
        (0 ..< m.count).filter { m.bits[$0] != 0 }.map { frame.height - 1 - $0 / frame.width }.max() ?? 0
    }

    /// A needle at u = 40 from the interface (v = 10) to v = `tip`, 2r + 1 px wide with r
    /// tapering linearly from `base` to `tipHalfWidth` px.
    static func needle(_ m: inout BinaryMask, tip: Int, base: Double, tipHalfWidth: Double) {
        for v in 10 ... tip {
            let t = Double(v - 10) / Double(tip - 10)
            let r = Int((base + t * (tipHalfWidth - base)).rounded())
            frame.paint(&m, u: 40 - r ... 40 + r, v: v ... v)
        }
    }

    static func separate(_ m: BinaryMask) throws -> (kept: BinaryMask, removed: Int) {
        try DendriteAnalysis.separatingTipCracks(m, interface: frame.interface, dendrites: AnalysisParameters.Dendrites())
    }

    @Test("the header's example: a crack 7 px wide (w = 4) carrying on from a needle's 3-px tip (w = 2) is removed; the needle stays")
    func crackFromTip() throws {
        var m = Self.frame.mask()
        Self.needle(&m, tip: 310, base: 8, tipHalfWidth: 1)
        Self.frame.paint(&m, u: 37 ... 43, v: 311 ... 430)     // the crack: 120 px long, 7 px wide
        let (kept, removed) = try Self.separate(m)
        var whole = Self.frame.mask()
        Self.needle(&whole, tip: 300, base: 8, tipHalfWidth: 1)
        // The needle up to 10 px below its tip stays; of the crack at most the tip restore remains.
        #expect(whole.subtracting(kept).area == 0)
        #expect(Self.top(kept) <= 310 + AnalysisParameters.Dendrites().whiskerTipRestorePx + 2, "top \(Self.top(kept))")
        #expect(removed == m.area - kept.area && removed >= 7 * 110)
    }

    @Test("absurd lengths and windows from a parameter file neither trap nor allocate")
    func absurdParameters() throws {
        var m = Self.frame.mask()
        Self.needle(&m, tip: 310, base: 8, tipHalfWidth: 1)
        Self.frame.paint(&m, u: 37 ... 43, v: 311 ... 430)
        var p = AnalysisParameters.Dendrites()
        p.tipCrackMinimumLengthPx = Int.max
        p.tipWidthWindowPx = Int.max
        p.whiskerBaseLengthPx = Int.max
        let (kept, removed) = try DendriteAnalysis.separatingTipCracks(m, interface: Self.frame.interface, dendrites: p)
        #expect(removed == 0 && kept == m)
    }

    @Test("a needle without a crack, and a whisker of constant width, lose nothing")
    func whiskersStay() throws {
        var needle = Self.frame.mask()
        Self.needle(&needle, tip: 400, base: 8, tipHalfWidth: 1)
        #expect(try Self.separate(needle).removed == 0)
        var bar = Self.frame.mask()
        Self.frame.paint(&bar, u: 39 ... 41, v: 10 ... 420)
        #expect(try Self.separate(bar).removed == 0)
    }

    @Test("a crack barely wider than the tip (5 px wide, w = 3, over a 3-px tip, w = 2: less than T = 4) stays")
    func slightWideningStays() throws {
        var m = Self.frame.mask()
        Self.needle(&m, tip: 310, base: 8, tipHalfWidth: 1)
        Self.frame.paint(&m, u: 38 ... 42, v: 311 ... 430)     // 5 px wide
        #expect(try Self.separate(m).removed == 0)
    }

    @Test("thin whiskers going on beyond a short wide crossing are not a crack (most of what lies beyond is thin)")
    func crossingStays() throws {
        var m = Self.frame.mask()
        Self.needle(&m, tip: 200, base: 8, tipHalfWidth: 1)
        Self.frame.paint(&m, u: 37 ... 43, v: 201 ... 225)     // a 25-px wide knot (a crossing) …
        for v in 226 ... 420 {                                 // … and two thin whiskers beyond it
            let d = (v - 226) / 6
            Self.frame.paint(&m, u: 38 - d ... 38 - d, v: v ... v)
            Self.frame.paint(&m, u: 42 + d ... 42 + d, v: v ... v)
        }
        let (kept, removed) = try Self.separate(m)
        #expect(removed == 0)
        #expect(Self.top(kept) == 420)
    }
}

@Suite("A skeleton's territory in its mask")
struct SkeletonTerritoryTests {
    @Test("the mask nearer to the marked skeleton pixels than to the others is removed, whatever its width")
    func territory() {
        // A 3 × 9 bar with its middle row as skeleton; the right four skeleton pixels are marked.
        let mask = BinaryMask(rows: ["#########", "#########", "#########"])
        let skeleton = BinaryMask(rows: [".........", "#########", "........."])
        let marked = [14, 15, 16, 17]   // (5…8, 1)
        let out = DendriteAnalysis.removingTerritory(of: marked, skeleton: skeleton, from: mask)
        for y in 0 ..< 3 {
            for x in 0 ..< 9 {
                if x <= 4 { #expect(out[x, y], "(\(x), \(y)) kept") }
                if x >= 6 { #expect(!out[x, y], "(\(x), \(y)) removed") }
            }
        }
        #expect(!out[5, 1])
        // A wide blob on a short skeleton goes whole, without a per-pixel disk.
        var blob = BinaryMask(width: 60, height: 60), spine = BinaryMask(width: 60, height: 60)
        for y in 0 ..< 60 { for x in 0 ..< 60 { blob[x, y] = true } }
        for x in 10 ..< 50 { spine[x, 30] = true }
        let gone = DendriteAnalysis.removingTerritory(of: (10 ..< 50).map { 30 * 60 + $0 }, skeleton: spine, from: blob)
        #expect(gone.area == 0)
    }
}
