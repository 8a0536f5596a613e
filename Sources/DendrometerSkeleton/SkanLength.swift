// Total skeleton length in skan's convention, without building skan's graph.
//
// Method: skan 0.13 (`skan.Skeleton`, `skan.summarize`) links every pair of 8-adjacent skeleton
// pixels by an edge of length 1 (side by side) or √2 (diagonal), then, among junction pixels
// (≥ 3 neighbours), keeps only a minimum spanning tree of the junction–junction edges
// (`_mst_junctions`); every remaining edge lies on exactly one path, so the sum of
// `branch_distance` is the total weight of that graph:
//
//   L = Σ edges not joining two junction pixels  +  Σ over clusters of junction pixels of their MST.
//
// With weights 1 and √2 a minimum spanning forest of the junction pixels uses a side-by-side edge
// wherever one joins two 4-connected pieces, so its weight is (J − C4)·1 + (C4 − C8)·√2, with J the
// junction pixels and C4 / C8 the numbers of their 4- and 8-connected components.
//
// Dendrometer's own `length_px` measures branches node to node, with a junction cluster merged
// into one node: on a dense network of thick junction clusters that is several % longer than skan's
// total (each branch runs on to the cluster's centre). This figure lets users compare with skan
// directly; with `--thinning zhang` the skeleton is scikit-image's, so it equals skan's total.
//
// Worked example: a plus sign of 5 pixels (centre and its 4-neighbours). The centre has 4
// neighbours, each arm pixel has 3 (the centre and two diagonal arms), so all 5 are junction
// pixels: J = 5, one 4-connected and one 8-connected component, L = (5 − 1)·1 + 0·√2 = 4,
// which is what skan reports for it.
import DendrometerCore

/// Total skeleton length as skan 0.13 reports it (`summarize(Skeleton(s)).branch_distance.sum()`), px.
///
/// - Parameter skeleton: skeleton pixels, shape (rows, cols); any mask is accepted.
/// - Returns: the length, px (0 for an empty mask or isolated pixels).
/// - Complexity: O(width × height / 8 + skeleton pixels) time; memory in skeleton pixels.
public func skanTotalLengthPx(_ skeleton: BinaryMask) -> Double {
    let w = skeleton.width, h = skeleton.height
    guard w > 0, h > 0 else { return 0 }
    // Skeleton pixels (found 8 bytes at a time), then their degrees; junction pixels are
    // numbered in raster order for the union–finds.
    var pixels: [Int] = []
    // Junction pixel → its number (open addressing: the standard dictionary's seeded hashing
    // cost more than the rest of the count on a dense skeleton).
    var junctionIndex = NodeTable(minimumCapacity: 64)
    var junctions = 0
    skeleton.bits.withUnsafeBufferPointer { b in
        let raw = UnsafeRawPointer(b.baseAddress!)
        var i = 0
        let n = w * h
        while i < n {
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { i += 8; continue }
            if b[i] != 0 { pixels.append(i) }
            i += 1
        }
        for p in pixels {
            let x = p % w, y = p / w
            var degree = 0
            for dy in -1 ... 1 where y + dy >= 0 && y + dy < h {
                for dx in -1 ... 1 where (dx != 0 || dy != 0) && x + dx >= 0 && x + dx < w && b[p + dy * w + dx] != 0 { degree += 1 }
            }
            if degree >= 3 {
                junctionIndex.set(p, Int32(junctions))
                junctions += 1
            }
        }
    }
    // Edges counted once each (E, S, SE, SW); junction–junction edges go to the union–finds.
    var four = UnionFind(count: junctions), eight = UnionFind(count: junctions)
    var side = 0, diagonal = 0
    skeleton.bits.withUnsafeBufferPointer { b in
        for p in pixels {
            let x = p % w, y = p / w
            let jp = junctionIndex[p]
            for (dx, dy, isSide) in forwardNeighbours
            where x + dx >= 0 && x + dx < w && y + dy < h && b[p + dy * w + dx] != 0 {
                let q = p + dy * w + dx
                if let jp, let jq = junctionIndex[q] {
                    if isSide { four.union(Int(jp), Int(jq)) }
                    eight.union(Int(jp), Int(jq))
                } else if isSide {
                    side += 1
                } else {
                    diagonal += 1
                }
            }
        }
    }
    let j = junctions, c4 = four.componentCount, c8 = eight.componentCount
    return Double(side + (j - c4)) + Double(diagonal + (c4 - c8)) * 2.0.squareRoot()
}

/// Disjoint sets over 0 ..< count with path halving and union by index.
/// (dx, dy, side by side) of the neighbours E, S, SE and SW: each edge counted once.
private let forwardNeighbours = [(1, 0, true), (0, 1, true), (1, 1, false), (-1, 1, false)]

private struct UnionFind {
    private var parent: [Int]
    private(set) var componentCount: Int

    init(count: Int) {
        parent = Array(0 ..< count)
        componentCount = count
    }

    mutating func find(_ i: Int) -> Int {
        var i = i
        while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
        return i
    }

    mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra == rb { return }
        parent[max(ra, rb)] = min(ra, rb)
        componentCount -= 1
    }
}
