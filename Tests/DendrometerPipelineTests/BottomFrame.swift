import DendrometerCore
import DendrometerGeometry

/// A hand-made field with a flat interface along the bottom edge, drawn in the interface frame
/// (u along the interface = x, v up from the bottom edge): the layer holds rows v < boundary.
struct BottomFrame {
    let width: Int, height: Int
    let interface: Interface

    /// A `width × height` field whose interface lies at v = `boundary` (default 9.5: layer rows v ≤ 9).
    init(width: Int, height: Int, boundary: Double = 9.5) {
        self.width = width
        self.height = height
        interface = Interface(side: .bottom, width: width, height: height, knotsU: [0, Double(width - 1)], knotsV: [boundary, boundary])
    }

    /// An empty mask of the field.
    func mask() -> BinaryMask { BinaryMask(width: width, height: height) }

    /// Sets the pixels with u in `u` and v in `v`.
    func paint(_ m: inout BinaryMask, u: ClosedRange<Int>, v: ClosedRange<Int>) {
        for vv in v { for uu in u { m.bits[(height - 1 - vv) * width + uu] = 1 } }
    }
}
