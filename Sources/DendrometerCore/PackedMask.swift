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
            // Each row's visible part packed by the shared row kernel, then shifted to column x0.
            let span = x1 - x0, spanWords = (span + 63) >> 6, shift = UInt64(x0 & 63)
            var packed = [UInt64](repeating: 0, count: spanWords)
            words.withUnsafeMutableBufferPointer { out in
                mask.bits.withUnsafeBufferPointer { bits in
                    packed.withUnsafeMutableBufferPointer { row in
                        for y in y0 ..< y1 {
                            packRow(bits.baseAddress! + (y - origin.y) * mw + (x0 - origin.x), width: span, words: spanWords,
                                    invert: false, into: row.baseAddress!)
                            let first = y * stride + (x0 >> 6), end = (y + 1) * stride
                            for j in 0 ..< spanWords {
                                out[first + j] |= row[j] << shift
                                // The bits carried into the next word (none lie at or beyond column x1).
                                if shift > 0, first + j + 1 < end { out[first + j + 1] |= row[j] >> (64 - shift) }
                            }
                        }
                    }
                }
            }
        }
        self.words = words
    }

    /// A `width × height` mask whose rows `fill(y, row)` gives one byte per pixel (`row` holds
    /// `width` bytes and every one must be set, 1 in the mask, 0 not), packed as they come on all
    /// cores: a row's bytes at a time, never a byte mask of the whole.
    ///
    /// Example: `PackedMask(width: 3, height: 2) { y, row in for x in 0 ..< 3 { row[x] = x == y ? 1 : 0 } }`
    /// is the diagonal, words `0b001`, `0b010`.
    public init(width: Int, height: Int, rows fill: @Sendable (Int, UnsafeMutablePointer<UInt8>) -> Void) {
        precondition(width >= 0 && height >= 0, "mask dimensions must be non-negative")
        let stride = (width + 63) / 64
        let words = [UInt64](unsafeUninitializedCapacity: stride * height) { out, initialized in
            if stride > 0 {
                let dst = SendablePointer(out.baseAddress!)
                parallelBands(height, minimumPerBand: 64) { rows in
                    let row = UnsafeMutablePointer<UInt8>.allocate(capacity: width)
                    defer { row.deallocate() }
                    for y in rows {
                        fill(y, row)
                        packRow(row, width: width, words: stride, invert: false, into: dst.base + y * stride)
                    }
                }
            }
            initialized = stride * height
        }
        self.init(width: width, height: height, words: words)
    }

    /// A `width × height` mask holding every pixel: whole words of ones, a row's last word only up
    /// to the width.
    public static func full(width: Int, height: Int) -> PackedMask {
        precondition(width >= 0 && height >= 0, "mask dimensions must be non-negative")
        let stride = (width + 63) / 64
        let tail: UInt64 = width % 64 == 0 ? ~0 : (1 << UInt64(width % 64)) - 1
        return PackedMask(width: width, height: height, words: (0 ..< stride * height).map { $0 % stride == stride - 1 ? tail : ~0 })
    }

    /// The mask of `words`, `⌈width / 64⌉` per row (bits past the width 0).
    private init(width: Int, height: Int, words: [UInt64]) {
        self.width = width
        self.height = height
        wordsPerRow = (width + 63) / 64
        self.words = words
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
                    unpackRow(words.baseAddress! + y * stride, width: w, words: stride, invert: false, into: out.baseAddress! + y * w)
                }
            }
            initialized = width * height
        }
        return BinaryMask(width: width, height: height, normalizedBits: bits)
    }
}

// The row kernels shared by the packed masks and the packed-row morphology and labelling.

/// Packs `width` bytes (0 or 1) into `words` UInt64 words, pixel x at bit x mod 64
/// of word x / 64; with `invert`, packs their complement. Bits at x ≥ width are 0.
/// Unchecked: `row` holds `width` bytes, `into` has room for `words` = ⌈width / 64⌉.
@inlinable
package func packRow(_ row: UnsafePointer<UInt8>, width w: Int, words: Int, invert: Bool,
                     into out: UnsafeMutablePointer<UInt64>) {
    let raw = UnsafeRawPointer(row)
    let full = w >> 6
    for j in 0 ..< full {
        var word: UInt64 = 0
        for b in 0 ..< 8 {
            // Eight 0/1 bytes → eight bits: byte i of v lands on bit 56 + i of the
            // product (the other partial products fall below bit 56 or overflow, without carries).
            let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j &* 64 &+ b &* 8, as: UInt64.self))
            word |= ((v &* 0x0102_0408_1020_4080) >> 56) << UInt64(b &* 8)
        }
        out[j] = invert ? ~word : word
    }
    if full < words {
        var word: UInt64 = 0
        let x0 = full << 6
        for x in x0 ..< w { word |= UInt64(row[x]) << UInt64(x - x0) }
        if invert { word = ~word & ((1 << UInt64(w - x0)) - 1) }
        out[full] = word
    }
}

/// Unpacks a packed row into `width` bytes 0/1 (complemented with `invert`).
/// Unchecked: `acc` holds ⌈width / 64⌉ words, `out` has room for `width` bytes.
@inlinable
package func unpackRow(_ acc: UnsafePointer<UInt64>, width w: Int, words: Int, invert: Bool,
                       into out: UnsafeMutablePointer<UInt8>) {
    let raw = UnsafeMutableRawPointer(out)
    let full = w >> 6
    for j in 0 ..< full {
        let word = invert ? ~acc[j] : acc[j]
        for b in 0 ..< 8 {
            // Byte i of `spread` is 2^i or 0; adding 0x7F sets its top bit iff it is non-zero.
            let byte = (word >> UInt64(b &* 8)) & 0xFF
            let spread = (byte &* 0x0101_0101_0101_0101) & 0x8040_2010_0804_0201
            let v = ((spread &+ 0x7F7F_7F7F_7F7F_7F7F) >> 7) & 0x0101_0101_0101_0101
            raw.storeBytes(of: UInt64(littleEndian: v), toByteOffset: j &* 64 &+ b &* 8, as: UInt64.self)
        }
    }
    if full < words {
        let x0 = full << 6
        let word = invert ? ~acc[full] : acc[full]
        for x in x0 ..< w { out[x] = UInt8(truncatingIfNeeded: (word >> UInt64(x - x0)) & 1) }
    }
}
