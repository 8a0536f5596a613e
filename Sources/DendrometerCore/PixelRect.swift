/// An axis-aligned rectangle of whole pixels: columns `x ..< x + width`,
/// rows `y ..< y + height` (origin top-left, units px).
public struct PixelRect: Sendable, Hashable, Codable, CustomStringConvertible {
    /// First column, px.
    public var x: Int
    /// First row, px.
    public var y: Int
    /// Number of columns, px.
    public var width: Int
    /// Number of rows, px.
    public var height: Int

    /// A rectangle from its top-left corner and size, all in px.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// Number of pixels covered.
    public var area: Int { max(0, width) * max(0, height) }
    /// Whether the rectangle covers no pixel.
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// Whether pixel (x, y) lies inside.
    @inlinable public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < x + width && py >= y && py < y + height
    }

    /// The part of the rectangle inside a `width × height` image (possibly empty).
    public func clipped(toWidth w: Int, height h: Int) -> PixelRect {
        let x0 = min(max(x, 0), w), y0 = min(max(y, 0), h)
        let x1 = min(max(x + width, 0), w), y1 = min(max(y + height, 0), h)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public var description: String { "\(width)×\(height) px at (\(x), \(y))" }

    enum CodingKeys: String, CodingKey { case x, y, width = "w", height = "h" }
}
