// Per-component offsets above the interface, and removal of chosen components, on components
// held as runs of pixels (``ComponentRuns``): the clean-up stages that keep or drop whole
// components never need a label image (4 bytes per pixel of the field).

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation

extension ComponentRuns {
    /// The nearest and farthest offset above `interface` (v − g(u), px) of every component, as
    /// ``Interface/componentOffsets(labels:componentCount:)`` gives from a label image; index 0
    /// of both arrays is unused (±∞). `interface` must span this mask's image.
    ///
    /// Example: a bottom interface at g = 2.5 and a component whose pixels lie on rows y = 5, 6
    /// of an 8-row image (v = 7 − y = 2, 1) → nearest −1.5, farthest −0.5.
    func offsets(from interface: Interface) -> (nearest: [Double], farthest: [Double]) {
        let side = interface.side, w = width, h = height
        let g = (0 ..< side.length(width: w, height: h)).map { interface.height(atU: Double($0)) }
        var nearest = [Double](repeating: .infinity, count: count + 1)
        var farthest = [Double](repeating: -.infinity, count: count + 1)
        let runs = runs, labelOfRun = labelOfRun
        for y in 0 ..< h {
            for r in self.runs(inRow: y) {
                let l = Int(labelOfRun[r])
                for x in Int(runs[r].x0) ..< Int(runs[r].x1) {
                    let (u, v) = side.framePosition(x: x, y: y, width: w, height: h)
                    let offset = Double(v) - g[u]
                    nearest[l] = min(nearest[l], offset)
                    farthest[l] = max(farthest[l], offset)
                }
            }
        }
        return (nearest, farthest)
    }

    /// `mask` (the mask these components were found in) without the components `drop` marks
    /// (`drop[label]`, index 0 unused).
    func removing(_ drop: [Bool], from mask: BinaryMask) -> BinaryMask {
        var out = mask
        let runs = runs, labelOfRun = labelOfRun
        out.bits.withUnsafeMutableBufferPointer { bits in
            for y in 0 ..< height {
                for r in self.runs(inRow: y) where drop[Int(labelOfRun[r])] {
                    (bits.baseAddress! + y * width + Int(runs[r].x0)).update(repeating: 0, count: Int(runs[r].x1 - runs[r].x0))
                }
            }
        }
        return out
    }
}
