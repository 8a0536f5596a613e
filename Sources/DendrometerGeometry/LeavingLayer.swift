// An anode layer that leaves the field at one end of its edge (a tilted section).
//
// Physics. The side holding the anode is the one with a continuous layer along it, scored by
// the 10th percentile of the layer's thickness over every line perpendicular to the edge
// (``InterfaceDetector``): a speckled cathode or stray pores have thin lines, dendrites only
// thicken some. A section cut or mounted at an angle crosses the foil obliquely: its edge runs
// across the field at the tilt angle, and where the foil is thinner than the field's offset over
// that run it leaves the field through one end of the edge. Along the rest of the edge the layer
// is gone and what touches the edge is the dendrite phase a few px deep (the network resting on
// the anode, stripes), or nothing. Once more than a tenth of the edge is past that point, the
// 10th percentile is a few px and the anode's side loses to any edge that noise or a stripe
// touches; phase auto then even loses the anode's polarity. The foil is still continuous where it
// is in view, and it shows how it leaves: its thickness falls steadily toward one point.
//
// Rule. Cut the edge into `leavingBlocks` blocks and take each block's median line thickness
// (dendrites raise a few lines, holes lower a few: the median is the foil's). From either end of
// the edge, walk toward the other while a block is at least `leavingFloorFraction` as thick as
// the thickest so far and thicker than the one before it by at most `leavingRampSlackFraction`
// of that: a ramp down from the corner where the foil is thickest. The walk must stop at a block
// below the floor (the foil has left the field; a block that thickens again ends nothing) and
// cover at least `leavingMinimumEdgeShare` of the edge, and the blocks' thickness must fall at a
// rate a tilted section gives (at most tan `leavingMaximumTiltDegrees` px per px along the edge:
// the least-squares slope of the covered blocks' medians). The lines it covered are the layer in
// view: their 10th percentile is the side's score when larger than the whole edge's (and its
// solidity and grey spread are measured over them). The interface is fitted to those lines'
// layer heights alone (past the point where the foil leaves, what touches the edge is dendrite
// phase, whose heights say nothing of where the foil's edge runs) and carried on out of the
// field along its tangent at the last line in view: a bow fitted to part of the edge and carried
// on as a quadratic diverges.
//
// Worked example: a 1000-line edge whose foil is 120 px thick at u = 0 and thins by 0.2 px per
// line to leave the field at u = 600, with a network 0–16 px deep along the edge beyond. The 16
// blocks' medians are 113.8, 101.3, …, 26.3 (blocks 0–7), then 13.8 (block 8, the ramp's last
// lines), then the network's ~8. The floor is 0.2 × 113.8 = 22.8 px: the walk from u = 0 covers
// blocks 0–7 (half the edge, ≥ a third) and stops at block 8, below the floor; the medians fall
// by 12.5 px per 62.5-line block, 0.2 px per px (a tilt of 11°, within 20°). Lines 0–499 are
// 120 … 20 px thick: their 10th percentile, 30 px, scores the side, where the whole edge's
// (40 % of it network) would be a few px. From the other end, the first block is the network's
// and the walk stops after a block or two: too short.

import DendrometerCore
import Foundation

extension InterfaceDetector {
    /// The lines (positions along the edge) over which a layer leaving the field at one end is in
    /// view, from per-line thicknesses `thickness` (px, 0 where there is no layer); nil when the
    /// layer does not leave the field that way (see the file's header).
    public static func leavingLayer(thickness t: [Double], parameters p: Parameters) -> Range<Int>? {
        let n = t.count
        let blocks = max(2, min(p.leavingBlocks, n))
        guard p.leavingFloorFraction > 0, n >= 2 else { return nil }
        let bounds = (0 ... blocks).map { $0 * n / blocks }
        let medians = (0 ..< blocks).map { quantile(Array(t[bounds[$0] ..< bounds[$0 + 1]]), 0.5) }
        let needed = Int(saturating: (p.leavingMinimumEdgeShare * Double(blocks)).rounded(.up))
        var best: Range<Int>?
        for fromStart in [true, false] {
            let order = fromStart ? Array(0 ..< blocks) : Array((0 ..< blocks).reversed())
            var thickest = medians[order[0]]
            guard thickest > 0 else { continue }
            var covered = 1, leaves = false
            for k in 1 ..< blocks {
                let m = medians[order[k]]
                if m < p.leavingFloorFraction * thickest { leaves = true; break }
                if m > medians[order[k - 1]] + p.leavingRampSlackFraction * thickest { break }
                thickest = max(thickest, m)
                covered += 1
            }
            guard leaves, covered >= needed, covered < blocks else { continue }
            // The ramp's rate (least squares over the covered blocks' centres): the tilt.
            let centres = (0 ..< covered).map { k in 0.5 * Double(bounds[order[k]] + bounds[order[k] + 1]) }
            let values = (0 ..< covered).map { medians[order[$0]] }
            let rate = leastSquaresLine(centres, values).map { abs($0.slope) } ?? .infinity
            guard rate <= tan(p.leavingMaximumTiltDegrees * .pi / 180) else { continue }
            let lines = fromStart ? 0 ..< bounds[covered] : bounds[blocks - covered] ..< n
            if best.map({ lines.count > $0.count }) ?? true { best = lines }
        }
        return best
    }
}
