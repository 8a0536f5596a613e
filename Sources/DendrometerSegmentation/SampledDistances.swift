// The distance map of a mask, kept only at chosen pixels (a skeleton's).
//
// Why. Widths of skeleton branches are 2 × the mask's Euclidean distance map read at
// skeleton pixels, and nothing else of the map is read. A dense Float map costs
// 4 bytes per pixel of the window (37 MB for a dense 4096² field's dendrite zone),
// while its skeleton holds about 2 % of those pixels. ``distanceTransform(_:sampledAt:spacingX:spacingY:)``
// computes the exact values at those pixels alone, and they are kept here.
//
// Layout (a rank directory, as succinct bit vectors keep one): one bit per pixel of
// the raster marks the sampled pixels, 64 to a word; `before[k]` counts the marked
// pixels in the words before word k; `values` holds the samples in raster order. The
// value of marked pixel i is `values[before[i / 64] + popcount(word & bits below i)]`:
// O(1), about 0.2 bytes per raster pixel in all plus 4 per sample.
//
// Worked example: a 3 × 3 raster whose skeleton is its middle row (indices 3, 4, 5)
// over a map whose middle row reads 1, 2, 1 keeps word 0 = 0b111000, before = [0] and
// values [1, 2, 1]; the value at index 4 is values[0 + popcount(0b111000 & 0b1111)] =
// values[1] = 2.

import DendrometerCore

/// A distance map kept at chosen pixels only (a skeleton's: widths are 2 × distance), in the
/// raster of the mask it was computed on; what the skeleton graph and region widths read.
public struct SampledDistances: Sendable {
    /// Columns of the raster the indices refer to, px.
    public let width: Int
    /// Rows of that raster, px.
    public let height: Int
    /// One bit per pixel, row-major: the pixel was sampled.
    private var words: [UInt64]
    /// Sampled pixels in the words before each word.
    private var before: [UInt32]
    /// The samples in raster order, px.
    private var values: [Float]

    /// Samples `distance` at the pixels of `skeleton` (same shape).
    ///
    /// - Precondition: `distance` and `skeleton` have the same shape, and the skeleton has fewer than 2³² pixels.
    public init(sampling distance: Image<Float>, at skeleton: BinaryMask) {
        precondition(distance.width == skeleton.width && distance.height == skeleton.height,
                     "distance map \(distance.width)×\(distance.height) px, skeleton \(skeleton.width)×\(skeleton.height) px")
        var values = [Float]()
        values.reserveCapacity(skeleton.area)
        skeleton.bits.withUnsafeBufferPointer { bits in
            distance.pixels.withUnsafeBufferPointer { d in
                for i in bits.indices where bits[i] != 0 { values.append(d[i]) }
            }
        }
        self.init(marking: skeleton, values: values)
    }

    /// The samples `values` (raster order) of the pixels of `marks`, one value per pixel.
    init(marking marks: BinaryMask, values: [Float]) {
        width = marks.width
        height = marks.height
        let n = width * height
        let wordCount = (n + 63) / 64
        var words = [UInt64](repeating: 0, count: wordCount)
        var before = [UInt32](repeating: 0, count: wordCount)
        var count = 0
        marks.bits.withUnsafeBufferPointer { bits in
            let raw = UnsafeRawPointer(bits.baseAddress)
            for k in 0 ..< wordCount {
                before[k] = UInt32(truncatingIfNeeded: count)
                let start = k * 64, end = min(n, start + 64)
                var word: UInt64 = 0
                var i = start
                while i < end {
                    // Marks are sparse: eight bytes at a time while they are all 0.
                    if i + 8 <= end, let raw, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { i += 8; continue }
                    if bits[i] != 0 { word |= 1 << UInt64(i - start) }
                    i += 1
                }
                count += word.nonzeroBitCount
                words[k] = word
            }
        }
        precondition(count == values.count, "\(count) marked pixels, \(values.count) values")
        precondition(count < Int(UInt32.max), "\(count) samples exceed 2³²")
        self.words = words
        self.before = before
        self.values = values
    }

    /// Sampled pixels.
    public var count: Int { values.count }

    /// The position of raster index `index` among the sampled pixels in raster order (0 ..< count),
    /// nil when the pixel was not sampled: a dense numbering of a skeleton's pixels.
    @inline(__always)
    public func rank(of index: Int) -> Int? {
        let k = index >> 6, bit = UInt64(index & 63)
        let word = words[k]
        guard word & (1 << bit) != 0 else { return nil }
        return Int(before[k]) + (word & ((1 << bit) &- 1)).nonzeroBitCount
    }

    /// The distance at raster index `index` (y × width + x), px; 0 at a pixel that was not sampled.
    @inline(__always)
    public subscript(index: Int) -> Float {
        let k = index >> 6, bit = UInt64(index & 63)
        let word = words[k]
        guard word & (1 << bit) != 0 else { return 0 }
        return values[Int(before[k]) + (word & ((1 << bit) &- 1)).nonzeroBitCount]
    }
}
