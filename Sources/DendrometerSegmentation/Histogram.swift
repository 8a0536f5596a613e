// Intensity histograms for the global thresholds (Otsu, multi-Otsu, triangle,
// Li on integer images).
//
// Method: one bin per integer value for UInt8 (256 bins) and UInt16 (65536
// bins, the FULL 16-bit range, as scikit-image's `exposure.histogram` does for
// integer images by `np.bincount`); Float images use `bins` equal-width bins
// over [min, max] of the finite values, as `numpy.histogram(range=(min, max))`.
// Counting runs in parallel chunks (one private table per chunk, merged at the
// end); the UInt8 counter reads 8 pixels per 64-bit load into 4 interleaved
// tables so consecutive equal pixels do not serialise on one counter.
import DendrometerCore

/// Number of equal-width bins used for `Float` images by the histogram-based
/// thresholds (Otsu, multi-Otsu, triangle) unless the caller asks otherwise.
/// 4096 bins over [min, max] resolve 1/4096 of the range (about 0.02 %).
public let defaultFloatHistogramBins = 4096

/// A histogram trimmed to its first and last non-empty bins, with the value
/// each bin stands for (`centers`, image units). Both arrays are non-empty.
struct ValueHistogram {
    var counts: [Double]
    var centers: [Double]
    /// Total number of counted pixels.
    var total: Double { counts.reduce(0, +) }
    /// Number of non-empty bins.
    var nonEmptyBins: Int { counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Trims `counts` (integer bin counts) to its non-empty span. `center(i)`
    /// gives the value of bin `i` before trimming. Returns nil when all bins are empty.
    init?(counts full: [Int], center: (Int) -> Double) {
        guard let first = full.firstIndex(where: { $0 > 0 }),
              let last = full.lastIndex(where: { $0 > 0 }) else { return nil }
        counts = full[first ... last].map(Double.init)
        centers = (first ... last).map(center)
    }
}

/// Number of parallel chunks for a pixel-wise reduction over `n` pixels.
@inline(__always)
func reductionChunks(_ n: Int, minimumPerChunk: Int = 1 << 16) -> Int {
    max(1, min(Concurrency.maximumThreads, n / minimumPerChunk))
}

/// Counts of each value 0...255 (scalar reference, for tests).
func histogramReference(_ pixels: [UInt8]) -> [Int] {
    var h = [Int](repeating: 0, count: 256)
    for p in pixels { h[Int(p)] += 1 }
    return h
}

/// Counts of each value 0...255, in parallel chunks.
func histogram(_ pixels: [UInt8]) -> [Int] {
    chunkedCounts(pixels, bins: 256, tablesPerChunk: 4) { p, n, t in countBytes(p, n, into: t) }
}

/// Counts of each value 0...65535, in parallel chunks.
func histogram(_ pixels: [UInt16]) -> [Int] {
    chunkedCounts(pixels, bins: 65536, tablesPerChunk: 1) { p, n, t in
        for i in 0 ..< n { t[Int(p[i])] &+= 1 }
    }
}

/// Splits `pixels` into one chunk per core, lets `count(start, n, tables)`
/// count each chunk into its own `tablesPerChunk` zeroed tables of `bins`
/// UInt32 counters, and sums all tables into one histogram of `bins` counts.
@inline(__always)
private func chunkedCounts<T>(_ pixels: [T], bins: Int, tablesPerChunk: Int,
                              count: (UnsafePointer<T>, Int, UnsafeMutablePointer<UInt32>) -> Void) -> [Int] {
    let n = pixels.count
    let chunks = reductionChunks(n)
    let stride = bins * tablesPerChunk
    var tables = [UInt32](repeating: 0, count: chunks * stride)
    pixels.withUnsafeBufferPointer { src in
        tables.withUnsafeMutableBufferPointer { tab in
            guard let base = src.baseAddress else { return }
            let s = SendableConstPointer(base), t = SendablePointer(tab.baseAddress!)
            parallelBands(chunks, minimumPerBand: 1) { range in
                for c in range {
                    let lo = c * n / chunks, hi = (c + 1) * n / chunks
                    count(s.base + lo, hi - lo, t.base + c * stride)
                }
            }
        }
    }
    var h = [Int](repeating: 0, count: bins)
    tables.withUnsafeBufferPointer { tab in
        for table in 0 ..< chunks * tablesPerChunk {
            let base = table * bins
            for v in 0 ..< bins { h[v] += Int(tab[base + v]) }
        }
    }
    return h
}

/// Counts `n` bytes into four interleaved 256-entry tables at `t`.
/// Preconditions (unchecked): `t` has 1024 zeroed-or-accumulating entries,
/// `n < 2^32` per table entry.
@inline(__always)
private func countBytes(_ p: UnsafePointer<UInt8>, _ n: Int, into t: UnsafeMutablePointer<UInt32>) {
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i + 8 <= n {
        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        t[Int(truncatingIfNeeded: w & 0xFF)] &+= 1
        t[256 + Int(truncatingIfNeeded: (w >> 8) & 0xFF)] &+= 1
        t[512 + Int(truncatingIfNeeded: (w >> 16) & 0xFF)] &+= 1
        t[768 + Int(truncatingIfNeeded: (w >> 24) & 0xFF)] &+= 1
        t[Int(truncatingIfNeeded: (w >> 32) & 0xFF)] &+= 1
        t[256 + Int(truncatingIfNeeded: (w >> 40) & 0xFF)] &+= 1
        t[512 + Int(truncatingIfNeeded: (w >> 48) & 0xFF)] &+= 1
        t[768 + Int(truncatingIfNeeded: w >> 56)] &+= 1
        i += 8
    }
    while i < n {
        t[Int(p[i])] &+= 1
        i += 1
    }
}


/// Minimum and maximum of the finite values, or nil when there is none.
func finiteRange(_ pixels: [Float]) -> (lo: Float, hi: Float)? {
    let n = pixels.count
    let chunks = reductionChunks(n)
    var los = [Float](repeating: .infinity, count: chunks)
    var his = [Float](repeating: -.infinity, count: chunks)
    pixels.withUnsafeBufferPointer { src in
        los.withUnsafeMutableBufferPointer { lb in
            his.withUnsafeMutableBufferPointer { hb in
                guard let base = src.baseAddress else { return }
                let s = SendablePointer(UnsafeMutablePointer(mutating: base))
                let l = SendablePointer(lb.baseAddress!), h = SendablePointer(hb.baseAddress!)
                parallelBands(chunks, minimumPerBand: 1) { range in
                    for c in range {
                        var lo = Float.infinity, hi = -Float.infinity
                        for i in c * n / chunks ..< (c + 1) * n / chunks {
                            let v = s.base[i]
                            if v.isFinite {
                                lo = Swift.min(lo, v)
                                hi = Swift.max(hi, v)
                            }
                        }
                        l.base[c] = lo
                        h.base[c] = hi
                    }
                }
            }
        }
    }
    let lo = los.min() ?? .infinity, hi = his.max() ?? -.infinity
    return lo <= hi ? (lo, hi) : nil
}

/// `bins` equal-width bins over [lo, hi] (hi > lo), numpy.histogram style: bin
/// `i` holds lo + i·step ≤ v < lo + (i+1)·step, the last bin also holds `hi`.
/// Non-finite values are not counted.
func histogram(_ pixels: [Float], bins: Int, lo: Float, hi: Float) -> [Int] {
    let n = pixels.count
    let chunks = reductionChunks(n)
    var tables = [Int](repeating: 0, count: chunks * bins)
    let dlo = Double(lo), scale = Double(bins) / (Double(hi) - Double(lo))
    pixels.withUnsafeBufferPointer { src in
        tables.withUnsafeMutableBufferPointer { tab in
            guard let base = src.baseAddress else { return }
            let s = SendablePointer(UnsafeMutablePointer(mutating: base))
            let t = SendablePointer(tab.baseAddress!)
            parallelBands(chunks, minimumPerBand: 1) { range in
                for c in range {
                    let table = t.base + c * bins
                    for i in c * n / chunks ..< (c + 1) * n / chunks {
                        let v = s.base[i]
                        guard v.isFinite else { continue }
                        let k = Int(saturating: (Double(v) - dlo) * scale)
                        table[Swift.min(Swift.max(k, 0), bins - 1)] += 1
                    }
                }
            }
        }
    }
    var h = [Int](repeating: 0, count: bins)
    for c in 0 ..< chunks {
        for v in 0 ..< bins { h[v] += tables[c * bins + v] }
    }
    return h
}

/// The trimmed histogram used by the global thresholds, or the single value
/// when the image holds only one (finite) value.
enum HistogramOrConstant {
    case histogram(ValueHistogram)
    case constant(Double)
}

func valueHistogram(_ image: Image<UInt8>, operation: String) throws(SegmentationError) -> HistogramOrConstant {
    guard !image.isEmpty else { throw .emptyImage(operation: operation) }
    let h = ValueHistogram(counts: histogram(image.pixels), center: Double.init)!
    return h.counts.count == 1 ? .constant(h.centers[0]) : .histogram(h)
}

func valueHistogram(_ image: Image<UInt16>, operation: String) throws(SegmentationError) -> HistogramOrConstant {
    guard !image.isEmpty else { throw .emptyImage(operation: operation) }
    let h = ValueHistogram(counts: histogram(image.pixels), center: Double.init)!
    return h.counts.count == 1 ? .constant(h.centers[0]) : .histogram(h)
}

func valueHistogram(_ image: Image<Float>, bins: Int, operation: String) throws(SegmentationError) -> HistogramOrConstant {
    guard !image.isEmpty else { throw .emptyImage(operation: operation) }
    guard bins >= 2 else {
        throw .invalidParameter(name: "\(operation) bins", expected: "at least 2", got: "\(bins)")
    }
    guard let (lo, hi) = finiteRange(image.pixels) else { throw .noFiniteValues(operation: operation) }
    if lo == hi { return .constant(Double(lo)) }
    let counts = histogram(image.pixels, bins: bins, lo: lo, hi: hi)
    let step = (Double(hi) - Double(lo)) / Double(bins)
    let h = ValueHistogram(counts: counts, center: { Double(lo) + (Double($0) + 0.5) * step })!
    return .histogram(h)
}
