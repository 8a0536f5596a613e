// Median of 3×3 and 5×5 windows by branch-free selection networks:
// N. Devillard, "Fast median search: an ANSI C implementation" (1998),
// opt_med9 (19 compare-swaps) and opt_med25 (99 compare-swaps), after
// A. Paeth (Graphics Gems, 1990) and J. L. Smith (XCELL 1996). Both networks
// were verified exhaustively with the 0-1 principle by
// tools/reference/verify_median_networks.py, which also generated the
// compare-swap lines below. Compare-swaps are min/max, so the loop over x has
// no branches and LLVM vectorises it. Used for Float samples; 8- and 16-bit
// samples take the column-presorted networks of MedianVectorised.swift.

/// Compare-swap (shared by every median network): afterwards a ≤ b.
@inline(__always)
func cs<T: Comparable>(_ a: inout T, _ b: inout T) {
    let lo = min(a, b)
    b = max(a, b)
    a = lo
}

/// One output row of the 3×3 median. Unchecked: `r0 ... r2` are padded rows
/// (reflect border already applied) holding `count + 2` samples; `out` holds `count`.
@inline(__always)
func median3x3Row<T: Comparable>(_ r0: UnsafePointer<T>, _ r1: UnsafePointer<T>, _ r2: UnsafePointer<T>,
                             count: Int, out: UnsafeMutablePointer<T>) {
    for x in 0 ..< count {
        var p0: T = r0[x], p1: T = r0[x + 1], p2: T = r0[x + 2]
        var p3: T = r1[x], p4: T = r1[x + 1], p5: T = r1[x + 2]
        var p6: T = r2[x], p7: T = r2[x + 1], p8: T = r2[x + 2]
        cs(&p1, &p2); cs(&p4, &p5); cs(&p7, &p8); cs(&p0, &p1); cs(&p3, &p4); cs(&p6, &p7);
        cs(&p1, &p2); cs(&p4, &p5); cs(&p7, &p8); cs(&p0, &p3); cs(&p5, &p8); cs(&p4, &p7);
        cs(&p3, &p6); cs(&p1, &p4); cs(&p2, &p5); cs(&p4, &p7); cs(&p4, &p2); cs(&p6, &p4);
        cs(&p4, &p2);
        out[x] = p4
    }
}

/// One output row of the 5×5 median. Unchecked: `r0 ... r4` are padded rows
/// holding `count + 4` samples; `out` holds `count`.
@inline(__always)
func median5x5Row<T: Comparable>(_ r0: UnsafePointer<T>, _ r1: UnsafePointer<T>, _ r2: UnsafePointer<T>,
                             _ r3: UnsafePointer<T>, _ r4: UnsafePointer<T>,
                             count: Int, out: UnsafeMutablePointer<T>) {
    for x in 0 ..< count {
        var p0: T = r0[x], p1: T = r0[x + 1], p2: T = r0[x + 2], p3: T = r0[x + 3], p4: T = r0[x + 4]
        var p5: T = r1[x], p6: T = r1[x + 1], p7: T = r1[x + 2], p8: T = r1[x + 3], p9: T = r1[x + 4]
        var p10: T = r2[x], p11: T = r2[x + 1], p12: T = r2[x + 2], p13: T = r2[x + 3], p14: T = r2[x + 4]
        var p15: T = r3[x], p16: T = r3[x + 1], p17: T = r3[x + 2], p18: T = r3[x + 3], p19: T = r3[x + 4]
        var p20: T = r4[x], p21: T = r4[x + 1], p22: T = r4[x + 2], p23: T = r4[x + 3], p24: T = r4[x + 4]
        cs(&p0, &p1); cs(&p3, &p4); cs(&p2, &p4); cs(&p2, &p3); cs(&p6, &p7); cs(&p5, &p7);
        cs(&p5, &p6); cs(&p9, &p10); cs(&p8, &p10); cs(&p8, &p9); cs(&p12, &p13); cs(&p11,
        &p13); cs(&p11, &p12); cs(&p15, &p16); cs(&p14, &p16); cs(&p14, &p15); cs(&p18, &p19);
        cs(&p17, &p19); cs(&p17, &p18); cs(&p21, &p22); cs(&p20, &p22); cs(&p20, &p21); cs(&p23,
        &p24); cs(&p2, &p5); cs(&p3, &p6); cs(&p0, &p6); cs(&p0, &p3); cs(&p4, &p7); cs(&p1,
        &p7); cs(&p1, &p4); cs(&p11, &p14); cs(&p8, &p14); cs(&p8, &p11); cs(&p12, &p15);
        cs(&p9, &p15); cs(&p9, &p12); cs(&p13, &p16); cs(&p10, &p16); cs(&p10, &p13); cs(&p20,
        &p23); cs(&p17, &p23); cs(&p17, &p20); cs(&p21, &p24); cs(&p18, &p24); cs(&p18, &p21);
        cs(&p19, &p22); cs(&p8, &p17); cs(&p9, &p18); cs(&p0, &p18); cs(&p0, &p9); cs(&p10,
        &p19); cs(&p1, &p19); cs(&p1, &p10); cs(&p11, &p20); cs(&p2, &p20); cs(&p2, &p11);
        cs(&p12, &p21); cs(&p3, &p21); cs(&p3, &p12); cs(&p13, &p22); cs(&p4, &p22); cs(&p4,
        &p13); cs(&p14, &p23); cs(&p5, &p23); cs(&p5, &p14); cs(&p15, &p24); cs(&p6, &p24);
        cs(&p6, &p15); cs(&p7, &p16); cs(&p7, &p19); cs(&p13, &p21); cs(&p15, &p23); cs(&p7,
        &p13); cs(&p7, &p15); cs(&p1, &p9); cs(&p3, &p11); cs(&p5, &p17); cs(&p11, &p17);
        cs(&p9, &p17); cs(&p4, &p10); cs(&p6, &p12); cs(&p7, &p14); cs(&p4, &p6); cs(&p4, &p7);
        cs(&p12, &p14); cs(&p10, &p14); cs(&p6, &p7); cs(&p10, &p12); cs(&p6, &p10); cs(&p6,
        &p17); cs(&p12, &p17); cs(&p7, &p17); cs(&p7, &p10); cs(&p12, &p18); cs(&p7, &p12);
        cs(&p10, &p18); cs(&p12, &p20); cs(&p10, &p20); cs(&p10, &p12);
        out[x] = p12
    }
}
