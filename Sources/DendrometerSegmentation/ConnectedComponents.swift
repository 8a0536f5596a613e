// Connected-component labelling of a binary mask, 4- or 8-connected.
// Method: run-based two-pass labelling with union–find (union by smaller
// index, path compression). Row bands are scanned in parallel: each band
// extracts its runs and unites runs of consecutive rows; the band seams are
// then united, the forest flattened in raster order, and the label image
// painted in parallel. References: K. Wu, E. Otoo, K. Suzuki, "Optimizing
// two-pass connected-component labeling algorithms", Pattern Anal. Appl. 12,
// 117–135 (2009); L. He, Y. Chao, K. Suzuki, "A run-based two-scan labeling
// algorithm", IEEE Trans. Image Process. 17(5), 749–756 (2008).
// Labels follow `skimage.measure.label`: 0 = background, components numbered
// 1, 2, … in raster order (row-major) of their first pixel.
import DendrometerCore

/// Pixel adjacency used to join pixels into components.
public enum Connectivity: Int, Sendable, Codable, CaseIterable {
    /// Edge neighbours only (skimage `connectivity=1`).
    case four = 4
    /// Edge and corner neighbours (skimage `connectivity=2`); the phase convention.
    case eight = 8
}

/// One connected component: its label, area and position.
public struct Component: Sendable, Equatable {
    /// Label value in ``ComponentLabels/labels`` (1-based).
    public var label: Int32
    /// Number of pixels, px².
    public var area: Int
    /// Smallest rectangle containing the component, px.
    public var boundingBox: PixelRect
    /// Mean column of its pixels, px (pixel centres on integers).
    public var centroidX: Double
    /// Mean row of its pixels, px.
    public var centroidY: Double
}

/// A label image and the components it numbers.
public struct ComponentLabels: Sendable, Equatable {
    /// Columns, px.
    public var width: Int
    /// Rows, px.
    public var height: Int
    /// Row-major labels: 0 background, 1 … `components.count` in raster order of first pixel.
    public var labels: [Int32]
    /// Components, `components[i].label == i + 1`.
    public var components: [Component]
    /// Number of components.
    public var count: Int { components.count }
}

/// Labels the connected components of the phase.
///
/// - Parameters:
///   - mask: shape (rows, cols).
///   - connectivity: `.eight` (default, the phase convention) or `.four`.
/// - Returns: labels numbered in raster order of each component's first pixel
///   (as `skimage.measure.label(mask, connectivity=2|1)`), with area, bounding
///   box and centroid per component.
/// - Complexity: O(pixels + runs·α(runs)); run extraction, within-band union
///   and painting are parallel over row bands.
///
/// ```swift
/// let mask = BinaryMask(rows: ["#.#",
///                              ".#.",
///                              "..."])
/// labelComponents(mask, connectivity: .eight).count   // 1 (diagonal contacts join)
/// labelComponents(mask, connectivity: .four).labels   // [1, 0, 2, 0, 3, 0, 0, 0, 0]
/// ```
public func labelComponents(_ mask: BinaryMask, connectivity: Connectivity = .eight) -> ComponentLabels {
    let components = componentRuns(mask, connectivity: connectivity)
    // Every pixel is written by `paint` (runs and the gaps between them), so
    // the buffer needs no zero fill first.
    let labels = [Int32](unsafeUninitializedCapacity: mask.count) { buffer, initialized in
        if let base = buffer.baseAddress { components.forest.paint(into: base, width: mask.width, height: mask.height) }
        initialized = mask.count
    }
    return ComponentLabels(width: mask.width, height: mask.height, labels: labels, components: components.components)
}

/// The connected components of the phase as horizontal runs of pixels, numbered as
/// ``labelComponents(_:connectivity:)`` numbers them, without the label image: a run costs
/// 12 bytes (its columns and label) where a label image costs 4 per pixel (64 MB at 4096²). For stages that walk
/// each component's pixels row by row, or look up a few pixels' labels.
///
/// ```swift
/// let runs = componentRuns(BinaryMask(rows: ["##.#", "...#"]))
/// runs.count                    // 2
/// runs.label(atX: 3, y: 1)      // 2
/// runs.runs(inRow: 0).map { runs.runs[$0] }   // [x 0 ..< 2, x 3 ..< 4]
/// ```
public struct ComponentRuns: Sendable {
    /// Columns, px.
    public let width: Int
    /// Rows, px.
    public let height: Int
    /// Components, `components[i].label == i + 1`, with area, bounding box and centroid.
    public let components: [Component]
    let forest: RunForest

    /// Number of components.
    public var count: Int { components.count }
    /// Every run, in raster order.
    public var runs: [PixelRun] { forest.runs }
    /// Label (1-based) of each run of ``runs``.
    public var labelOfRun: [Int32] { forest.componentOfRun }
    /// Indices into ``runs`` of the runs of row `y`.
    public func runs(inRow y: Int) -> Range<Int> { forest.rowStart[y] ..< forest.rowStart[y + 1] }

    /// Label of pixel (x, y): 0 for background (a binary search among the row's runs).
    public func label(atX x: Int, y: Int) -> Int {
        guard y >= 0, y < height, x >= 0, x < width else { return 0 }
        var lo = forest.rowStart[y], hi = forest.rowStart[y + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            let run = forest.runs[mid]
            if Int(run.x1) <= x { lo = mid + 1 } else if Int(run.x0) > x { hi = mid } else { return Int(forest.componentOfRun[mid]) }
        }
        return 0
    }
}

/// The components of `mask` as runs (``ComponentRuns``).
/// - Complexity: O(pixels + runs·α(runs)), mostly parallel.
public func componentRuns(_ mask: BinaryMask, connectivity: Connectivity = .eight) -> ComponentRuns {
    let runs = RunForest(mask, value: 1, connectivity: connectivity)
    // Per-component accumulators, one pass over the runs.
    struct Accumulator {
        var area = 0, sumX = 0, sumY = 0
        var minX = Int.max, maxX = -1, minY = Int.max, maxY = -1
    }
    var acc = [Accumulator](repeating: Accumulator(), count: runs.componentCount)
    acc.withUnsafeMutableBufferPointer { ab in
        runs.runs.withUnsafeBufferPointer { rb in
            runs.componentOfRun.withUnsafeBufferPointer { cb in
                runs.rowStart.withUnsafeBufferPointer { sb in
                    guard let a = ab.baseAddress, let r = rb.baseAddress else { return }
                    let c = cb.baseAddress!, s = sb.baseAddress!
                    for y in 0 ..< mask.height {
                        for i in s[y] ..< s[y + 1] {
                            let run = r[i]
                            let p = a + Int(c[i] - 1)
                            let x0 = Int(run.x0), x1 = Int(run.x1), n = x1 - x0
                            p.pointee.area += n
                            p.pointee.sumX += (x0 + x1 - 1) * n   // twice the sum of x
                            p.pointee.sumY += y * n
                            if x0 < p.pointee.minX { p.pointee.minX = x0 }
                            if x1 - 1 > p.pointee.maxX { p.pointee.maxX = x1 - 1 }
                            if y < p.pointee.minY { p.pointee.minY = y }
                            p.pointee.maxY = y   // rows are visited in increasing order
                        }
                    }
                }
            }
        }
    }
    let comps = acc.enumerated().map { k, a in
        Component(label: Int32(k + 1), area: a.area,
                  boundingBox: PixelRect(x: a.minX, y: a.minY, width: a.maxX - a.minX + 1, height: a.maxY - a.minY + 1),
                  centroidX: Double(a.sumX) / Double(2 * a.area), centroidY: Double(a.sumY) / Double(a.area))
    }
    return ComponentRuns(width: mask.width, height: mask.height, components: comps, forest: runs)
}

/// Number of connected components of the phase (no label image is built).
/// - Complexity: O(pixels), mostly parallel.
public func componentCount(_ mask: BinaryMask, connectivity: Connectivity = .eight) -> Int {
    RunForest(mask, value: 1, connectivity: connectivity).componentCount
}

/// A horizontal run of pixels x0 ..< x1 (its row is known from ``ComponentRuns/runs(inRow:)``).
public struct PixelRun: Sendable, Equatable {
    /// First column of the run, px.
    public var x0: Int32
    /// One past the last column, px.
    public var x1: Int32
}

/// The runs of the pixels equal to `value`, in raster order, grouped into
/// connected components (`componentOfRun`, 1-based, numbered in raster order
/// of their first pixel).
///
/// Built in four steps: (1) pack every row 64 pixels per word and count its
/// runs (parallel bands), (2) allocate exactly, (3) per band, write the runs and unite each run with
/// the overlapping runs of the previous row of the same band (union by
/// smaller index, so a root is always the first run of its set in raster
/// order; bands touch disjoint runs), (4) unite across band seams and flatten
/// sequentially. No per-run allocation.
struct RunForest: Sendable {
    /// Runs in raster order.
    var runs: [PixelRun] = []
    /// Runs of row y are `rowStart[y] ..< rowStart[y + 1]`.
    var rowStart: [Int] = [0]
    /// Component (1-based) of each run.
    var componentOfRun: [Int32] = []
    var componentCount = 0

    init(_ mask: BinaryMask, value: UInt8, connectivity: Connectivity) {
        let w = mask.width, h = mask.height
        guard w > 0, h > 0 else {
            rowStart = [Int](repeating: 0, count: h + 1)
            return
        }
        let overlap: Int32 = connectivity == .eight ? 1 : 0
        let words = (w + 63) >> 6
        var rowCount = [Int](repeating: 0, count: h + 1)
        let bands = max(1, min(Concurrency.maximumThreads * 4, h / 32))
        // (1) Rows packed 64 pixels per word, bit x set where pixel x equals
        // `value`; runs per row = run starts (bit set, left neighbour clear).
        let packed = [UInt64](unsafeUninitializedCapacity: h * words) { pb, initialized in
            let packedRows = SendablePointer(pb.baseAddress!)
            mask.bits.withUnsafeBufferPointer { bitsBuffer in
                let bits = SendableConstPointer(bitsBuffer.baseAddress!)
                rowCount.withUnsafeMutableBufferPointer { rc in
                    let counts = SendablePointer(rc.baseAddress!)
                    parallelBands(h, minimumPerBand: 32) { rows in
                        for y in rows {
                            let p = packedRows.base + y * words
                            packRow(bits.base + y * w, width: w, words: words, invert: value == 0, into: p)
                            var n = 0, carry: UInt64 = 0
                            for j in 0 ..< words {
                                let b = p[j]
                                n &+= (b & ~((b << 1) | carry)).nonzeroBitCount
                                carry = b >> 63
                            }
                            counts.base[y] = n
                        }
                    }
                }
            }
            initialized = h * words
        }
        packed.withUnsafeBufferPointer { packedBuffer in
            let packedRows = SendableConstPointer(packedBuffer.baseAddress!)
            // (2) exact allocation.
            rowStart = [Int](repeating: 0, count: h + 1)
            for y in 0 ..< h { rowStart[y + 1] = rowStart[y] + rowCount[y] }
            let total = rowStart[h]
            runs = [PixelRun](repeating: PixelRun(x0: 0, x1: 0), count: total)
            var parent = [Int32](repeating: 0, count: total)
            guard total > 0 else { return }
            runs.withUnsafeMutableBufferPointer { rb in
            parent.withUnsafeMutableBufferPointer { pb in
            rowStart.withUnsafeBufferPointer { sb in
                let runsP = SendablePointer(rb.baseAddress!), par = SendablePointer(pb.baseAddress!)
                let starts = SendablePointer(UnsafeMutablePointer(mutating: sb.baseAddress!))
                // (3) write runs (a word at a time: bit x of b ^ (b << 1) marks
                // a pixel that differs from its left neighbour, so set bits
                // alternate run start, run end) and unite within bands.
                parallelBands(bands, minimumPerBand: 1) { bandRange in
                    for b in bandRange {
                        let y0 = b * h / bands, y1 = (b + 1) * h / bands
                        for y in y0 ..< y1 {
                            let p = packedRows.base + y * words
                            var k = starts.base[y]
                            var carry: UInt64 = 0, inside = false, start = 0
                            for j in 0 ..< words {
                                let word = p[j]
                                var edges = word ^ ((word << 1) | carry)
                                carry = word >> 63
                                while edges != 0 {
                                    let x = j << 6 | edges.trailingZeroBitCount
                                    if inside {
                                        runsP.base[k] = PixelRun(x0: Int32(start), x1: Int32(x))
                                        par.base[k] = Int32(k)
                                        k += 1
                                    } else {
                                        start = x
                                    }
                                    inside.toggle()
                                    edges &= edges &- 1
                                }
                            }
                            if inside {   // the run reaches the last column of a width that is a multiple of 64
                                runsP.base[k] = PixelRun(x0: Int32(start), x1: Int32(w))
                                par.base[k] = Int32(k)
                            }
                            if y > y0 {
                                uniteRows(runsP.base, par.base, prev: starts.base[y - 1] ..< starts.base[y],
                                          cur: starts.base[y] ..< starts.base[y + 1], overlap: overlap)
                            }
                        }
                    }
                }
                // (4) seams, then flatten.
                for b in 1 ..< bands {
                    let y = b * h / bands
                    guard y > 0, y < h else { continue }
                    uniteRows(runsP.base, par.base, prev: starts.base[y - 1] ..< starts.base[y],
                              cur: starts.base[y] ..< starts.base[y + 1], overlap: overlap)
                }
                componentOfRun = [Int32](repeating: 0, count: total)
                var next: Int32 = 0
                componentOfRun.withUnsafeMutableBufferPointer { cb in
                    let comp = cb.baseAddress!
                    for i in 0 ..< total {
                        let r = Int(findRoot(par.base, Int32(i)))
                        if r == i {
                            next += 1
                            comp[i] = next
                        } else {
                            comp[i] = comp[r]
                        }
                    }
                }
                componentCount = Int(next)
            }
            }
            }
        }
    }

    /// Writes each pixel's component number (0 for pixels outside every run)
    /// into a row-major buffer of `width * height` labels, parallel over row
    /// bands. Unchecked precondition: `labels` holds width·height elements.
    func paint(into labels: UnsafeMutablePointer<Int32>, width: Int, height: Int) {
        guard width > 0, height > 0 else { return }
        runs.withUnsafeBufferPointer { rb in
            componentOfRun.withUnsafeBufferPointer { cb in
                rowStart.withUnsafeBufferPointer { sb in
                    let r = rb.baseAddress.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                    let c = cb.baseAddress.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
                    let s = SendablePointer(UnsafeMutablePointer(mutating: sb.baseAddress!))
                    let l = SendablePointer(labels)
                    parallelBands(height, minimumPerBand: 32) { rows in
                        for y in rows {
                            let row = l.base + y * width
                            var x = 0
                            if let r, let c {
                                for i in s.base[y] ..< s.base[y + 1] {
                                    let run = r.base[i], x0 = Int(run.x0), x1 = Int(run.x1)
                                    (row + x).initialize(repeating: 0, count: x0 - x)
                                    (row + x0).initialize(repeating: c.base[i], count: x1 - x0)
                                    x = x1
                                }
                            }
                            (row + x).initialize(repeating: 0, count: width - x)
                        }
                    }
                }
            }
        }
    }
}

/// Unites every run of `cur` with the runs of `prev` (the row above) that it
/// touches: overlapping columns (`overlap` 0) or also diagonal contact
/// (`overlap` 1). Two pointers, O(|prev| + |cur|).
@inline(__always)
private func uniteRows(_ runs: UnsafeMutablePointer<PixelRun>, _ parent: UnsafeMutablePointer<Int32>,
                       prev: Range<Int>, cur: Range<Int>, overlap: Int32) {
    var p = prev.lowerBound
    for c in cur {
        let cr = runs[c]
        while p < prev.upperBound && runs[p].x1 + overlap <= cr.x0 { p += 1 }
        var q = p
        while q < prev.upperBound && runs[q].x0 < cr.x1 + overlap {
            uniteRoots(parent, Int32(q), Int32(c))
            q += 1
        }
    }
}

/// Root of `i` with path compression. Unchecked: `i` indexes `parent`.
@inline(__always)
func findRoot(_ parent: UnsafeMutablePointer<Int32>, _ i: Int32) -> Int32 {
    var r = i
    while parent[Int(r)] != r { r = parent[Int(r)] }
    var j = i
    while parent[Int(j)] != r {
        let n = parent[Int(j)]
        parent[Int(j)] = r
        j = n
    }
    return r
}

/// Unites the sets of `a` and `b`, keeping the smaller root (raster order).
@inline(__always)
func uniteRoots(_ parent: UnsafeMutablePointer<Int32>, _ a: Int32, _ b: Int32) {
    let ra = findRoot(parent, a), rb = findRoot(parent, b)
    if ra < rb { parent[Int(rb)] = ra } else if rb < ra { parent[Int(ra)] = rb }
}

/// Flood-fill labelling (scalar reference for tests): pixels with bit
/// `value`, raster-order numbering.
func labelReference(_ mask: BinaryMask, value: UInt8 = 1, connectivity: Connectivity) -> (labels: [Int32], count: Int) {
    let w = mask.width, h = mask.height
    var labels = [Int32](repeating: 0, count: w * h)
    var next: Int32 = 0
    let nbrs: [(Int, Int)] = connectivity == .four
        ? [(1, 0), (-1, 0), (0, 1), (0, -1)]
        : [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]
    for start in 0 ..< w * h where mask.bits[start] == value && labels[start] == 0 {
        next += 1
        labels[start] = next
        var stack = [start]
        while let p = stack.popLast() {
            let x = p % w, y = p / w
            for (dx, dy) in nbrs {
                let u = x + dx, v = y + dy
                guard u >= 0, u < w, v >= 0, v < h else { continue }
                let q = v * w + u
                if mask.bits[q] == value && labels[q] == 0 {
                    labels[q] = next
                    stack.append(q)
                }
            }
        }
    }
    return (labels, Int(next))
}
