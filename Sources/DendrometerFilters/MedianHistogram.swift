// Sliding-histogram median for integer samples: T. S. Huang, G. J. Yang and
// G. Y. Tang, "A fast two-dimensional median filtering algorithm", IEEE Trans.
// ASSP 27(1), 1979. Moving the window one pixel right removes one column of
// 2r+1 samples and adds one; the median is tracked from its previous value
// with the count of samples below it, so a step costs O(r) plus the (usually
// short) walk of the median.
//
// UInt8: one 256-bin histogram. UInt16: a two-level histogram (256 coarse bins
// of the high byte, 65 536 fine bins), in the spirit of Perreault & Hébert
// (2007), "Median filtering in constant time", IEEE TIP 16(9): the median is
// tracked on the coarse level and finished by a walk of ≤ 256 fine bins.
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

/// Huang sliding-histogram median for UInt16 with a coarse/fine histogram, rows `band`.
func medianHistogramU16(_ p: UnsafePointer<UInt16>, _ pw: Int, _ out: UnsafeMutablePointer<UInt16>,
                        _ w: Int, _ h: Int, _ r: Int, _ band: Range<Int>) {
    let side = 2 * r + 1
    let k = side * side / 2
    let coarse = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
    let fine = UnsafeMutablePointer<Int32>.allocate(capacity: 65536)
    defer { coarse.deallocate(); fine.deallocate() }
    coarse.initialize(repeating: 0, count: 256)
    fine.initialize(repeating: 0, count: 65536)
    var cmed = 0, clt = 0 // coarse bin holding the median; samples in lower coarse bins

    @inline(__always) func fineMedian() -> UInt16 {
        var acc = clt
        var f = cmed << 8
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
            for i in 0 ..< side {
                let v = Int(row[i])
                fine[v] += 1
                coarse[v >> 8] += 1
            }
        }
        cmed = 0; clt = 0
        settle()
        let o = out + y * w
        o[0] = fineMedian()
        if w > 1 {
            for x in 1 ..< w {
                var row = top
                for _ in 0 ..< side {
                    let a = Int(row[x - 1]), b = Int(row[x + 2 * r])
                    fine[a] -= 1; coarse[a >> 8] -= 1
                    fine[b] += 1; coarse[b >> 8] += 1
                    clt += ((b >> 8) < cmed ? 1 : 0) - ((a >> 8) < cmed ? 1 : 0)
                    row += pw
                }
                settle()
                o[x] = fineMedian()
            }
        }
        // Empty the histograms by removing the last window (cheaper than clearing 65 536 bins).
        for j in 0 ..< side {
            let row = top + j * pw + (w - 1)
            for i in 0 ..< side {
                let v = Int(row[i])
                fine[v] -= 1
                coarse[v >> 8] -= 1
            }
        }
    }
}
