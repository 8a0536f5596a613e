// Sliding-histogram median for integer samples: T. S. Huang, G. J. Yang and
// G. Y. Tang, "A fast two-dimensional median filtering algorithm", IEEE Trans.
// ASSP 27(1), 1979. Moving the window one pixel right removes one column of
// 2r+1 samples and adds one; the median is tracked from its previous value
// with the count of samples below it, so a step costs O(r) plus the (usually
// short) walk of the median.
//
// UInt8: one 256-bin histogram. UInt16: a three-level histogram (256 coarse,
// 4096 middle, 65 536 fine bins), the multi-level idea of Perreault & Hébert
// (2007), "Median filtering in constant time", IEEE TIP 16(9): the median is
// tracked on the coarse level and finished by walks of ≤ 16 + 16 bins.
//
// Both kernels share the unchecked preconditions: `p` is the reflect-padded
// image (pitch `pw = w + 2r`, H + 2r rows), r ≥ 1, `band` ⊂ 0 ..< h, and
// `out` rows of `band` are written by this call only.

/// Huang sliding-histogram median for UInt8, rows `band`.
func medianHistogramU8(_ p: UnsafePointer<UInt8>, _ pw: Int, _ out: UnsafeMutablePointer<UInt8>,
                       _ w: Int, _ h: Int, _ r: Int, _ band: Range<Int>) {
    let side = 2 * r + 1
    let k = side * side / 2
    let hist = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
    defer { hist.deallocate() }
    for y in band {
        hist.initialize(repeating: 0, count: 256)
        let top = p + y * pw
        for j in 0 ..< side {
            let row = top + j * pw
            for i in 0 ..< side { hist[Int(row[i])] += 1 }
        }
        var med = 0, lt = 0
        while lt + Int(hist[med]) <= k { lt += Int(hist[med]); med += 1 }
        let o = out + y * w
        o[0] = UInt8(med)
        if w == 1 { continue }
        for x in 1 ..< w {
            var row = top
            for _ in 0 ..< side {
                let a = Int(row[x - 1]), b = Int(row[x + 2 * r])
                hist[a] -= 1
                hist[b] += 1
                lt += (b < med ? 1 : 0) - (a < med ? 1 : 0)
                row += pw
            }
            while lt > k { med -= 1; lt -= Int(hist[med]) }
            while lt + Int(hist[med]) <= k { lt += Int(hist[med]); med += 1 }
            o[x] = UInt8(med)
        }
    }
}

/// Huang sliding-histogram median for UInt16 with a three-level histogram, rows `band`.
///
/// Levels: 256 coarse bins (v >> 8), 4096 middle bins (v >> 4), 65 536 fine bins.
/// The coarse bin holding the median is tracked incrementally (as in the UInt8
/// kernel); the exact value is then found by walking ≤ 16 middle and ≤ 16 fine bins.
func medianHistogramU16(_ p: UnsafePointer<UInt16>, _ pw: Int, _ out: UnsafeMutablePointer<UInt16>,
                        _ w: Int, _ h: Int, _ r: Int, _ band: Range<Int>) {
    let side = 2 * r + 1
    let k = side * side / 2
    let coarse = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
    let middle = UnsafeMutablePointer<Int32>.allocate(capacity: 4096)
    let fine = UnsafeMutablePointer<Int32>.allocate(capacity: 65536)
    defer { coarse.deallocate(); middle.deallocate(); fine.deallocate() }
    coarse.initialize(repeating: 0, count: 256)
    middle.initialize(repeating: 0, count: 4096)
    fine.initialize(repeating: 0, count: 65536)
    var cmed = 0, clt = 0 // coarse bin holding the median; samples in lower coarse bins

    @inline(__always) func add(_ v: Int, _ d: Int32) {
        fine[v] += d; middle[v >> 4] += d; coarse[v >> 8] += d
    }
    @inline(__always) func exactMedian() -> UInt16 {
        var acc = clt
        var m = cmed << 4
        while acc + Int(middle[m]) <= k { acc += Int(middle[m]); m += 1 }
        var f = m << 4
        while acc + Int(fine[f]) <= k { acc += Int(fine[f]); f += 1 }
        return UInt16(f)
    }
    @inline(__always) func settle() {
        while clt > k { cmed -= 1; clt -= Int(coarse[cmed]) }
        while clt + Int(coarse[cmed]) <= k { clt += Int(coarse[cmed]); cmed += 1 }
    }

    for y in band {
        let top = p + y * pw
        for j in 0 ..< side {
            let row = top + j * pw
            for i in 0 ..< side { add(Int(row[i]), 1) }
        }
        cmed = 0; clt = 0
        settle()
        let o = out + y * w
        o[0] = exactMedian()
        if w > 1 {
            for x in 1 ..< w {
                var row = top
                for _ in 0 ..< side {
                    let a = Int(row[x - 1]), b = Int(row[x + 2 * r])
                    add(a, -1)
                    add(b, 1)
                    clt += ((b >> 8) < cmed ? 1 : 0) - ((a >> 8) < cmed ? 1 : 0)
                    row += pw
                }
                settle()
                o[x] = exactMedian()
            }
        }
        // Empty the histograms by removing the last window (cheaper than clearing 65 536 bins).
        for j in 0 ..< side {
            let row = top + j * pw + (w - 1)
            for i in 0 ..< side { add(Int(row[i]), -1) }
        }
    }
}
