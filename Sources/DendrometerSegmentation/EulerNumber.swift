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
/// - Parameter mask: shape (rows, cols); outside the image is background.
/// - Returns: the Euler number (may be negative).
/// - Complexity: O(pixels), parallel over row bands.
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
    // 4 × coefficient for each quad code a | b<<1 | c<<2 | d<<3 (a b / c d).
    let weight: [Int] = (0 ..< 16).map { q in
        switch q {
        case 1, 2, 4, 8: 1                // Q1
        case 7, 11, 13, 14: -1            // Q3
        case 6, 9: -2                     // QD
        default: 0
        }
    }
    // Windows: rows y-1, y for y in 0 ... h (padded), columns x-1, x for x in 0 ... w.
    let chunks = max(1, min(Concurrency.maximumThreads * 2, (h + 1) / 64))
    var partial = [Int](repeating: 0, count: chunks)
    mask.bits.withUnsafeBufferPointer { bb in
        weight.withUnsafeBufferPointer { wb in
            partial.withUnsafeMutableBufferPointer { pb in
                let bits = SendablePointer(UnsafeMutablePointer(mutating: bb.baseAddress!))
                let wt = SendablePointer(UnsafeMutablePointer(mutating: wb.baseAddress!))
                let out = SendablePointer(pb.baseAddress!)
                parallelBands(chunks, minimumPerBand: 1) { range in
                    for c in range {
                        var sum = 0
                        for y in c * (h + 1) / chunks ..< (c + 1) * (h + 1) / chunks {
                            let top: UnsafeMutablePointer<UInt8>? = y > 0 ? bits.base + (y - 1) * w : nil
                            let bottom: UnsafeMutablePointer<UInt8>? = y < h ? bits.base + y * w : nil
                            var left = 0   // code bits of the left column (a, c) of the window
                            var x = 0
                            while x <= w {
                                // Eight empty columns after an empty one: eight empty windows.
                                if left == 0 && x + 8 <= w {
                                    let t = top.map { UnsafeRawPointer($0 + x).loadUnaligned(as: UInt64.self) } ?? 0
                                    let b = bottom.map { UnsafeRawPointer($0 + x).loadUnaligned(as: UInt64.self) } ?? 0
                                    if t | b == 0 { x += 8; continue }
                                }
                                var right = 0
                                if x < w {
                                    if let top { right |= Int(top[x]) }
                                    if let bottom { right |= Int(bottom[x]) << 1 }
                                }
                                // a = top-left, b = top-right, c = bottom-left, d = bottom-right
                                let code = (left & 1) | ((right & 1) << 1) | ((left >> 1) << 2) | ((right >> 1) << 3)
                                sum += wt.base[code]
                                left = right
                                x += 1
                            }
                        }
                        out.base[c] = sum
                    }
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
