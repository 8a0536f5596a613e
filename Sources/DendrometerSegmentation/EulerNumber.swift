// Euler number of a binary mask (8-connected phase, 4-connected background)
// by bit-quad counting.
// Reference: S. B. Gray, "Local properties of binary images in two
// dimensions", IEEE Trans. Computers C-20(5), 551–561 (1971):
// E₈ = (n(Q₁) − n(Q₃) − 2·n(Q_D)) / 4 over all 2×2 windows of the
// zero-padded mask, Q₁ = one phase pixel, Q₃ = three, Q_D = two on a diagonal.
// Equals `skimage.measure.euler_number(mask, connectivity=2)`.
import DendrometerCore

/// Euler number of the phase: components − holes, with the phase
/// 8-connected and the background 4-connected.
///
/// The 2 × 2 windows are classified 64 at a time: each row is packed one bit per pixel, and for
/// the windows at columns x of a pair of rows (a b / c d = top x−1, top x / bottom x−1, bottom x)
/// the words a, b, c, d give Q₁ = odd ∧ ¬(two or more), Q₃ = odd ∧ (two or more) and Q_D =
/// (a ∧ d ∧ ¬b ∧ ¬c) ∨ (b ∧ c ∧ ¬a ∧ ¬d), counted with `popcount`.
///
/// - Parameter mask: shape (rows, cols); outside the image is background.
/// - Returns: the Euler number (may be negative).
/// - Complexity: O(pixels / 64) window words after O(pixels) packing, parallel over row bands.
///
/// ```swift
/// let ring = BinaryMask(rows: ["###",
///                              "#.#",
///                              "###"])
/// eulerNumber(ring)   // 0 (one component, one hole)
/// ```
public func eulerNumber(_ mask: BinaryMask) -> Int {
    let w = mask.width, h = mask.height
    guard w > 0, h > 0 else { return 0 }
    // Column x at bit x % 64 of word x / 64; one word more than the row needs, so the windows at
    // x = w (the right padding, b = d = 0) lie in the words too.
    let words = w / 64 + 1
    // Windows: rows y-1, y for y in 0 ... h (padded).
    let chunks = max(1, min(Concurrency.maximumThreads * 2, (h + 1) / 64))
    var partial = [Int](repeating: 0, count: chunks)
    mask.bits.withUnsafeBufferPointer { bb in
        partial.withUnsafeMutableBufferPointer { pb in
            let bits = SendableConstPointer(bb.baseAddress!)
            let out = SendablePointer(pb.baseAddress!)
            parallelBands(chunks, minimumPerBand: 1) { range in
                let rows = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * words)
                defer { rows.deallocate() }
                for c in range {
                    var top = rows, bottom = rows + words
                    let y0 = c * (h + 1) / chunks, y1 = (c + 1) * (h + 1) / chunks
                    if y0 > 0 {
                        packRow(bits.base + (y0 - 1) * w, width: w, words: words, invert: false, into: top)
                    } else {
                        top.initialize(repeating: 0, count: words)
                    }
                    var sum = 0
                    for y in y0 ..< y1 {
                        if y < h {
                            packRow(bits.base + y * w, width: w, words: words, invert: false, into: bottom)
                        } else {
                            bottom.initialize(repeating: 0, count: words)
                        }
                        var carryTop: UInt64 = 0, carryBottom: UInt64 = 0   // column x−1 of the previous word's last window
                        for j in 0 ..< words {
                            let b = top[j], d = bottom[j]
                            let a = b << 1 | carryTop, c = d << 1 | carryBottom
                            carryTop = b >> 63
                            carryBottom = d >> 63
                            let odd = a ^ b ^ c ^ d
                            let twoOrMore = (a & b) | (c & d) | ((a ^ b) & (c ^ d))
                            let diagonal = (a & d & ~(b | c)) | (b & c & ~(a | d))
                            sum += (odd & ~twoOrMore).nonzeroBitCount - (odd & twoOrMore).nonzeroBitCount - 2 * diagonal.nonzeroBitCount
                        }
                        swap(&top, &bottom)
                    }
                    out.base[c] = sum
                }
            }
        }
    }
    return partial.reduce(0, +) / 4
}

/// Components, holes and Euler number of the phase (docs/REFERENCE.md §4): the phase is
/// 8-connected, the background 4-connected, holes = components − Euler number.
public struct ConnectivitySummary: Sendable, Equatable, Codable {
    /// 8-connected components of the phase.
    public var components: Int
    /// Background regions enclosed by the phase (independent loops).
    public var holes: Int
    /// Euler number = components − holes.
    public var eulerNumber: Int

    /// Creates a summary from its three numbers.
    public init(components: Int, holes: Int, eulerNumber: Int) {
        self.components = components
        self.holes = holes
        self.eulerNumber = eulerNumber
    }
}

/// Components, holes and Euler number of a mask, exactly as given.
///
/// - Parameter mask: shape (rows, cols); outside the image is background (a
///   hole touching the border is not a hole).
/// - Complexity: O(pixels).
///
/// ```swift
/// let figure8 = BinaryMask(rows: ["###",
///                                 "#.#",
///                                 "###",
///                                 "#.#",
///                                 "###"])
/// connectivitySummary(figure8)   // components 1, holes 2, eulerNumber -1
/// ```
public func connectivitySummary(_ mask: BinaryMask) -> ConnectivitySummary {
    let c = componentCount(mask, connectivity: .eight)
    let e = eulerNumber(mask)
    return ConnectivitySummary(components: c, holes: c - e, eulerNumber: e)
}
