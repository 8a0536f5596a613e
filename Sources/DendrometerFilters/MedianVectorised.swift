// Median of 3×3 and 5×5 windows on integer samples by min/max selection
// networks applied lane-parallel across a row of pixels (branch-free min/max
// loops that LLVM vectorises: 16 UInt8 / 8 UInt16 lanes per SSE register in the
// default x86-64 build), after the sorting-network scheme of OpenCV's
// medianBlur_SortNet, with the column presort of A. Paeth, "Median finding on
// a 3×3 grid" (Graphics Gems, 1990):
//
// 1. Vertical pass, once per output row: the 2r+1 input rows are sorted
//    column by column (3 compare-swaps for 3 rows, 9 for 5 rows), giving
//    2r+1 "level" lines (level 0 = smallest sample of each column). The
//    levels are reflect-padded by r samples on each side.
// 2. Horizontal pass: output x reads the sorted columns x−r ... x+r from the
//    level lines (loads at x+j) and selects the median with a network that
//    assumes sorted columns:
//    - 3×3: med3(max of the 3 level-0 samples, med3 of the level-1 samples,
//      min of the level-2 samples) — 12 min/max per pixel (Paeth).
//    - 5×5: every level sorted across the 5 columns, then the median of the 13
//      candidates (i+1)(j+1) ≤ 13 ∧ (5−i)(5−j) ≤ 13 of the row- and column-sorted
//      5×5 matrix (the 6 samples below them are ≤ the median, the 6 above ≥),
//      by Batcher's odd-even merge sort restricted to the median; then pruned:
//      compare-swaps that never swap on any of the 6⁵ = 7776 column-sorted 0-1
//      inputs, or whose removal keeps the output right on all of them (greedy),
//      are dropped, and only min/max that reach the output are kept: 100 min/max
//      per pixel (Devillard's opt_med25 on unsorted input: 198).
//    Both networks are checked exhaustively with the 0-1 principle
//    (Knuth TAOCP 3, 5.3.4) in MedianFilterTests.
// On processors with AVX2 or AVX-512BW both passes run in the C row kernels of
// CVectorKernels (the same networks on 256- or 512-bit vectors, bit-identical;
// see VectorKernels.swift); this Swift code is the portable path and the reference.
// Exact (a median is one of the samples), bit-identical to sorting each window.
// Cost per pixel: O(1); memory: (2r+1) level lines per band. Border: scipy
// 'reflect' (half-sample symmetric, repeated), applied to row indices and to
// the level lines, so no padded copy of the image is made.

import CVectorKernels
import DendrometerCore

/// Median filter for radius 1 or 2: per output row, a column sort into level
/// lines, then a per-pixel selection from the levels. Both loops are plain
/// min/max loops over unsafe pointers, which LLVM's loop vectoriser turns into
/// packed min/max instructions (16 UInt8 or 8 UInt16 lanes per SSE register).
///
/// Unchecked preconditions: `image` not empty; `r` is 1 or 2.
/// Returns an image of the same shape and `bitDepth`. Runs on parallel row bands,
/// with the C row kernels of `kernels` unless it is `.portable` or rows are
/// narrower than one of its vectors.
func medianSmallVectorised<T: PixelSample>(_ image: Image<T>, radius r: Int,
                                           kernels: VectorKernels = .active) -> Image<T> {
    let w = image.width, h = image.height
    let side = 2 * r + 1
    let pitch = w + 2 * r   // level line: r pad + w samples + r pad
    let rowKernels = WideMedianRows<T>(kernels, width: w)
    let pixels = [T](unsafeUninitializedCapacity: w * h) { ob, initialized in
        adviseHugePages(UnsafeMutableRawPointer(ob.baseAddress!), byteCount: w * h * MemoryLayout<T>.stride)
        image.pixels.withUnsafeBufferPointer { ib in
            let src = ib.baseAddress!
            let dst = SendablePointer(ob.baseAddress!)
            parallelBands(h, minimumPerBand: 16) { band in
                let levels = UnsafeMutablePointer<T>.allocate(capacity: side * pitch)
                levels.initialize(repeating: .zero, count: side * pitch)
                let rows = UnsafeMutablePointer<UnsafePointer<T>>.allocate(capacity: side)
                defer { levels.deallocate(); rows.deallocate() }
                for y in band {
                    for d in 0 ..< side { rows[d] = src + reflectIndex(y - r + d, h) * w }
                    sortColumns(rows, side: side, count: w, levels: levels + r, pitch: pitch, using: rowKernels)
                    for l in 0 ..< side {
                        let line = levels + l * pitch + r
                        for k in 1 ... r {
                            line[-k] = line[reflectIndex(-k, w)]
                            line[w - 1 + k] = line[reflectIndex(w - 1 + k, w)]
                        }
                    }
                    let o = dst.base + y * w
                    selectMedians(levels, pitch, side: side, count: w, out: o, using: rowKernels)
                }
            }
        }
        initialized = w * h
    }
    return Image(width: w, height: h, pixels: pixels, bitDepth: image.bitDepth)
}

/// Pass 1 for one output row: the C kernels `wide` when given, else the Swift loops.
/// Unchecked as `sortColumns3` / `sortColumns5`; `side` is 3 or 5.
@inline(__always)
func sortColumns<T: PixelSample>(_ rows: UnsafePointer<UnsafePointer<T>>, side: Int, count: Int,
                                 levels: UnsafeMutablePointer<T>, pitch: Int, using wide: WideMedianRows<T>?) {
    if let wide {
        wide.sortColumns(rows, side: side, count: count, levels: levels, pitch: pitch)
    } else if side == 3 {
        sortColumns3(rows, count: count, levels: levels, pitch: pitch)
    } else {
        sortColumns5(rows, count: count, levels: levels, pitch: pitch)
    }
}

/// Pass 2 for one output row: out[x] = median of the window whose sorted columns
/// are x ... x + side − 1 of the level lines, by the C kernels `wide` when
/// given, else the Swift networks. Unchecked: level lines hold `count + side − 1`.
@inline(__always)
func selectMedians<T: PixelSample>(_ levels: UnsafePointer<T>, _ pitch: Int, side: Int, count: Int,
                                   out: UnsafeMutablePointer<T>, using wide: WideMedianRows<T>?) {
    if let wide {
        wide.select(levels, pitch, side: side, count: count, out: out)
    } else if side == 3 {
        select3x3Row(levels, pitch, count: count, out: out)
    } else {
        select5x5Row(levels, pitch, count: count, out: out)
    }
}

/// The C row kernels of one instruction set for samples of type `T` (UInt8
/// or UInt16); nil for the portable kernels, other types, and rows narrower
/// than one vector.
struct WideMedianRows<T: PixelSample> {
    let isa: dm_isa

    init?(_ kernels: VectorKernels, width: Int) {
        guard let isa = kernels.isa, T.self == UInt8.self || T.self == UInt16.self,
              width >= dm_lanes(isa, MemoryLayout<T>.stride) else { return nil }
        self.isa = isa
    }

    func sortColumns(_ rows: UnsafePointer<UnsafePointer<T>>, side: Int, count: Int,
                     levels: UnsafeMutablePointer<T>, pitch: Int) {
        let out = UnsafeMutableRawPointer(levels)
        if T.self == UInt8.self {
            rows.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: side) { rows in
                dm_median_sort_columns_u8(isa, rows, Int32(side), count, out.assumingMemoryBound(to: UInt8.self), pitch)
            }
        } else {
            rows.withMemoryRebound(to: UnsafePointer<UInt16>?.self, capacity: side) { rows in
                dm_median_sort_columns_u16(isa, rows, Int32(side), count, out.assumingMemoryBound(to: UInt16.self), pitch)
            }
        }
    }

    func select(_ levels: UnsafePointer<T>, _ pitch: Int, side: Int, count: Int, out: UnsafeMutablePointer<T>) {
        let raw = UnsafeRawPointer(levels), o = UnsafeMutableRawPointer(out)
        if T.self == UInt8.self {
            dm_median_select_u8(isa, raw.assumingMemoryBound(to: UInt8.self), pitch, Int32(side), count,
                                o.assumingMemoryBound(to: UInt8.self))
        } else {
            dm_median_select_u16(isa, raw.assumingMemoryBound(to: UInt16.self), pitch, Int32(side), count,
                                 o.assumingMemoryBound(to: UInt16.self))
        }
    }
}

/// Median of three: max(min(a, b), min(max(a, b), c)).
@inline(__always)
func med3<T: Comparable>(_ a: T, _ b: T, _ c: T) -> T {
    max(min(a, b), min(max(a, b), c))
}

/// Sorts each column of the 3 rows into levels 0 ... 2 (level l at `levels + l·pitch`).
/// Unchecked: rows hold `count` samples; each level line holds `count` at `levels`.
@inline(__always)
private func sortColumns3<T: Comparable>(_ rows: UnsafePointer<UnsafePointer<T>>, count n: Int,
                                         levels: UnsafeMutablePointer<T>, pitch: Int) {
    let r0 = rows[0], r1 = rows[1], r2 = rows[2]
    let l0 = levels, l1 = levels + pitch, l2 = levels + 2 * pitch
    for x in 0 ..< n {
        var a = r0[x], b = r1[x], c = r2[x]
        cs(&a, &b); cs(&b, &c); cs(&a, &b)
        l0[x] = a; l1[x] = b; l2[x] = c
    }
}

/// Sorts each column of the 5 rows into levels 0 ... 4 (9 compare-swaps, an
/// optimal sorting network for 5). Unchecked as `sortColumns3`.
@inline(__always)
private func sortColumns5<T: Comparable>(_ rows: UnsafePointer<UnsafePointer<T>>, count n: Int,
                                         levels: UnsafeMutablePointer<T>, pitch: Int) {
    let r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3], r4 = rows[4]
    let l0 = levels, l1 = levels + pitch, l2 = levels + 2 * pitch, l3 = levels + 3 * pitch, l4 = levels + 4 * pitch
    for x in 0 ..< n {
        var v0 = r0[x], v1 = r1[x], v2 = r2[x], v3 = r3[x], v4 = r4[x]
        sort5(&v0, &v1, &v2, &v3, &v4)
        l0[x] = v0; l1[x] = v1; l2[x] = v2; l3[x] = v3; l4[x] = v4
    }
}

/// Sorts five values (9 compare-swaps).
@inline(__always)
func sort5<T: Comparable>(_ v0: inout T, _ v1: inout T, _ v2: inout T, _ v3: inout T, _ v4: inout T) {
    cs(&v0, &v1); cs(&v3, &v4); cs(&v2, &v4); cs(&v2, &v3); cs(&v1, &v4)
    cs(&v0, &v3); cs(&v0, &v2); cs(&v1, &v3); cs(&v1, &v2)
}

/// out[x] = median of the 3×3 window whose sorted columns are x ... x+2 of the
/// level lines (`pitch` apart). Unchecked: level lines hold `count + 2` samples.
@inline(__always)
private func select3x3Row<T: Comparable>(_ p: UnsafePointer<T>, _ pitch: Int, count n: Int,
                                         out: UnsafeMutablePointer<T>) {
    let l0 = p, l1 = p + pitch, l2 = p + 2 * pitch
    for x in 0 ..< n {
        out[x] = median9Presorted(lo: (l0[x], l0[x + 1], l0[x + 2]),
                                  mid: (l1[x], l1[x + 1], l1[x + 2]),
                                  hi: (l2[x], l2[x + 1], l2[x + 2]))
    }
}

/// Median of 9 samples given as three sorted columns (lo ≤ mid ≤ hi in each column):
/// med3(max of lows, med3 of mids, min of highs) (Paeth 1990).
@inline(__always)
func median9Presorted<T: Comparable>(lo: (T, T, T), mid: (T, T, T), hi: (T, T, T)) -> T {
    let mx = max(max(lo.0, lo.1), lo.2)
    let mn = min(min(hi.0, hi.1), hi.2)
    return med3(mx, med3(mid.0, mid.1, mid.2), mn)
}

/// out[x] = median of the 5×5 window whose sorted columns are x ... x+4 of the
/// level lines. Unchecked: level lines hold `count + 4` samples.
@inline(__always)
private func select5x5Row<T: Comparable>(_ p: UnsafePointer<T>, _ pitch: Int, count n: Int,
                                         out: UnsafeMutablePointer<T>) {
    for x in 0 ..< n { out[x] = median25Presorted(p + x, pitch) }
}

/// Median of 25 samples given as five sorted columns: `p[i·pitch + j]` is level i
/// (0 = smallest) of column j, with levels ascending in every column j = 0 ... 4.
/// 100 min/max; generated and pruned as described at the top of this file.
@inline(__always)
func median25Presorted<T: Comparable>(_ p: UnsafePointer<T>, _ pitch: Int) -> T {
    @inline(__always) func c(_ j: Int, _ i: Int) -> T { p[i * pitch + j] }
    let c00 = c(0, 0), c01 = c(0, 1), c02 = c(0, 2), c03 = c(0, 3), c04 = c(0, 4)
    let c10 = c(1, 0), c11 = c(1, 1), c12 = c(1, 2), c13 = c(1, 3), c14 = c(1, 4)
    let c20 = c(2, 0), c21 = c(2, 1), c22 = c(2, 2), c23 = c(2, 3), c24 = c(2, 4)
    let c30 = c(3, 0), c31 = c(3, 1), c32 = c(3, 2), c33 = c(3, 3), c34 = c(3, 4)
    let c40 = c(4, 0), c41 = c(4, 1), c42 = c(4, 2), c43 = c(4, 3), c44 = c(4, 4)
    let t1 = min(c00, c10)
    let t2 = max(c00, c10)
    let t3 = min(c30, c40)
    let t4 = max(c30, c40)
    let t5 = min(c20, t4)
    let t6 = max(c20, t4)
    let t7 = max(t5, t3)
    let t8 = min(t2, t6)
    let t9 = max(t2, t6)
    let t10 = max(t1, t7)
    let t11 = max(t8, t10)
    let t12 = min(c01, c11)
    let t13 = max(c01, c11)
    let t14 = min(c31, c41)
    let t15 = max(c31, c41)
    let t16 = min(c21, t15)
    let t17 = max(c21, t15)
    let t18 = min(t16, t14)
    let t19 = max(t16, t14)
    let t20 = min(t13, t17)
    let t21 = max(t13, t17)
    let t22 = max(t12, t19)
    let t23 = min(t20, t22)
    let t24 = max(t20, t22)
    let t25 = max(t23, t18)
    let t26 = min(c02, c12)
    let t27 = max(c02, c12)
    let t28 = min(c32, c42)
    let t29 = max(c32, c42)
    let t30 = min(c22, t29)
    let t31 = max(c22, t29)
    let t32 = min(t30, t28)
    let t33 = max(t30, t28)
    let t34 = min(t27, t31)
    let t35 = min(t26, t33)
    let t36 = max(t26, t33)
    let t37 = max(t35, t32)
    let t38 = min(t34, t36)
    let t39 = max(t34, t36)
    let t40 = min(t38, t37)
    let t41 = max(t38, t37)
    let t42 = min(c03, c13)
    let t43 = max(c03, c13)
    let t44 = min(c33, c43)
    let t45 = max(c33, c43)
    let t46 = min(c23, t44)
    let t47 = max(c23, t44)
    let t48 = min(t43, t45)
    let t49 = min(t42, t47)
    let t50 = max(t42, t47)
    let t51 = min(t49, t46)
    let t52 = max(t49, t46)
    let t53 = min(t48, t50)
    let t54 = min(t53, t52)
    let t55 = max(t53, t52)
    let t56 = min(c04, c14)
    let t57 = max(c04, c14)
    let t58 = min(c34, c44)
    let t59 = max(c34, c44)
    let t60 = min(c24, t59)
    let t61 = min(t60, t58)
    let t62 = max(t60, t58)
    let t63 = min(t56, t62)
    let t64 = min(t63, t61)
    let t65 = max(t63, t61)
    let t66 = min(t57, t65)
    let t67 = max(t11, t25)
    let t68 = min(t9, t24)
    let t69 = max(t9, t24)
    let t70 = min(t68, t67)
    let t71 = max(t68, t67)
    let t72 = min(t21, t40)
    let t73 = max(t21, t40)
    let t74 = min(t73, t39)
    let t75 = min(t74, t41)
    let t76 = max(t74, t41)
    let t77 = min(t71, t72)
    let t78 = max(t71, t72)
    let t79 = min(t70, t75)
    let t80 = max(t70, t75)
    let t81 = min(t69, t80)
    let t82 = max(t69, t80)
    let t83 = max(t79, t77)
    let t84 = min(t81, t78)
    let t85 = max(t81, t78)
    let t86 = min(t82, t76)
    let t87 = max(t82, t76)
    let t88 = min(t55, t64)
    let t89 = max(t55, t64)
    let t90 = min(t54, t88)
    let t91 = max(t54, t88)
    let t92 = min(t89, t66)
    let t93 = max(t85, t51)
    let t94 = max(t83, t91)
    let t95 = min(t87, t94)
    let t96 = min(t95, t93)
    let t97 = min(t86, t90)
    let t98 = min(t84, t92)
    let t99 = max(t98, t97)
    let t100 = max(t99, t96)
    return t100
}
