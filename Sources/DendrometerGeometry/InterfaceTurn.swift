// The sharpest turn of a detected interface, and how sharp the anode's own edge can turn.
//
// Physics. An anode foil's edge is a smooth line: pressing and cycling bow it and roughen it by
// a few µm, but it does not turn through a large angle from one stretch of the field to the
// next. ``InterfaceDetector`` reads it as a bow-limited curve through the layer's edge plus, at
// each of its evenly spaced knots, a departure of at most `maximumWaviness` × the interface
// length (at least 2 px) off that curve. Two neighbouring stretches between knots therefore
// each rise at most 2 × that departure over one knot spacing off the curve's own direction, so
// the polyline turns by at most twice that angle where the curve itself hardly turns. A larger
// turn is a step that no waviness gives: on one side of it the knots sit on something else than
// the foil's edge (the top of a dense mesh of phase where the foil's grey edge moved only the
// neighbouring knots, a foil that leaves the field there, the mount). The depths measured near
// such a step are off by up to the step's height, so the image is given for review.
//
// Worked example: a 782-px edge with 17 knots (spacing 781 / 16 = 48.8 px) and a waviness of
// 0.02 × 782 = 15.6 px: a stretch rises at most 2 × 15.6 / 48.8 = 0.64 px per px off the curve
// (32.65°), so the edge turns by at most 65.3°. Knots at heights …, 75, 84, 13, 30, … (one
// spacing apart) turn from +10.4° (75 → 84) to −55.5° (84 → 13): 65.9°, beyond 65.3°, and
// the image is flagged. A foil edge bowing by 20 px over the whole 782 px turns by under 1°
// between stretches. The bound hardly depends on the edge's length: the departure and the
// spacing both scale with it (2 × 0.02 × 16 = 0.64 for any edge longer than 100 px).

import Foundation

extension Interface {
    /// The largest change of direction between neighbouring stretches of the polyline (knot to
    /// knot), degrees in [0, 180), and the knot where it happens; nil with fewer than three knots.
    /// Directions are taken in the interface frame (u along the edge, v toward the electrolyte),
    /// where every stretch runs forward along u, so each lies in (−90°, 90°).
    public var sharpestTurn: (degrees: Double, knot: Int)? {
        guard knotsU.count >= 3 else { return nil }
        var best: (degrees: Double, knot: Int)?
        var previous = atan2(knotsV[1] - knotsV[0], knotsU[1] - knotsU[0])
        for k in 1 ..< knotsU.count - 1 {
            let next = atan2(knotsV[k + 1] - knotsV[k], knotsU[k + 1] - knotsU[k])
            let turn = abs(next - previous) * 180 / .pi
            if best == nil || turn > best!.degrees { best = (turn, k) }
            previous = next
        }
        return best
    }
}

extension InterfaceDetector.Parameters {
    /// The sharpest turn, degrees, the detector's own allowances give a polyline along an edge
    /// `length` px long (see the file header): twice the angle whose tangent is 2 × the largest
    /// departure of a knot off the smooth curve (``maximumWaviness`` × `length`, at least 2 px)
    /// over the knot spacing ((`length` − 1) / (``knots`` − 1)). Nil for fewer than three knots or
    /// an edge shorter than two pixels.
    public func smoothEdgeTurnLimitDegrees(length: Int) -> Double? {
        guard knots >= 3, length >= 2 else { return nil }
        let departure = max(InterfaceDetector.minimumWavinessPx, maximumWaviness * Double(length))
        let spacing = Double(length - 1) / Double(knots - 1)
        return 2 * atan(2 * departure / spacing) * 180 / .pi
    }
}
