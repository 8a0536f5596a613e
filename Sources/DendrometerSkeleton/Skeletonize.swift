// Skeletonization by parallel two-subiteration thinning.
//
// Algorithm: Z. Guo and R. W. Hall, "Parallel thinning with two-subiteration
// algorithms", Comm. ACM 32(3):359–373, 1989, algorithm A1 (the same
// algorithm as `skimage.morphology.thin`), followed by a sequential clean-up of
// 2×2 blocks and staircase corners that deletes only simple points
// (S. Yokoi, J. Toriwaki, T. Fukumura, "An analysis of topological properties
// of digitized binary pictures using local features", CGIP 4:63–73, 1975:
// a pixel is 8-simple iff its 8-connectivity number is 1).
//
// The deletion rules are 256-entry lookup tables indexed by the 8-neighbour
// code of a pixel; the tables are generated from the paper's conditions at
// first use (see `ThinningTables`).
//
// `ThinningMethod.zhang` is the other choice: the two-subiteration algorithm of
// T. Y. Zhang and C. Y. Suen ("A fast parallel algorithm for thinning digital
// patterns", Comm. ACM 27(3):236–239, 1984) with scikit-image's deletion table,
// so the result is bit for bit `skimage.morphology.skeletonize(mask)` (what skan
// users measure), with no clean-up. It runs in the same chunk-tracked kernel.
import CVectorKernels
import DendrometerCore
import DendrometerFilters

/// Returns the skeleton of `mask`: a one-pixel-wide, 8-connected,
/// topology-preserving thinning.
///
/// Method: Guo & Hall (1989) algorithm A1 — two parallel subiterations whose
/// deletion rules are lookup tables on the 8-neighbour code — repeated until
/// no pixel changes, then a clean-up pass that removes, one at a time in
/// raster order, every remaining pixel that lies in a 2×2 block of phase or
/// is the corner of a staircase (two 4-neighbours at a right angle) and is
/// 8-simple and not an end (≥ 2 neighbours). Both steps are repeated until
/// neither changes anything, so `skeletonize(skeletonize(m)) == skeletonize(m)`.
///
/// Guarantees: result ⊆ `mask`; the number of 8-connected phase components
/// and of 4-connected background holes is unchanged; no 2×2 block of phase
/// remains.
///
/// - Border mode: the image is treated as surrounded by background (padded
///   by one background pixel), so objects touching the border are thinned
///   too (OpenCV's `ximgproc.thinning` and ImageJ leave the outer ring).
/// - Connectivity: phase 8-connected, background 4-connected.
/// - Complexity: O(width × height) per iteration at worst, iterations ≈ half
///   the thickest object's width; after the first iteration only 64-px row
///   chunks next to a chunk that changed are revisited, 8 pixels per 64-bit
///   word, in parallel row bands (`parallelBands`). About 0.13–0.15 s for a
///   4096² dendrite mask (20 % phase) on 2 cores, ≈ 4× faster than
///   `skimage.morphology.skeletonize` (tools/reference/bench_skeleton.py).
///
/// - Parameter mask: the binary mask, shape (rows, cols) = (height, width).
///   Not modified.
/// - Returns: the skeleton, same shape.
///
/// Example (a 3 × 5 bar thins to its middle row minus the ends that the
/// Guo–Hall rules shave off):
///
/// ```swift
/// let bar = BinaryMask(rows: [".......",
///                             ".#####.",
///                             ".#####.",
///                             ".#####.",
///                             "......."])
/// skeletonize(bar).rows
/// // [".......",
/// //  ".......",
/// //  "..###..",
/// //  ".......",
/// //  "......."]
/// ```
public func skeletonize(_ mask: BinaryMask) -> BinaryMask {
    skeletonize(mask, path: .fast)
}

/// The thinning algorithm that turns a mask into a skeleton.
public enum ThinningMethod: String, Sendable, Codable, CaseIterable {
    /// Guo & Hall (1989) A1, then the clean-up of 2×2 blocks and staircase corners
    /// (``skeletonize(_:)``): one pixel wide everywhere; tapered tips shortened by
    /// the A1 rules (≈ 7–9 % less length than Zhang–Suen on thick, tapered shapes).
    case guoHall = "guo-hall"
    /// Zhang & Suen (1984) with scikit-image's deletion table, no clean-up: bit for bit
    /// `skimage.morphology.skeletonize(mask)`, so lengths agree with skan on it.
    /// Staircase corners remain (8-connected pixels that are also 4-connected).
    case zhang
}

/// The skeleton of `mask` by `method`.
///
/// - Parameters:
///   - mask: the binary mask, shape (rows, cols) = (height, width). Not modified.
///   - method: ``ThinningMethod/guoHall`` is ``skeletonize(_:)``;
///     ``ThinningMethod/zhang`` is ``zhangSuenThin(_:)``.
/// - Returns: the skeleton, same shape.
public func skeletonize(_ mask: BinaryMask, method: ThinningMethod) -> BinaryMask {
    switch method {
    case .guoHall: skeletonize(mask, path: .fast)
    case .zhang: zhangSuenThin(mask)
    }
}

/// Which implementation `skeletonize(_:path:)` runs.
public enum ThinningPath: Sendable {
    /// Chunk-tracked, banded parallel kernel (the default).
    case fast
    /// Plain full-image scans on one thread; the reference the fast path is tested against.
    case scalarReference
}

/// ``skeletonize(_:)`` with a choice of implementation; both give identical
/// output. Use `.scalarReference` to check the fast path.
public func skeletonize(_ mask: BinaryMask, path: ThinningPath) -> BinaryMask {
    skeletonize(mask, path: path, kernels: .active)
}

/// ``skeletonize(_:path:)`` with the scan's vector kernels chosen (all give the same skeleton).
func skeletonize(_ mask: BinaryMask, path: ThinningPath, kernels: VectorKernels) -> BinaryMask {
    if mask.width == 0 || mask.height == 0 { return mask }
    var padded = PaddedMask(mask)
    switch path {
    case .fast:
        let w = padded.width, h = padded.height
        padded.buffer.withUnsafeMutableBufferPointer { buf in
            do {
                // After the first round only the neighbourhoods of pixels deleted
                // by the clean-up can change, and only rows next to a deletion
                // need cleaning again.
                var seeds: [Int]? = nil
                repeat {
                    var rows = [UInt8](repeating: 0, count: h)
                    thinFast(buf.baseAddress!, width: w, height: h, seeds: seeds, changedRows: &rows, kernels: kernels)
                    for i in seeds ?? [] { rows[i / w] = 1 }
                    seeds = cleanUp(buf.baseAddress!, width: w, height: h, rows: seeds == nil ? nil : rows)
                } while !seeds!.isEmpty
            }
        }
    case .scalarReference:
        padded.buffer.withUnsafeMutableBufferPointer { buf in
            repeat {
                thinReference(buf.baseAddress!, width: padded.width, height: padded.height)
            } while !cleanUp(buf.baseAddress!, width: padded.width, height: padded.height).isEmpty
        }
    }
    return padded.unpadded()
}

/// Guo & Hall thinning alone (no 2×2 / staircase clean-up), exactly as
/// `skimage.morphology.thin(mask)` computes it. Exposed for reference
/// comparisons; the pipeline uses ``skeletonize(_:)``.
///
/// - Parameter mask: the binary mask, shape (rows, cols). Not modified.
/// - Returns: the thinned mask (may contain 2×2 blocks, which A1 keeps).
public func guoHallThin(_ mask: BinaryMask) -> BinaryMask {
    if mask.width == 0 || mask.height == 0 { return mask }
    var padded = PaddedMask(mask)
    var rows = [UInt8](repeating: 0, count: padded.height)
    padded.buffer.withUnsafeMutableBufferPointer { buf in
        thinFast(buf.baseAddress!, width: padded.width, height: padded.height, seeds: nil, changedRows: &rows)
    }
    return padded.unpadded()
}

/// Zhang–Suen thinning exactly as `skimage.morphology.skeletonize(mask)` (2-D,
/// method "zhang", scikit-image 0.19–0.26) computes it: subiteration 1 then 2,
/// each deciding every pixel on the image as it was when the subiteration
/// began, repeated until neither deletes anything; the image is padded with
/// background. Deletion tables: ``ThinningTables/zhangFirst`` and
/// ``ThinningTables/zhangSecond``.
///
/// Example (a 2×2 block keeps its upper row, as in scikit-image):
///
/// ```swift
/// zhangSuenThin(BinaryMask(rows: ["....", ".##.", ".##.", "...."])).rows
/// // ["....", ".##.", "....", "...."]
/// ```
///
/// - Parameter mask: the binary mask, shape (rows, cols). Not modified.
/// - Returns: the thinned mask; 8-connected components and background holes preserved,
///   but not always one pixel wide in the 4-connected sense (staircase corners stay).
public func zhangSuenThin(_ mask: BinaryMask) -> BinaryMask {
    zhangSuenThin(mask, kernels: .active)
}

/// ``zhangSuenThin(_:)`` with the scan's vector kernels chosen (all give the same skeleton).
func zhangSuenThin(_ mask: BinaryMask, kernels: VectorKernels) -> BinaryMask {
    if mask.width == 0 || mask.height == 0 { return mask }
    var padded = PaddedMask(mask)
    var rows = [UInt8](repeating: 0, count: padded.height)
    padded.buffer.withUnsafeMutableBufferPointer { buf in
        thinFast(buf.baseAddress!, width: padded.width, height: padded.height, seeds: nil, changedRows: &rows,
                 rules: .zhangSuen, kernels: kernels)
    }
    return padded.unpadded()
}

// MARK: - Lookup tables

/// 8-neighbour code convention (Guo & Hall's x1…x8, counter-clockwise from
/// east): bit 0 = E, 1 = NE, 2 = N, 3 = NW, 4 = W, 5 = SW, 6 = S, 7 = SE,
/// where N is the row above (y − 1).
enum ThinningTables {
    /// Bit k of `code` is neighbour x_{k+1}; x9 = x1.
    @inline(__always) static func x(_ code: Int, _ i: Int) -> Bool { (code >> ((i - 1) & 7)) & 1 != 0 }

    /// Hilditch crossing number X_H (= Yokoi's 8-connectivity number):
    /// Σ_{i=1..4} [x_{2i−1} = 0 ∧ (x_{2i} = 1 ∨ x_{2i+1} = 1)].
    static func crossingNumber(_ c: Int) -> Int {
        var s = 0
        for i in 1 ... 4 where !x(c, 2 * i - 1) && (x(c, 2 * i) || x(c, (2 * i + 1 - 1) % 8 + 1)) { s += 1 }
        return s
    }

    /// Guo–Hall condition G2: 2 ≤ min(n1, n2) ≤ 3.
    static func g2(_ c: Int) -> Bool {
        var n1 = 0, n2 = 0
        for k in 1 ... 4 {
            if x(c, 2 * k - 1) || x(c, 2 * k) { n1 += 1 }
            if x(c, 2 * k) || x(c, (2 * k + 1 - 1) % 8 + 1) { n2 += 1 }
        }
        let m = min(n1, n2)
        return m >= 2 && m <= 3
    }

    /// Deletion table of subiteration 1: G1 ∧ G2 ∧ G3, G3 = ((x2 ∨ x3 ∨ ¬x8) ∧ x1) = 0.
    static let first: [UInt8] = (0 ..< 256).map { c in
        let g3 = !((x(c, 2) || x(c, 3) || !x(c, 8)) && x(c, 1))
        return crossingNumber(c) == 1 && g2(c) && g3 ? 1 : 0
    }

    /// Deletion table of subiteration 2: G1 ∧ G2 ∧ G3', G3' = ((x6 ∨ x7 ∨ ¬x4) ∧ x5) = 0.
    static let second: [UInt8] = (0 ..< 256).map { c in
        let g3p = !((x(c, 6) || x(c, 7) || !x(c, 4)) && x(c, 5))
        return crossingNumber(c) == 1 && g2(c) && g3p ? 1 : 0
    }

    /// Zhang–Suen's conditions for subiteration `pass` (1 or 2), in the paper's names
    /// (P2 = N, P3 = NE, …, P9 = NW, clockwise): 2 ≤ B(P1) ≤ 6 neighbours, A(P1) = 1
    /// background→phase transition around the ring, and P2·P4·P6 = P4·P6·P8 = 0 (pass 1)
    /// or P2·P4·P8 = P2·P6·P8 = 0 (pass 2).
    static func zhangSuenPaper(_ c: Int, pass: Int) -> Bool {
        // Clockwise from N in this file's bit numbers: N = x3, NE = x2, E = x1, SE = x8, …
        let ring = [3, 2, 1, 8, 7, 6, 5, 4].map { x(c, $0) }
        let b = ring.filter { $0 }.count
        let a = (0 ..< 8).filter { !ring[$0] && ring[($0 + 1) % 8] }.count
        let (p2, p4, p6, p8) = (ring[0], ring[2], ring[4], ring[6])
        let directional = pass == 1 ? !(p2 && p4 && p6) && !(p4 && p6 && p8) : !(p2 && p4 && p8) && !(p2 && p6 && p8)
        return (2 ... 6).contains(b) && a == 1 && directional
    }

    /// Where scikit-image's deletion table departs from the paper's conditions: code
    /// (this file's bit order) → deletable in pass 1, in pass 2. Among them: two
    /// 4-neighbours at a right angle and nothing else (codes 5, 20, 65, 80) are deleted
    /// in both passes (A = 2 in the paper, yet the two neighbours touch diagonally, so
    /// removing the corner keeps 8-connectivity); a pixel with only E and NE (code 3) only
    /// in pass 1. Read off the table in scikit-image's `_skeletonize_cy.pyx` and checked
    /// against `skimage.morphology.skeletonize` on real masks (RealSkeletonTests).
    static let scikitImageExceptions: [Int: (Bool, Bool)] = [
        3: (true, false), 5: (true, true), 6: (true, false), 7: (true, false), 12: (true, false),
        13: (true, false), 20: (true, true), 22: (true, false), 24: (false, false), 28: (true, false),
        48: (false, true), 52: (true, false), 54: (true, false), 65: (true, true), 80: (true, true),
        88: (true, false), 96: (false, true), 97: (false, true), 99: (false, true), 112: (false, true),
        129: (false, true), 133: (false, true), 192: (false, false), 193: (false, true), 208: (false, true),
    ]

    /// Deletion table of Zhang–Suen subiteration 1, scikit-image's variant.
    static let zhangFirst: [UInt8] = (0 ..< 256).map { c in
        (scikitImageExceptions[c]?.0 ?? zhangSuenPaper(c, pass: 1)) ? 1 : 0
    }

    /// Deletion table of Zhang–Suen subiteration 2, scikit-image's variant.
    static let zhangSecond: [UInt8] = (0 ..< 256).map { c in
        (scikitImageExceptions[c]?.1 ?? zhangSuenPaper(c, pass: 2)) ? 1 : 0
    }

    /// Clean-up candidates: 8-simple (X_H = 1), at least two neighbours, and
    /// two 4-neighbours at a right angle (E∧N, N∧W, W∧S or S∧E), which covers
    /// every pixel of a 2×2 block and every staircase corner.
    static let cleanUp: [UInt8] = (0 ..< 256).map { c in
        let count = (0 ..< 8).reduce(0) { $0 + (c >> $1) & 1 }
        let rightAngle = (x(c, 1) && x(c, 3)) || (x(c, 3) && x(c, 5)) || (x(c, 5) && x(c, 7)) || (x(c, 7) && x(c, 1))
        return crossingNumber(c) == 1 && count >= 2 && rightAngle ? 1 : 0
    }
}

/// The deletion tables of a two-subiteration thinning, as ``thinFast`` runs them.
struct ThinningRules {
    let first: [UInt8]
    let second: [UInt8]
    /// Apply Guo–Hall's G3 / G3' bit-parallel before the table lookup (a shortcut: the
    /// tables contain them too).
    let guoHallPrefilter: Bool

    /// The tables packed one bit per code for the vector scan: code c is bit c & 7 of byte c >> 3.
    let firstBits: [UInt8]
    let secondBits: [UInt8]

    init(first: [UInt8], second: [UInt8], guoHallPrefilter: Bool) {
        self.first = first
        self.second = second
        self.guoHallPrefilter = guoHallPrefilter
        firstBits = Self.packed(first)
        secondBits = Self.packed(second)
    }

    /// A 256-entry 0/1 table as 32 bytes, entry c at bit c & 7 of byte c >> 3.
    static func packed(_ table: [UInt8]) -> [UInt8] {
        var bits = [UInt8](repeating: 0, count: 32)
        for c in 0 ..< 256 where table[c] != 0 { bits[c >> 3] |= 1 << UInt8(c & 7) }
        return bits
    }

    static let guoHall = ThinningRules(first: ThinningTables.first, second: ThinningTables.second, guoHallPrefilter: true)
    static let zhangSuen = ThinningRules(first: ThinningTables.zhangFirst, second: ThinningTables.zhangSecond,
                                         guoHallPrefilter: false)
}

// MARK: - Padded buffer

/// The mask copied into a buffer with a one-pixel background frame, so the
/// 8 neighbours of every interior pixel exist.
struct PaddedMask {
    let width: Int
    let height: Int
    var buffer: [UInt8]

    init(_ mask: BinaryMask) {
        width = mask.width + 2
        height = mask.height + 2
        let w = width, h = height, mw = mask.width
        buffer = [UInt8](unsafeUninitializedCapacity: w * h) { dst, initialized in
            let d = SendablePointer(dst.baseAddress!)
            mask.bits.withUnsafeBufferPointer { src in
                let s = src.baseAddress!
                d.base.initialize(repeating: 0, count: w)
                (d.base + (h - 1) * w).initialize(repeating: 0, count: w)
                parallelBands(h - 2, minimumPerBand: 64) { range in
                    for r in range {
                        let row = d.base + (r + 1) * w
                        row[0] = 0
                        row[w - 1] = 0
                        (row + 1).initialize(from: s + r * mw, count: mw)
                    }
                }
            }
            initialized = w * h
        }
    }

    func unpadded() -> BinaryMask {
        let mw = width - 2, mh = height - 2
        var out = BinaryMask(width: mw, height: mh)
        let w = width
        out.bits.withUnsafeMutableBufferPointer { dst in
            buffer.withUnsafeBufferPointer { src in
                let d = SendablePointer(dst.baseAddress!), s = src.baseAddress!
                parallelBands(mh, minimumPerBand: 64) { range in
                    for y in range { (d.base + y * mw).update(from: s + (y + 1) * w + 1, count: mw) }
                }
            }
        }
        return out
    }
}

/// The 8-neighbour code of the pixel at `p` (bit order of ``ThinningTables``).
/// Precondition: `p` is an interior pixel of a padded buffer of row stride `w`
/// holding only 0/1.
@inline(__always)
func neighbourCode(_ p: UnsafeMutablePointer<UInt8>, _ w: Int) -> Int {
    let up = p - w, down = p + w
    var c = Int(p[1])
    c |= Int(up[1]) << 1
    c |= Int(up[0]) << 2
    c |= Int(up[-1]) << 3
    c |= Int(p[-1]) << 4
    c |= Int(down[-1]) << 5
    c |= Int(down[0]) << 6
    c |= Int(down[1]) << 7
    return c
}

// MARK: - Scalar reference

/// Guo–Hall A1 until stable, full scans, one thread.
/// Precondition: `base` holds `width × height` bytes of 0/1 with a zero frame.
func thinReference(_ base: UnsafeMutablePointer<UInt8>, width w: Int, height h: Int) {
    var marks = [Int]()
    var changed = true
    while changed {
        changed = false
        for table in [ThinningTables.first, ThinningTables.second] {
            marks.removeAll(keepingCapacity: true)
            for y in 1 ..< h - 1 {
                for x in 1 ..< w - 1 {
                    let i = y * w + x
                    if base[i] != 0 && table[neighbourCode(base + i, w)] != 0 { marks.append(i) }
                }
            }
            for i in marks { base[i] = 0 }
            if !marks.isEmpty { changed = true }
        }
    }
}

// MARK: - Fast kernel

/// Width of the column chunks whose changes are tracked, px.
let chunkWidth = 64

/// Two-subiteration thinning (Guo–Hall A1 by default) until stable, banded and chunk-tracked.
///
/// Each subiteration (1) scans, in parallel row bands, only the 64-px row
/// chunks whose 3 × 3 chunk neighbourhood changed since this subiteration last
/// ran (32 pixels at a time with `kernels`' vectors, `dm_thin_scan_u8`, then
/// 8 at a time, skipping background), writing deletion flags into a
/// separate buffer (the image is only read), then (2) applies the flags of the
/// chunks that found some, in parallel bands, and marks those chunks dirty for
/// both subiterations.
///
/// - Parameters:
///   - seeds: padded pixel indices whose neighbourhoods must be
///     (re)examined; `nil` examines the whole image.
///   - changedRows: `h` bytes; rows where a pixel was deleted are set to 1.
///   - rules: the deletion tables; neither may delete a pixel whose four 4-neighbours
///     are all phase (the scan skips those 8 at a time).
///
/// Preconditions (unchecked): `base` holds `w × h` bytes of 0/1 with a zero
/// one-pixel frame; `w, h ≥ 3`.
func thinFast(_ base: UnsafeMutablePointer<UInt8>, width w: Int, height h: Int, seeds: [Int]?,
              changedRows: inout [UInt8], rules: ThinningRules = .guoHall, kernels: VectorKernels = .active) {
    let isa = kernels.isa ?? DM_ISA_BASELINE
    let innerW = w - 2
    let chunks = (innerW + chunkWidth - 1) / chunkWidth
    // Per (row, chunk) flags, with a zero frame of one chunk column left/right
    // (rows 0 and h − 1 are the pixel frame and stay zero).
    let cw = chunks + 2
    let cellCount = cw * h
    var dirty0 = [UInt8](repeating: 0, count: cellCount)
    if let seeds {
        for i in seeds { dirty0[(i / w) * cw + 1 + ((i % w) - 1) / chunkWidth] = 1 }
    } else {
        for y in 1 ..< h - 1 { for c in 1 ... chunks { dirty0[y * cw + c] = 1 } }
    }
    var dirty1 = dirty0
    // Per-row summaries of the dirty flags (any dirty cell in the row), so rows
    // far from any change are skipped without looking at their cells.
    var rowDirty0 = [UInt8](repeating: 0, count: h)
    for y in 0 ..< h { for c in 1 ... chunks where dirty0[y * cw + c] != 0 { rowDirty0[y] = 1; break } }
    var rowDirty1 = rowDirty0
    var rowActive = [UInt8](repeating: 0, count: h)
    var active = [UInt8](repeating: 0, count: cellCount)  // 1 scanned, 2 scanned and found deletions
    var rowDeleted = [UInt8](repeating: 0, count: h)
    var flags = [UInt8](repeating: 0, count: w * h)

    let prefilterG3 = rules.guoHallPrefilter
    rules.first.withUnsafeBufferPointer { lut1 in
    rules.second.withUnsafeBufferPointer { lut2 in
    rules.firstBits.withUnsafeBufferPointer { bits1 in
    rules.secondBits.withUnsafeBufferPointer { bits2 in
    dirty0.withUnsafeMutableBufferPointer { d0 in
    dirty1.withUnsafeMutableBufferPointer { d1 in
    active.withUnsafeMutableBufferPointer { act in
    changedRows.withUnsafeMutableBufferPointer { cr in
    flags.withUnsafeMutableBufferPointer { fl in
    rowDeleted.withUnsafeMutableBufferPointer { rd in
    rowDirty0.withUnsafeMutableBufferPointer { rw0 in
    rowDirty1.withUnsafeMutableBufferPointer { rw1 in
    rowActive.withUnsafeMutableBufferPointer { ra in
        let img = SendablePointer(base)
        let flg = SendablePointer(fl.baseAddress!)
        let crp = SendablePointer(cr.baseAddress!)
        let dp0 = SendablePointer(d0.baseAddress!), dp1 = SendablePointer(d1.baseAddress!)
        let ap = SendablePointer(act.baseAddress!)
        let rdp = SendablePointer(rd.baseAddress!)
        let rwp0 = SendablePointer(rw0.baseAddress!), rwp1 = SendablePointer(rw1.baseAddress!)
        let rap = SendablePointer(ra.baseAddress!)
        let luts = (lut1.baseAddress!, lut2.baseAddress!)
        let packedLuts = (bits1.baseAddress!, bits2.baseAddress!)
        var anyChange = true
        while anyChange {
            anyChange = false
            for sub in 0 ..< 2 {
                let lut = sub == 0 ? luts.0 : luts.1
                let packedLut = sub == 0 ? packedLuts.0 : packedLuts.1
                let ones: UInt64 = 0x0101_0101_0101_0101
                let dirty = sub == 0 ? dp0.base : dp1.base
                let rowDirty = sub == 0 ? rwp0.base : rwp1.base
                let rowDirtyOther = sub == 0 ? rwp1.base : rwp0.base
                // (1) scan: reads image and dirty flags, writes own rows of flags/active.
                parallelBands(h - 2, minimumPerBand: 16) { range in
                    let image = img.base, f = flg.base, a = ap.base
                    let raw = UnsafeRawPointer(image)
                    for r in range {
                        let y = r + 1
                        var rowHit: UInt8 = 0
                        let rowNear = rowDirty[y - 1] | rowDirty[y] | rowDirty[y + 1]
                        rap.base[y] = rowNear
                        if rowNear == 0 { rdp.base[y] = 0; continue }
                        for c in 1 ... chunks {
                            let k = y * cw + c
                            let near = dirty[k - cw - 1] | dirty[k - cw] | dirty[k - cw + 1]
                                | dirty[k - 1] | dirty[k] | dirty[k + 1]
                                | dirty[k + cw - 1] | dirty[k + cw] | dirty[k + cw + 1]
                            if near == 0 { a[k] = 0; continue }
                            let x0 = 1 + (c - 1) * chunkWidth
                            let x1 = min(x0 + chunkWidth, w - 1)
                            var i = y * w + x0
                            let end = y * w + x1
                            var hit: UInt8 = 0
                            // 32 pixels at a time where the processor has the vectors (the
                            // same tables, so the same flags), then 8 at a time.
                            var vectorHit: Int32 = 0
                            i += dm_thin_scan_u8(isa, image + i, f + i, w, end - i, packedLut, &vectorHit)
                            if vectorHit != 0 { hit = 1 }
                            // 8 pixels at a time (bit-parallel, little-endian): bytes are
                            // 0/1, so `c & ~(e & wv & n & s)` has bit 8k set exactly when
                            // pixel k is phase with a 4-neighbour in the background (the
                            // only pixels G1 can delete), and OR-ing the 8 neighbour words
                            // shifted by their bit number puts pixel k's neighbour code in
                            // byte k.
                            let fw = UnsafeMutableRawPointer(f)
                            while i + 8 <= end {
                                let c = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                                if c != 0 {
                                    let e = raw.loadUnaligned(fromByteOffset: i + 1, as: UInt64.self)
                                    let wv = raw.loadUnaligned(fromByteOffset: i - 1, as: UInt64.self)
                                    let n = raw.loadUnaligned(fromByteOffset: i - w, as: UInt64.self)
                                    let s = raw.loadUnaligned(fromByteOffset: i + w, as: UInt64.self)
                                    var m = c & ~(e & wv & n & s)
                                    if m != 0 {
                                        let ne = raw.loadUnaligned(fromByteOffset: i - w + 1, as: UInt64.self)
                                        let nw = raw.loadUnaligned(fromByteOffset: i - w - 1, as: UInt64.self)
                                        let sw = raw.loadUnaligned(fromByteOffset: i + w - 1, as: UInt64.self)
                                        let se = raw.loadUnaligned(fromByteOffset: i + w + 1, as: UInt64.self)
                                        // Condition G3 (sub 1) / G3' (sub 2), bit-parallel, before the table.
                                        if prefilterG3 {
                                            m &= sub == 0 ? ~((ne | n | (~se & ones)) & e) : ~((sw | s | (~nw & ones)) & wv)
                                        }
                                        let codes = e | ne << 1 | n << 2 | nw << 3 | wv << 4 | sw << 5 | s << 6 | se << 7
                                        var del: UInt64 = 0
                                        while m != 0 {
                                            let sh = UInt64(m.trailingZeroBitCount)
                                            if lut[Int((codes >> sh) & 0xFF)] != 0 { del |= 1 << sh }
                                            m &= m &- 1
                                        }
                                        if del != 0 {
                                            fw.storeBytes(of: del, toByteOffset: i, as: UInt64.self)
                                            hit = 1
                                        }
                                    }
                                }
                                i += 8
                            }
                            while i < end {
                                if image[i] != 0 && lut[neighbourCode(image + i, w)] != 0 { f[i] = 1; hit = 1 }
                                i += 1
                            }
                            a[k] = 1 + hit
                            rowHit |= hit
                        }
                        rdp.base[y] = rowHit
                    }
                }
                // (2) apply: clears flagged pixels, marks changed chunks (own rows).
                parallelBands(h - 2, minimumPerBand: 16) { range in
                    let image = img.base, f = flg.base, a = ap.base
                    let e0 = dp0.base, e1 = dp1.base
                    for r in range {
                        let y = r + 1
                        if rap.base[y] == 0 { continue }
                        let rowHit = rdp.base[y] != 0
                        // Every dirty cell of this row was active, so after this
                        // pass the row is dirty exactly where it changed now.
                        rowDirty[y] = rowHit ? 1 : 0
                        if rowHit { rowDirtyOther[y] = 1; crp.base[y] = 1 }
                        for c in 1 ... chunks {
                            let k = y * cw + c
                            if a[k] == 0 { continue }
                            dirty[k] = 0
                            if !rowHit || a[k] != 2 { continue }
                            let x0 = 1 + (c - 1) * chunkWidth
                            let x1 = min(x0 + chunkWidth, w - 1)
                            let fr = UnsafeMutableRawPointer(f), ir = UnsafeMutableRawPointer(image)
                            var i = y * w + x0
                            let end = y * w + x1
                            while i + 8 <= end {
                                let del = fr.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                                if del != 0 {
                                    let v = ir.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                                    ir.storeBytes(of: v & ~del, toByteOffset: i, as: UInt64.self)
                                    fr.storeBytes(of: 0, toByteOffset: i, as: UInt64.self)
                                }
                                i += 8
                            }
                            while i < end {
                                if f[i] != 0 { f[i] = 0; image[i] = 0 }
                                i += 1
                            }
                            e0[k] = 1; e1[k] = 1
                        }
                    }
                }
                for y in 1 ..< h - 1 where rd[y] != 0 { anyChange = true; break }
            }
        }
    }}}}}}}}}}}}}
}

// MARK: - Clean-up

/// Sequential raster pass deleting 8-simple, non-end pixels that sit in a
/// 2×2 block or at a staircase corner (``ThinningTables/cleanUp``), each
/// re-checked against the current image just before deletion, so every single
/// deletion preserves topology. Background is skipped 8 bytes at a time.
///
/// - Parameter rows: optional `h` row flags; when given, only rows next to
///   (or on) a flagged row are scanned.
///
/// Preconditions (unchecked): as ``thinFast``. Returns the padded indices of
/// the deleted pixels (empty when nothing changed).
func cleanUp(_ base: UnsafeMutablePointer<UInt8>, width w: Int, height h: Int, rows: [UInt8]? = nil) -> [Int] {
    // (1) In parallel bands, on the current image, flag the rows holding a
    // candidate. (2) Sequential raster pass over flagged rows and over every row
    // following a row where a pixel was deleted in this pass: a row with no
    // candidate whose upper neighbour row lost nothing cannot gain one before
    // the pass reaches it, so this equals a full sequential raster pass.
    var candidateRow = [UInt8](repeating: 0, count: h)
    var deleted: [Int] = []
    ThinningTables.cleanUp.withUnsafeBufferPointer { lut in
        candidateRow.withUnsafeMutableBufferPointer { cr in
            let crp = SendablePointer(cr.baseAddress!)
            let img = SendablePointer(base)
            let table = lut.baseAddress!
            parallelBands(h - 2, minimumPerBand: 32) { range in
                let p = img.base
                let raw = UnsafeRawPointer(p)
                for r in range {
                    let y = r + 1
                    if let rows, rows[y - 1] | rows[y] | rows[y + 1] == 0 { continue }
                    var i = y * w + 1
                    let end = y * w + w - 1
                    while i < end {
                        if i + 8 <= end && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { i += 8; continue }
                        if p[i] != 0 && table[neighbourCode(p + i, w)] != 0 { crp.base[y] = 1; break }
                        i += 1
                    }
                }
            }
        }
        var previousRowLost = false
        for y in 1 ..< h - 1 {
            guard candidateRow[y] != 0 || previousRowLost else { continue }
            previousRowLost = false
            var i = y * w + 1
            let end = y * w + w - 1
            while i < end {
                if base[i] != 0 && lut[neighbourCode(base + i, w)] != 0 {
                    base[i] = 0
                    deleted.append(i)
                    previousRowLost = true
                }
                i += 1
            }
        }
    }
    return deleted
}
