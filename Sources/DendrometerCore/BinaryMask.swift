/// A binary image of shape (rows, cols) = (`height`, `width`): each pixel is
/// either in the phase (`1`) or not (`0`). Stored row-major as bytes so kernels
/// can scan it with plain pointer arithmetic.
///
/// Connectivity conventions used throughout Dendrometer: the phase is
/// 8-connected, the background 4-connected (the pair that makes the Euler
/// number well defined).
public struct BinaryMask: Sendable, Equatable {
    /// Number of columns, px.
    public let width: Int
    /// Number of rows, px.
    public let height: Int
    /// Row-major values, each exactly 0 or 1.
    public var bits: [UInt8]

    /// An all-background mask of `width × height` px.
    public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "mask dimensions must be non-negative")
        self.width = width
        self.height = height
        self.bits = [UInt8](repeating: 0, count: width * height)
    }

    /// A mask from row-major values; any non-zero value counts as phase.
    public init(width: Int, height: Int, bits: [UInt8]) {
        precondition(bits.count == width * height,
                     "expected \(width * height) values for \(width)×\(height), got \(bits.count)")
        self.width = width
        self.height = height
        self.bits = bits.map { $0 == 0 ? 0 : 1 }
    }

    /// Wraps values already known to be exactly 0 or 1, without the normalising
    /// copy of ``init(width:height:bits:)`` (for kernels that produce 0/1 bytes).
    @inlinable
    public init(width: Int, height: Int, normalizedBits bits: [UInt8]) {
        precondition(bits.count == width * height,
                     "expected \(width * height) values for \(width)×\(height), got \(bits.count)")
        self.width = width
        self.height = height
        self.bits = bits
    }

    /// A mask of the pixels of `image` for which `predicate` holds.
    @inlinable
    public init<P: PixelSample>(_ image: Image<P>, where predicate: (P) -> Bool) {
        self.width = image.width
        self.height = image.height
        self.bits = image.pixels.map { predicate($0) ? 1 : 0 }
    }

    /// A mask from rows of characters, `#` (or `1`) for phase and anything else
    /// for background. Handy for tiny hand-checked fixtures:
    ///
    /// ```swift
    /// let ring = BinaryMask(rows: ["###",
    ///                              "#.#",
    ///                              "###"])
    /// ```
    public init(rows: [String]) {
        let w = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == w }, "all rows must have the same length")
        self.width = w
        self.height = rows.count
        self.bits = rows.flatMap { $0.map { $0 == "#" || $0 == "1" ? UInt8(1) : 0 } }
    }

    /// Number of pixels (`width * height`).
    @inlinable public var count: Int { width * height }

    /// Whether pixel (x, y) is in the phase (bounds-checked).
    @inlinable public subscript(x: Int, y: Int) -> Bool {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            return bits[y * width + x] != 0
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
            bits[y * width + x] = newValue ? 1 : 0
        }
    }

    /// Number of phase pixels (a byte sum, eight pixels per 64-bit add, in
    /// parallel bands for large masks).
    public var area: Int {
        bits.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return 0 }
            let block = 1 << 18   // bytes per task
            let src = SendableConstPointer(base), n = b.count
            let parts = parallelBandResults((n + block - 1) / block, minimumPerBand: 4, initial: { 0 }) { tasks, sum in
                let start = tasks.lowerBound * block
                sum += byteSum(src.base + start, count: min(tasks.upperBound * block, n) - start)
            }
            return parts.reduce(0, +)
        }
    }

    /// Fraction of pixels in the phase (0 for an empty mask).
    public var areaFraction: Double { count == 0 ? 0 : Double(area) / Double(count) }

    /// The mask drawn with `#` for phase and `.` for background, one line per row.
    public var rows: [String] {
        (0 ..< height).map { y in String((0 ..< width).map { bits[y * width + $0] != 0 ? "#" : "." }) }
    }

    /// The mask as an 8-bit image, phase = `value` (default 255), background 0.
    public func image(phaseValue value: UInt8 = 255) -> Image<UInt8> {
        Image(width: width, height: height, pixels: bits.map { $0 == 0 ? 0 : value }, bitDepth: 8)
    }

    /// The pixels of this mask that are not in `other` (same shape).
    public func subtracting(_ other: BinaryMask) -> BinaryMask {
        precondition(width == other.width && height == other.height, "mask sizes differ")
        var out = bits
        for i in out.indices { out[i] &= 1 &- other.bits[i] }
        return BinaryMask(width: width, height: height, normalizedBits: out)
    }

    /// Adds the pixels of `other` (same shape) to this mask.
    public mutating func formUnion(_ other: BinaryMask) {
        precondition(width == other.width && height == other.height, "mask sizes differ")
        for i in bits.indices { bits[i] |= other.bits[i] }
    }
}

extension BinaryMask {
    /// The smallest rectangle holding every phase pixel, or nil for an empty mask.
    public var boundingBox: PixelRect? {
        var minX = width, minY = height, maxX = -1, maxY = -1
        bits.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            for y in 0 ..< height {
                let row = base + y * width
                // First phase pixel from the left, eight bytes at a time over zeros.
                var first = 0
                while first + 8 <= width && UnsafeRawPointer(row + first).loadUnaligned(as: UInt64.self) == 0 { first += 8 }
                while first < width && row[first] == 0 { first += 1 }
                guard first < width else { continue }
                // Last one from the right, likewise.
                var end = width
                while end - 8 > first && UnsafeRawPointer(row + end - 8).loadUnaligned(as: UInt64.self) == 0 { end -= 8 }
                while row[end - 1] == 0 { end -= 1 }
                minY = min(minY, y); maxY = y
                minX = min(minX, first); maxX = max(maxX, end - 1)
            }
        }
        return maxX < 0 ? nil : PixelRect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
    }

    /// The part of the mask inside `rect` (clipped to the mask).
    public func cropped(to rect: PixelRect) -> BinaryMask {
        let r = rect.clipped(toWidth: width, height: height)
        var out = [UInt8]()
        out.reserveCapacity(r.area)
        for y in r.y ..< r.y + r.height {
            out.append(contentsOf: bits[(y * width + r.x) ..< (y * width + r.x + r.width)])
        }
        return BinaryMask(width: r.width, height: r.height, normalizedBits: out)
    }
}

extension Image {
    /// A `width × height` image filled with `background` with `tile` copied in at
    /// (`x`, `y`) px; the parts of `tile` outside the new image are dropped.
    ///
    /// - Complexity: O(width × height); one row copy per tile row.
    @inlinable
    public static func pasting(_ tile: Image<Pixel>, at x: Int, _ y: Int, width: Int, height: Int, background: Pixel) -> Image<Pixel> {
        var out = [Pixel](repeating: background, count: width * height)
        let x0 = max(0, x), x1 = min(width, x + tile.width)
        let r0 = max(0, -y), r1 = min(tile.height, height - y)
        if x0 < x1 && r0 < r1 {
            out.withUnsafeMutableBufferPointer { o in
                tile.pixels.withUnsafeBufferPointer { t in
                    for row in r0 ..< r1 {
                        (o.baseAddress! + (row + y) * width + x0)
                            .update(from: t.baseAddress! + row * tile.width + (x0 - x), count: x1 - x0)
                    }
                }
            }
        }
        return Image(width: width, height: height, pixels: out, bitDepth: tile.bitDepth)
    }
}

/// Sum of `count` bytes that are each 0 or 1: 64-bit words added byte-wise
/// (no carry crosses a byte for up to 255 words), then the eight byte lanes
/// folded into 16-bit lanes and summed by one multiply.
func byteSum(_ p: UnsafePointer<UInt8>, count n: Int) -> Int {
    let raw = UnsafeRawPointer(p)
    let words = n >> 3
    var total = 0, w = 0
    while w < words {
        let end = min(words, w + 255)
        var lanes: UInt64 = 0
        while w < end {
            lanes &+= raw.loadUnaligned(fromByteOffset: w << 3, as: UInt64.self)
            w += 1
        }
        let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
        total += Int((pairs &* 0x0001_0001_0001_0001) >> 48)
    }
    for i in (words << 3) ..< n { total += Int(p[i]) }
    return total
}
