// Anode sides and the canonical "interface frame".
//
// Every geometric computation works in a frame where the anode is at the
// bottom: `u` runs along the interface (0 ..< length) and `v` is the height
// above the anode-side edge of the image (0 ..< extent), increasing into the
// electrolyte. The map between image pixels (x, y) and (u, v) is an exact
// rotation/flip, so distances are preserved.

import DendrometerCore

/// The image edge the anode layer lies along.
public enum AnodeSide: String, Sendable, Codable, CaseIterable {
    case bottom, top, left, right

    /// Names of three depth bands of the dendrite zone, nearest the anode first. With the anode at
    /// the bottom they are the paper's Fig. 3 names, `bottom`, `middle`, `top`, which there say
    /// depth; along any other edge up/down would not, so they are `near`, `middle`, `far`.
    public var depthBandNames: [String] { self == .bottom ? ["bottom", "middle", "top"] : ["near", "middle", "far"] }

    /// Number of positions along the interface for an image of `width × height` px.
    public func length(width: Int, height: Int) -> Int { self == .bottom || self == .top ? width : height }

    /// Number of pixels from the anode edge to the opposite edge.
    public func extent(width: Int, height: Int) -> Int { self == .bottom || self == .top ? height : width }

    /// Interface-frame coordinates (u along the interface, v into the electrolyte)
    /// of image pixel (x, y), both in px.
    @inlinable
    public func frame(x: Double, y: Double, width: Int, height: Int) -> (u: Double, v: Double) {
        switch self {
        case .bottom: (x, Double(height - 1) - y)
        case .top: (x, y)
        case .left: (y, x)
        case .right: (y, Double(width - 1) - x)
        }
    }

    /// Image coordinates (x, y) of interface-frame point (u, v), px.
    @inlinable
    public func image(u: Double, v: Double, width: Int, height: Int) -> (x: Double, y: Double) {
        switch self {
        case .bottom: (u, Double(height - 1) - v)
        case .top: (u, v)
        case .left: (v, u)
        case .right: (Double(width - 1) - v, u)
        }
    }

    /// Integer interface-frame position (u, v) of image pixel (x, y): the exact
    /// inverse of ``index(u:v:width:height:)`` (row-major scans use it).
    @inlinable
    public func framePosition(x: Int, y: Int, width: Int, height: Int) -> (u: Int, v: Int) {
        switch self {
        case .bottom: (x, height - 1 - y)
        case .top: (x, y)
        case .left: (y, x)
        case .right: (y, width - 1 - x)
        }
    }

    /// Index into a row-major `width × height` buffer of the pixel at integer frame position (u, v).
    @inlinable
    public func index(u: Int, v: Int, width: Int, height: Int) -> Int {
        switch self {
        case .bottom: (height - 1 - v) * width + u
        case .top: v * width + u
        case .left: u * width + v
        case .right: u * width + (width - 1 - v)
        }
    }

    /// Direction (degrees, counter-clockwise from +x as seen on screen) of the
    /// frame's +u axis: the interface direction when the interface is straight.
    public var alongAxisDegrees: Double {
        switch self {
        case .bottom: 0      // u = x
        case .top: 0         // u = x
        case .left: -90      // u = y, pointing down the screen
        case .right: -90
        }
    }
}
