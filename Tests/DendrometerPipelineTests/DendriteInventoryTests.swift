import DendrometerCore
import DendrometerGeometry
@testable import DendrometerPipeline
import DendrometerSkeleton
import Testing

@Suite("Dendrite inventory: one record per dendrite")
struct DendriteInventoryTests {
    /// 30 × 40 field, flat interface at the bottom with its boundary at v = 9.5 (rows 30 … 39 anode).
    static let frame = BottomFrame(width: 30, height: 40)
    static let interface = frame.interface

    static func set(_ m: inout BinaryMask, u: ClosedRange<Int>, v: ClosedRange<Int>) { frame.paint(&m, u: u, v: v) }

    @Test("a 3 px bar on the interface: rooted, area, base width, depth, vertical; a lateral piece above: isolated, lateral")
    func barAndPiece() throws {
        var m = BinaryMask(width: 30, height: 40)
        Self.set(&m, u: 4 ... 6, v: 10 ... 29)              // offsets 0.5 … 19.5
        Self.set(&m, u: 15 ... 26, v: 25 ... 26)            // 12 × 2 lateral band at offset 15.5
        let graph = try SkeletonGraph(skeleton: BinaryMask(width: 30, height: 40))
        let inv = DendriteInventory.measure(counted: m, setAside: nil, interface: Self.interface, graph: graph,
                                            graphOrigin: PixelRect(x: 0, y: 0, width: 30, height: 40), rootTolerancePx: 3)
        #expect(inv.records.count == 2)
        let bar = inv.records[0], band = inv.records[1]
        #expect(bar.id == 1 && bar.counted && bar.rooted && !bar.isolated)
        #expect(bar.areaPx == 60)
        #expect(bar.baseWidthPx == 3)                        // u = 4, 5, 6 touch the interface
        #expect(abs(bar.maxDepthPx - 19.5) < 1e-9)          // top row v = 29, boundary 9.5
        #expect(abs(bar.nearestOffsetPx - 0.5) < 1e-9)
        #expect(abs(try #require(bar.orientationDegrees) - 90) < 1e-9)
        #expect(band.isolated && band.counted && band.baseWidthPx == 0 && band.areaPx == 24)
        #expect(abs(try #require(band.orientationDegrees) - 0) < 1e-9)
        // Connected depths: the bar alone. Its 60 depths are 0.5 … 19.5, three of each; the 95th
        // percentile sits at 0.95 · 59 = 56.05 between index 56 (18.5) and 57 (19.5): 18.55.
        #expect(!inv.allRooted && inv.rootedArea == 60)
        let c = try #require(inv.connected)
        #expect(abs(c.maxPx - 19.5) < 1e-6 && abs(c.p95Px - 18.55) < 1e-5 && !c.reachesCathodeOrFarEdge)
    }

    @Test("connected depths take the rooted piece's pixels only where a loose piece lies between its prongs in the same rows")
    func connectedDepthsInterleaved() throws {
        var m = BinaryMask(width: 30, height: 40)
        Self.set(&m, u: 2 ... 8, v: 10 ... 10)               // a U rooted at the interface: base row …
        Self.set(&m, u: 2 ... 2, v: 11 ... 19)               // … and two prongs
        Self.set(&m, u: 8 ... 8, v: 11 ... 19)
        Self.set(&m, u: 5 ... 5, v: 14 ... 25)               // loose, between the prongs, deeper
        let graph = try SkeletonGraph(skeleton: BinaryMask(width: 30, height: 40))
        let inv = DendriteInventory.measure(counted: m, setAside: nil, interface: Self.interface, graph: graph,
                                            graphOrigin: PixelRect(x: 0, y: 0, width: 30, height: 40), rootTolerancePx: 3)
        #expect(inv.records.count == 2 && inv.rootedArea == 25)
        // The U's 25 depths: 0.5 seven times (base row), then 1.5 … 9.5 twice each. The 95th
        // percentile sits at 0.95 · 24 = 22.8 between index 22 (8.5) and 23 (9.5): 9.3. The loose
        // piece (4.5 … 15.5) must not enter, though its pixels lie between the U's in rows 14 … 19.
        let c = try #require(inv.connected)
        #expect(abs(c.maxPx - 9.5) < 1e-6 && abs(c.p95Px - 9.3) < 1e-5)
    }

    @Test("a diagonal piece lies at 45° (rising to the right) or 135°; a square has no axis")
    func orientation() throws {
        var m = BinaryMask(width: 30, height: 40)
        for k in 0 ..< 8 { Self.set(&m, u: (2 + k) ... (2 + k), v: (10 + k) ... (10 + k)) }
        for k in 0 ..< 8 { Self.set(&m, u: (25 - k) ... (25 - k), v: (20 + k) ... (20 + k)) }
        Self.set(&m, u: 14 ... 16, v: 30 ... 32)
        let graph = try SkeletonGraph(skeleton: BinaryMask(width: 30, height: 40))
        let inv = DendriteInventory.measure(counted: m, setAside: nil, interface: Self.interface, graph: graph,
                                            graphOrigin: PixelRect(x: 0, y: 0, width: 30, height: 40), rootTolerancePx: 3)
        let byX = inv.records.sorted { $0.bbox.x < $1.bbox.x }
        #expect(abs(try #require(byX[0].orientationDegrees) - 45) < 1e-9)
        #expect(byX[1].orientationDegrees == nil)            // 3 × 3 square: isotropic
        #expect(abs(try #require(byX[2].orientationDegrees) - 135) < 1e-9)
    }

    @Test("set-aside pieces are listed after the counted ones, marked not counted; skeleton branches count per dendrite")
    func setAsideAndBranches() throws {
        var m = BinaryMask(width: 30, height: 40)
        Self.set(&m, u: 5 ... 5, v: 10 ... 25)               // 1 px wide whisker: its own skeleton
        var aside = BinaryMask(width: 30, height: 40)
        Self.set(&aside, u: 20 ... 21, v: 35 ... 36)
        let graph = try SkeletonGraph(skeleton: m)
        let inv = DendriteInventory.measure(counted: m, setAside: aside, interface: Self.interface, graph: graph,
                                            graphOrigin: PixelRect(x: 0, y: 0, width: 30, height: 40), rootTolerancePx: 3)
        #expect(inv.records.map(\.counted) == [true, false])
        #expect(inv.records.map(\.id) == [1, 2])
        #expect(inv.records[0].branches == 1)
        // One straight branch of 15 px between pixel centres: tortuosity 1.
        #expect(abs(try #require(inv.records[0].tortuosity) - 1) < 1e-9)
        #expect(inv.records[1].areaPx == 4 && inv.records[1].isolated && inv.records[1].meanWidthPx == nil)
        #expect(inv.allRooted)
    }

    @Test("the penetration from the components' own depth pass equals the penetration measured on the mask: every side, tilted interfaces, with and without a cathode")
    func penetrationFromComponents() {
        var rng = SplitMix64(seed: 2024)
        for side in AnodeSide.allCases {
            for trial in 0 ..< 4 {
                let w = 70 + trial * 9, h = 55 + trial * 7
                let length = side.length(width: w, height: h), extent = side.extent(width: w, height: h)
                // A wavy, tilted interface around a quarter of the extent.
                let knotsU = stride(from: 0.0, through: Double(length - 1), by: Double(length - 1) / 6).map { $0 }
                let knotsV = knotsU.map { Double(extent) / 4 + 0.1 * $0 + Double(rng.next() % 9) - 4 }
                let interface = Interface(side: side, width: w, height: h, knotsU: knotsU, knotsV: knotsV)
                var mask = BinaryMask(width: w, height: h)
                for k in mask.bits.indices where rng.next() % 4 == 0 { mask.bits[k] = 1 }
                for cathode in [nil, Double(extent) / 2] {
                    for contact in [3.0, 0.5] {
                        let direct = PenetrationDepth.measure(dendrites: mask, interface: interface, binWidthPx: 3,
                                                              cathodeOffsetPx: cathode, cathodeContactPx: contact)
                        let components = DendriteComponents(mask, interface: interface, rootTolerancePx: 3,
                                                            cathodeOffsetPx: cathode, cathodeContactPx: contact)
                        let shared = PenetrationDepth.measure(samples: components.depthSamples, interface: interface, binWidthPx: 3)
                        #expect(shared == direct, "\(side) trial \(trial) cathode \(String(describing: cathode)) contact \(contact)")
                        #expect(direct.dendritePixels > 0 && direct.maxPx > 0)
                    }
                }
            }
        }
    }
}
