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
    let runs = RunForest(mask, value: 1, connectivity: connectivity)
    var labels = [Int32](repeating: 0, count: mask.count)
    runs.paint(into: &labels, width: mask.width)
    var comps = [Component]()
    comps.reserveCapacity(runs.componentCount)
    var minX = [Int](repeating: .max, count: runs.componentCount), maxX = [Int](repeating: -1, count: runs.componentCount)
    var minY = [Int](repeating: .max, count: runs.componentCount), maxY = [Int](repeating: -1, count: runs.componentCount)
    var area = [Int](repeating: 0, count: runs.componentCount)
    var sumX = [Double](repeating: 0, count: runs.componentCount), sumY = [Double](repeating: 0, count: runs.componentCount)
    for (i, run) in runs.runs.enumerated() {
        let c = Int(runs.componentOfRun[i]) - 1
        let x0 = Int(run.x0), x1 = Int(run.x1), y = Int(run.y), n = x1 - x0
        area[c] += n
        sumX[c] += Double(x0 + x1 - 1) * Double(n) / 2
        sumY[c] += Double(y * n)
        minX[c] = min(minX[c], x0); maxX[c] = max(maxX[c], x1 - 1)
        minY[c] = min(minY[c], y); maxY[c] = max(maxY[c], y)
    }
    for c in 0 ..< runs.componentCount {
        comps.append(Component(label: Int32(c + 1), area: area[c],
                               boundingBox: PixelRect(x: minX[c], y: minY[c], width: maxX[c] - minX[c] + 1, height: maxY[c] - minY[c] + 1),
                               centroidX: sumX[c] / Double(area[c]), centroidY: sumY[c] / Double(area[c])))
    }
    return ComponentLabels(width: mask.width, height: mask.height, labels: labels, components: comps)
}

/// Number of connected components of the phase (no label image is built).
/// - Complexity: O(pixels), mostly parallel.
public func componentCount(_ mask: BinaryMask, connectivity: Connectivity = .eight) -> Int {
    RunForest(mask, value: 1, connectivity: connectivity).componentCount
}

/// A horizontal run of pixels x0 ..< x1 on row y.
struct Run {
    var x0: Int32
    var x1: Int32
    var y: Int32
}

/// The runs of the pixels equal to `value`, in raster order, grouped into
/// connected components (`componentOfRun`, 1-based, numbered in raster order).
struct RunForest {
    var runs: [Run] = []
    var componentOfRun: [Int32] = []
    var componentCount = 0

    init(_ mask: BinaryMask, value: UInt8, connectivity: Connectivity) {
        let w = mask.width, h = mask.height
        guard w > 0, h > 0 else { return }
        let bands = max(1, min(Concurrency.maximumThreads * 2, h / 64))
        // Per band: runs, band-local parents, and the index of the band's last-row first run.
        var bandRuns = [[Run]](repeating: [], count: bands)
        var bandParents = [[Int32]](repeating: [], count: bands)
        let overlap: Int32 = connectivity == .eight ? 1 : 0
        mask.bits.withUnsafeBufferPointer { bitsBuffer in
            bandRuns.withUnsafeMutableBufferPointer { br in
                bandParents.withUnsafeMutableBufferPointer { bp in
                    let bits = SendablePointer(UnsafeMutablePointer(mutating: bitsBuffer.baseAddress!))
                    let runsOut = SendablePointer(br.baseAddress!), parentsOut = SendablePointer(bp.baseAddress!)
                    parallelBands(bands, minimumPerBand: 1) { range in
                        for b in range {
                            let y0 = b * h / bands, y1 = (b + 1) * h / bands
                            var runs = [Run]()
                            var parent = [Int32]()
                            runs.reserveCapacity((y1 - y0) * 4)
                            parent.reserveCapacity((y1 - y0) * 4)
                            var prevStart = 0, prevEnd = 0
                            for y in y0 ..< y1 {
                                let row = bits.base + y * w
                                let start = runs.count
                                var x = 0
                                while x < w {
                                    while x < w && row[x] != value { x += 1 }
                                    if x == w { break }
                                    let s = x
                                    while x < w && row[x] == value { x += 1 }
                                    runs.append(Run(x0: Int32(s), x1: Int32(x), y: Int32(y)))
                                    parent.append(Int32(runs.count - 1))
                                }
                                // Unite with overlapping runs of the previous row (two pointers).
                                if y > y0 {
                                    var p = prevStart
                                    for c in start ..< runs.count {
                                        let cr = runs[c]
                                        while p < prevEnd && runs[p].x1 + overlap <= cr.x0 { p += 1 }
                                        var q = p
                                        while q < prevEnd && runs[q].x0 < cr.x1 + overlap {
                                            unite(&parent, Int32(q), Int32(c))
                                            q += 1
                                        }
                                    }
                                }
                                prevStart = start
                                prevEnd = runs.count
                            }
                            runsOut.base[b] = runs
                            parentsOut.base[b] = parent
                        }
                    }
                }
            }
        }
        // Concatenate with offsets.
        var offsets = [Int](repeating: 0, count: bands + 1)
        for b in 0 ..< bands { offsets[b + 1] = offsets[b] + bandRuns[b].count }
        runs.reserveCapacity(offsets[bands])
        var parent = [Int32]()
        parent.reserveCapacity(offsets[bands])
        for b in 0 ..< bands {
            runs.append(contentsOf: bandRuns[b])
            let o = Int32(offsets[b])
            parent.append(contentsOf: bandParents[b].map { $0 + o })
        }
        // Unite across band seams: last row of band b-1 with first row of band b.
        for b in 1 ..< bands where offsets[b] > offsets[b - 1] && offsets[b + 1] > offsets[b] {
            let seamY = Int32(b * h / bands)
            var lastStart = offsets[b] - 1
            while lastStart > offsets[b - 1] && runs[lastStart - 1].y == seamY - 1 { lastStart -= 1 }
            guard runs[lastStart].y == seamY - 1 else { continue }
            var p = lastStart
            var c = offsets[b]
            while c < offsets[b + 1] && runs[c].y == seamY {
                let cr = runs[c]
                while p < offsets[b] && runs[p].x1 + overlap <= cr.x0 { p += 1 }
                var q = p
                while q < offsets[b] && runs[q].x0 < cr.x1 + overlap {
                    unite(&parent, Int32(q), Int32(c))
                    q += 1
                }
                c += 1
            }
        }
        // Flatten in raster order: roots are the smallest run of their set.
        componentOfRun = [Int32](repeating: 0, count: runs.count)
        var next: Int32 = 0
        for i in 0 ..< runs.count {
            let r = Int(find(&parent, Int32(i)))
            if r == i {
                next += 1
                componentOfRun[i] = next
            } else {
                componentOfRun[i] = componentOfRun[r]
            }
        }
        componentCount = Int(next)
    }

    /// Writes each run's component number into a row-major label buffer.
    func paint(into labels: inout [Int32], width: Int) {
        guard !runs.isEmpty else { return }
        // Runs are in raster order: split them into bands of runs (disjoint rows).
        let n = runs.count
        let chunks = max(1, min(Concurrency.maximumThreads * 2, n / 4096))
        runs.withUnsafeBufferPointer { rb in
            componentOfRun.withUnsafeBufferPointer { cb in
                labels.withUnsafeMutableBufferPointer { lb in
                    let r = SendablePointer(UnsafeMutablePointer(mutating: rb.baseAddress!))
                    let c = SendablePointer(UnsafeMutablePointer(mutating: cb.baseAddress!))
                    let l = SendablePointer(lb.baseAddress!)
                    parallelBands(chunks, minimumPerBand: 1) { range in
                        for k in range {
                            for i in k * n / chunks ..< (k + 1) * n / chunks {
                                let run = r.base[i], label = c.base[i]
                                let row = l.base + Int(run.y) * width
                                for x in Int(run.x0) ..< Int(run.x1) { row[x] = label }
                            }
                        }
                    }
                }
            }
        }
    }
}

@inline(__always)
func find(_ parent: inout [Int32], _ i: Int32) -> Int32 {
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
func unite(_ parent: inout [Int32], _ a: Int32, _ b: Int32) {
    let ra = find(&parent, a), rb = find(&parent, b)
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
