// Isolated fragments beyond the dendrite front.
//
// Physics. Dendrites grow from the anode; in a 2D section their pieces need
// not touch each other (a stripe band, a needle leaving the section plane),
// but the growth fills the depth range continuously: band follows band,
// tongue follows tongue. A few pixels of phase far beyond everything else —
// a polishing speck, a misread grain or crack, debris on the surface — are not
// the front, yet one of them alone sets the maximum depth and may even read as
// a short circuit.
//
// Rule. Order the dendrite components (8-connected) by their nearest offset
// above the interface and walk outward from the anode, extending the depth
// reached by each component that starts within `gap` of it, where
// gap = max(minimum gap, fraction × depth reached). At the first component
// beyond the gap, everything from there outward is isolated IF it holds at
// most `maximumShare` of the dendrite pixels; a large amount of phase beyond a
// gap is real growth and is kept (the walk goes on).
//
// Worked example: needles reach 800 px; one 6-px speck sits at 1150 px. Depth
// reached 800, gap max(10, 0.1 × 800) = 80 px; the speck starts 350 px beyond:
// isolated (6 px ≪ 2 % of the dendrite pixels), removed and reported.

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation

/// What the isolated-fragment rule removed.
public struct IsolatedFragments: Sendable, Equatable {
    /// Components removed.
    public var components: Int
    /// Pixels removed.
    public var pixels: Int
    /// Where the walk stopped: the depth reached by the kept dendrites, px (vertical offset above the interface).
    public var reachPx: Double
    /// The nearest offset of the first removed component, px.
    public var firstOffsetPx: Double
    /// The farthest offset of a removed pixel, px.
    public var farthestOffsetPx: Double
}

extension BinaryMask {
    /// The mask without phase pieces isolated beyond the dendrite front (see the file header).
    ///
    /// - Parameters:
    ///   - interface: the anode interface (offsets are v − g(u) in its frame, px).
    ///   - minimumGapPx: smallest gap that isolates, px.
    ///   - gapFraction: a gap isolates when larger than this fraction of the depth reached.
    ///   - maximumShare: only this share of the dendrite pixels, at most, may be declared isolated.
    /// - Returns: the cleaned mask and what was removed (nil when nothing was).
    public func removingIsolatedFragments(interface: Interface, minimumGapPx: Double, gapFraction: Double,
                                          maximumShare: Double) -> (BinaryMask, IsolatedFragments?) {
        let labels = componentRuns(self, connectivity: .eight)
        let n = labels.count
        guard n > 1 else { return (self, nil) }
        let (nearest, farthest) = labels.offsets(from: interface)
        let area = [0] + labels.components.map(\.area)
        let total = area.reduce(0, +)
        let order = (1 ... n).sorted { nearest[$0] != nearest[$1] ? nearest[$0] < nearest[$1] : $0 < $1 }
        var reach = farthest[order[0]]
        var beyond = total - area[order[0]]
        var cut: Int?
        for (k, l) in order.enumerated().dropFirst() {
            let gap = max(minimumGapPx, gapFraction * max(0, reach))
            if nearest[l] > reach + gap, Double(beyond) <= maximumShare * Double(total) {
                cut = k
                break
            }
            reach = max(reach, farthest[l])
            beyond -= area[l]
        }
        guard let cut else { return (self, nil) }
        var drop = [Bool](repeating: false, count: n + 1)
        var removed = IsolatedFragments(components: 0, pixels: 0, reachPx: reach, firstOffsetPx: nearest[order[cut]], farthestOffsetPx: reach)
        for l in order[cut...] {
            drop[l] = true
            removed.components += 1
            removed.pixels += area[l]
            removed.farthestOffsetPx = max(removed.farthestOffsetPx, farthest[l])
        }
        return (labels.removing(drop, from: self), removed)
    }
}
