// Li whiskers and the cracks that touch them (a dark phase from a grey threshold).
//
// Physics. In a BSE cross-section Li metal, the electrolyte's cracks and its
// grain boundaries are all dark: a grey level cannot tell them apart. Their
// shapes can. Li is extruded from the anode as needles that grow
// perpendicular to the interface (straight, steep); the stress at a whisker
// tip cracks the electrolyte, and cracks and grain boundaries run along
// particle outlines in every direction, much of it sideways. A crack that
// starts at a whisker tip is one piece with the whisker, so the "rooted at
// the anode" rule keeps it and its far end sets the depth.
//
// Rule. Take the local direction of the dark phase (structure tensor of the
// mask, the orientation stage's σ and ρ). Pixels tilted more than
// `whiskerMaximumTiltDegrees` from the interface normal are crack-like. Remove
// them, keep the pieces still rooted at the anode (Li reaches the anode through
// steep material), and give back the crack-like pixels within
// `whiskerTipRestorePx` steps of what was kept (a needle's tip and edges turn
// sideways over about ρ). The rest is set aside with the unrooted pieces.
// Nothing is cut within 2ρ + σ of the interface: the mask stops there along a
// straight line, and over the tensor's footprint that edge sets the direction,
// so a thin whisker's base reads as sideways and, cut, would lose its root.
//
// Worked example: a 2 px whisker rises 60 px from the anode; at its tip a crack
// runs 40 px sideways and then 30 px up. The sideways run is crack-like; cut
// there, the upper 30 px are no longer rooted and go; the whisker and the first
// 3 px of the crack stay. Max depth: the whisker's tip (+ at most 3 px), not
// the crack's end 30 px higher.

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation

extension DendriteAnalysis {
    /// `mask` (dark phase on the electrolyte side) without crack-like material that reaches the
    /// anode only through sideways runs (see the file header); also returns the pixels removed.
    static func separatingCracks(_ mask: BinaryMask, interface: Interface, orientation: AnalysisParameters.Orientation,
                                 dendrites p: AnalysisParameters.Dendrites) throws(AnalysisError) -> (kept: BinaryMask, removed: Int) {
        guard let box = mask.boundingBox else { return (mask, 0) }
        let margin = Int(saturating: (3 * orientation.rhoPx + 4 * orientation.sigmaPx).rounded(.up)) + 2
        let work = PixelRect(x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin)
            .clipped(toWidth: mask.width, height: mask.height)
        var core = mask
        let limit = Float(p.whiskerMaximumTiltDegrees)
        // The mask ends at the interface, and within the tensor's footprint of it that straight
        // edge, not the whisker, sets the local direction: a thin whisker's base would read as
        // sideways and the whisker lose its root. No cut there.
        let baseBand = whiskerBaseBandPx(orientation)
        try core.bits.withUnsafeMutableBufferPointer { (bits: inout UnsafeMutableBufferPointer<UInt8>) throws(AnalysisError) in
            let out = SendablePointer(bits.baseAddress!)
            // Each row piece clears pixels of its own row only.
            try forEachOrientedRowPiece(mask, interface: interface, parameters: orientation, within: work) { y, pixels in
                for px in pixels where abs(px.degrees - 90) > limit {
                    let x = work.x + Int(px.index) % work.width
                    if interface.depth(x: Double(x), y: Double(y)) < baseBand { continue }
                    out.base[y * mask.width + x] = 0
                }
            }
        }
        let rooted = keepingRooted(core, interface: interface, tolerancePx: p.rootTolerancePx).mask
        let kept = rooted.growing(within: mask, steps: p.whiskerTipRestorePx)
        return (kept, mask.area - kept.area)
    }

    /// Depth (px) below which no pixel is cut as crack-like: the structure tensor's footprint,
    /// 2ρ + σ (7 px with the default σ 1, ρ 3), over which the mask's edge at the interface
    /// dominates the local direction.
    static func whiskerBaseBandPx(_ orientation: AnalysisParameters.Orientation) -> Double {
        2 * orientation.rhoPx + orientation.sigmaPx
    }
}
