/// A binary mask kept one bit per pixel, for masks that are held long but read rarely (an
/// analysis result's segmented phase): an eighth of ``BinaryMask``'s memory, 2 MB instead of
/// 16.8 MB at 4096². Kernels work on ``BinaryMask``; ``unpacked()`` gives one back.
///
/// Each row starts on a 64-bit word: pixel (x, y) is bit `x % 64` of word
/// `y × wordsPerRow + x / 64`, and the bits past `width` in a row's last word are 0 (so equal
/// masks have equal words).
///
/// Example: a 3 × 2 mask with rows `101`, `010` is the words `0b101`, `0b010`.
public struct PackedMask: Sendable, Equatable {
    /// Number of columns, px.
    public let width: Int
    /// Number of rows, px.
    public let height: Int
    /// 64-bit words per row, ⌈width / 64⌉.
    public let wordsPerRow: Int
    /// The rows' words, row after row.
    public private(set) var words: [UInt64]

    /// `mask` one bit per pixel.
    public init(_ mask: BinaryMask) {
        self.init(mask, at: (0, 0), width: mask.width, height: mask.height)
    }

    /// A `width × height` mask holding `mask` with its pixel (0, 0) at `origin` and background
    /// elsewhere (the part of `mask` outside the canvas is cut off): a crop pasted back, with no
    /// full-size byte mask made.
    public init(_ mask: BinaryMask, at origin: (x: Int, y: Int), width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "mask dimensions must be non-negative")
        self.width = width
        self.height = height
        wordsPerRow = (width + 63) / 64
        let stride = wordsPerRow, mw = mask.width
        var words = [UInt64](repeating: 0, count: stride * height)
        let x0 = max(0, origin.x), x1 = min(width, origin.x + mask.width)
        let y0 = max(0, origin.y), y1 = min(height, origin.y + mask.height)
        if x0 < x1, y0 < y1 {
            words.withUnsafeMutableBufferPointer { out in
                mask.bits.withUnsafeBufferPointer { bits in
                    let raw = UnsafeRawPointer(bits.baseAddress!)
                    for y in y0 ..< y1 {
                        let source = (y - origin.y) * mw - origin.x, first = y * stride
                        var x = x0
                        // Pixel by pixel up to a whole byte of the row's words, then eight at a
                        // time: eight 0/1 bytes (little-endian) gathered into one byte of bits.
                        while x < x1, x & 7 != 0 {
                            if bits[source + x] & 1 != 0 { out[first + (x >> 6)] |= 1 << UInt64(x & 63) }
                            x += 1
                        }
                        while x + 8 <= x1 {
                            let eight = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: source + x, as: UInt64.self))
                            out[first + (x >> 6)] |= Self.gathered(eight) << UInt64(x & 63)
                            x += 8
                        }
                        while x < x1 {
                            if bits[source + x] & 1 != 0 { out[first + (x >> 6)] |= 1 << UInt64(x & 63) }
                            x += 1
                        }
                    }
                }
            }
        }
        self.words = words
    }

    /// Bit i of the result is byte i of `eight` (little-endian) being non-zero in its low bit:
    /// the bytes' low bits, masked, times 0x0102040810204080 land in the top byte in order
    /// (no two partial products meet there, so nothing carries into it).
    @inline(__always)
    static func gathered(_ eight: UInt64) -> UInt64 {
        ((eight & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) >> 56
    }

    /// Whether pixel (x, y) is in the phase. Unchecked beyond the array's own bounds check.
    @inlinable
    public subscript(x x: Int, y y: Int) -> Bool {
        words[y * wordsPerRow + x / 64] >> UInt64(x % 64) & 1 != 0
    }

    /// Number of phase pixels.
    public var area: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Calls `body(x)` for every phase pixel x of row `y` with `columns.lowerBound ≤ x <
    /// columns.upperBound`, in increasing x: 64 background pixels cost one word test.
    @inlinable
    public func forEachPixel(inRow y: Int, columns: Range<Int>, _ body: (Int) -> Void) {
        guard !columns.isEmpty else { return }
        let first = y * wordsPerRow
        for k in columns.lowerBound >> 6 ... (columns.upperBound - 1) >> 6 {
            var word = words[first + k]
            let base = k << 6
            if base < columns.lowerBound { word &= ~0 << UInt64(columns.lowerBound - base) }
            if base + 64 > columns.upperBound { word &= ~0 >> UInt64(base + 64 - columns.upperBound) }
            while word != 0 {
                body(base + word.trailingZeroBitCount)
                word &= word - 1
            }
        }
    }

    /// The same mask one byte per pixel.
    public func unpacked() -> BinaryMask {
        let w = width, stride = wordsPerRow
        let bits = [UInt8](unsafeUninitializedCapacity: width * height) { out, initialized in
            words.withUnsafeBufferPointer { words in
                for y in 0 ..< height {
                    let row = y * w, first = y * stride
                    for k in 0 ..< stride {
                        let x0 = k * 64, word = words[first + k]
                        for i in 0 ..< min(64, w - x0) { out[row + x0 + i] = UInt8(truncatingIfNeeded: word >> UInt64(i) & 1) }
                    }
                }
            }
            initialized = width * height
        }
        return BinaryMask(width: width, height: height, normalizedBits: bits)
    }
}
