import DendrometerCore
@testable import DendrometerGeometry
import Foundation
import Testing

@Suite("Sharpest turn of an interface")
struct InterfaceTurnTests {
    /// 17 knots one spacing (781 / 16 px) apart along a 782-px left edge, at heights `v`.
    static func knots(_ v: [Double]) -> Interface {
        Interface(side: .left, width: 1264, height: 782, knotsU: (0 ..< v.count).map { Double($0) * 781 / 16 }, knotsV: v)
    }

    @Test("the header's example: the bound for a 782-px edge is 65.3°; a step 84 → 13 after a rise 75 → 84 turns 65.9°")
    func workedExample() throws {
        let limit = try #require(InterfaceDetector.Parameters().smoothEdgeTurnLimitDegrees(length: 782))
        // 2 atan(2 × 15.64 / 48.8125), by hand.
        #expect(abs(limit - 65.305) < 0.001)
        var v = [Double](repeating: 75, count: 17)
        v[8] = 84
        for k in 9 ..< 17 { v[k] = 13 + 17 * Double(k - 9) / 8 }
        let turn = try #require(Self.knots(v).sharpestTurn)
        // atan(9 / 48.8125) = 10.447°, atan(−71 / 48.8125) = −55.491°.
        #expect(turn.knot == 8)
        #expect(abs(turn.degrees - 65.938) < 0.001)
        #expect(turn.degrees > limit)
    }

    @Test("a foil edge bowing by 20 px over 782 px turns by under 1° between stretches")
    func bow() throws {
        let v = (0 ..< 17).map { k -> Double in
            let u = Double(k) * 781 / 16
            return 60 + 4 * 20 * u * (781 - u) / (781 * 781)
        }
        let turn = try #require(Self.knots(v).sharpestTurn)
        // Each stretch's slope changes by 8 × 20 / 16² = 0.625 / 16 px per px: about 0.73°.
        #expect(turn.degrees < 1 && turn.degrees > 0.5)
    }

    @Test("a straight tilted edge does not turn; two knots have no turn")
    func straight() throws {
        let tilted = Interface.straight(side: .bottom, width: 400, height: 300, v0: 20, slope: 0.3)
        #expect(tilted.sharpestTurn == nil)
        let v = (0 ..< 17).map { 20 + 0.3 * Double($0) * 781 / 16 }
        #expect(try #require(Self.knots(v).sharpestTurn).degrees < 1e-9)
    }

    @Test("the bound: 2 px of departure at least (a 60-px edge: 2 atan(2 × 2 / 3.6875)); nil below three knots")
    func bound() throws {
        let p = InterfaceDetector.Parameters()
        #expect(abs(try #require(p.smoothEdgeTurnLimitDegrees(length: 60)) - 2 * atan(4 / (59.0 / 16)) * 180 / .pi) < 1e-9)
        var two = p
        two.knots = 2
        #expect(two.smoothEdgeTurnLimitDegrees(length: 782) == nil)
        #expect(p.smoothEdgeTurnLimitDegrees(length: 1) == nil)
    }
}
