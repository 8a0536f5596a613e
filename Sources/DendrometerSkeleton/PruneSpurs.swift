// Spur pruning of a skeleton by branch length: repeated removal of short
// junction–endpoint branches on the skan-style graph (``SkeletonGraph``), the
// usual graph-based pruning (e.g. skan's `Skeleton.prune_paths` applied to
// branch type 1 below a length threshold), with two guards described below.
import DendrometerCore
import DendrometerSegmentation

/// Removes spurs — junction-to-endpoint branches (skan type 1) shorter than
/// `minimumLength` px — from `skeleton`, rebuilding the graph and repeating
/// until nothing changes.
///
/// Rules:
/// - Only type-1 branches are removed. Junction–junction branches (type 2,
///   e.g. the short backbone between two close junctions), isolated branches
///   (type 0) and cycles are never removed.
/// - Per junction and round, spurs are removed shortest first (ties: branch
///   order) but at most `branches at the junction − 2`, so a junction whose
///   arms are all short keeps its two longest arms (a three-armed star of
///   short arms loses only its shortest arm and becomes one branch).
/// - A removed spur loses its pixels beyond the junction; its attaching
///   junction pixel is also removed when that pixel is then 8-simple and not
///   an end (≥ 2 neighbours), so a merged junction leaves no stub. Junctions
///   left with two branches dissolve into one branch when the graph is rebuilt.
///   After each round the clean-up of ``skeletonize(_:)`` (simple staircase
///   corners, 2×2 blocks) runs again, so a corner left where a spur met a
///   rail does not become a false junction. On a skeleton that did not come
///   from ``skeletonize(_:)`` this also removes such corners elsewhere.
///
/// Length is ``SkeletonBranch/lengthPx`` (node centre to node centre).
///
/// - Parameters:
///   - skeleton: a skeleton (normally from ``skeletonize(_:)``), shape (rows, cols). Not modified.
///   - minimumLength: spurs strictly shorter than this are removed, px (≥ 0; 0 removes nothing).
/// - Returns: the pruned skeleton, a subset of `skeleton` with the same
///   components and holes.
/// - Throws: ``SkeletonError/invalidPruneLength(_:)`` for a negative or non-finite length.
/// - Complexity: O(width × height) per round; rounds ≤ 1 + longest chain of nested spurs.
///
/// Example (plus sign with arms N = 2, W = 2, E = 6, S = 6 px, centre (6, 6);
/// `minimumLength: 3`): both short arms go, the junction dissolves, the
/// now-redundant corner pixel at the centre is cleaned away, and one
/// endpoint-to-endpoint branch of 5 + √2 + 5 ≈ 11.41 px remains.
///
/// ```swift
/// let pruned = try pruneSpurs(plus, minimumLength: 3)
/// try SkeletonGraph(skeleton: pruned).summary.branchTypes   // ["0": 1, "1": 0, "2": 0, "3": 0]
/// ```
public func pruneSpurs(_ skeleton: BinaryMask, minimumLength: Double) throws(SkeletonError) -> BinaryMask {
    try pruneSpurs(skeleton, minimumLength: minimumLength, measuring: false).skeleton
}

/// ``pruneSpurs(_:minimumLength:)`` and the graph of the pruned skeleton, as
/// ``SkeletonGraph/init(skeleton:distance:pixelSize:)`` builds it. Pruning ends with a round
/// whose graph has no spur to remove; that graph is the pruned skeleton's, so it is returned
/// instead of being built once more (each round's graph carries the widths and µm lengths).
///
/// - Parameters:
///   - distance: optional distance map of the original mask, same shape (widths); `nil`: none.
///   - pixelSize: optional pixel size for the µm values.
/// - Throws: as ``pruneSpurs(_:minimumLength:)`` and ``SkeletonGraph/init(skeleton:distance:pixelSize:)``.
public func pruneSpursWithGraph(_ skeleton: BinaryMask, minimumLength: Double, distance: Image<Float>? = nil,
                                pixelSize: PixelSize? = nil) throws(SkeletonError) -> (skeleton: BinaryMask, graph: SkeletonGraph) {
    try pruneSpursWithGraph(skeleton, minimumLength: minimumLength, widths: try SampledDistances(checking: distance, at: skeleton),
                            pixelSize: pixelSize)
}

/// ``pruneSpursWithGraph(_:minimumLength:distance:pixelSize:)`` with the distance map already
/// sampled at `skeleton`'s pixels (``SampledDistances``), so the dense map need not be kept.
public func pruneSpursWithGraph(_ skeleton: BinaryMask, minimumLength: Double, widths: SampledDistances?,
                                pixelSize: PixelSize? = nil) throws(SkeletonError) -> (skeleton: BinaryMask, graph: SkeletonGraph) {
    let (pruned, graph) = try pruneSpurs(skeleton, minimumLength: minimumLength, measuring: true, widths: widths,
                                         pixelSize: pixelSize)
    var measured = graph!
    measured.skanLengthPx = skanTotalLengthPx(pruned)
    return (pruned, measured)
}

/// The pruning rounds; with `measuring`, each round's graph is built with `widths` and
/// `pixelSize` and the last one is returned (without its skan length).
func pruneSpurs(_ skeleton: BinaryMask, minimumLength: Double, measuring: Bool, widths: SampledDistances? = nil,
                pixelSize: PixelSize? = nil) throws(SkeletonError) -> (skeleton: BinaryMask, graph: SkeletonGraph?) {
    guard minimumLength.isFinite, minimumLength >= 0 else { throw .invalidPruneLength(minimumLength) }
    var mask = skeleton
    while true {
        let graph = measuring
            ? try SkeletonGraph(skeleton: mask, widths: widths, pixelSize: pixelSize, measuringSkanLength: false)
            : try SkeletonGraph(skeleton: mask, measuringSkanLength: false)
        let finalGraph = measuring ? graph : nil
        // Candidate spurs grouped by their junction.
        var spursAt = [Int: [Int]]()
        for (k, b) in graph.branches.enumerated() where b.type == .junctionToEndpoint && b.lengthPx < minimumLength {
            let j = graph.nodes[b.source].kind == .junction ? b.source : b.destination
            spursAt[j, default: []].append(k)
        }
        if spursAt.isEmpty { return (mask, finalGraph) }
        var removed = false
        for j in spursAt.keys.sorted() {
            let spurs = spursAt[j]!.sorted { (graph.branches[$0].lengthPx, $0) < (graph.branches[$1].lengthPx, $1) }
            let allowed = max(0, graph.nodes[j].degree - 2)
            for k in spurs.prefix(allowed) {
                let b = graph.branches[k]
                // The path runs between the junction's attaching pixel and the tip.
                let fromJunction = b.source == j
                let attach = fromJunction ? b.path[0] : b.path[b.path.count - 1]
                for q in b.path where q != attach { mask.bits[q] = 0 }
                removed = true
                if isRemovableAttachPixel(mask, attach) { mask.bits[attach] = 0 }
            }
        }
        if !removed { return (mask, finalGraph) }
        // Corners left where a spur met its junction: delete simple staircase
        // corners as skeletonize's clean-up does, so no false junction remains.
        var padded = PaddedMask(mask)
        padded.buffer.withUnsafeMutableBufferPointer { buf in
            while !cleanUp(buf.baseAddress!, width: padded.width, height: padded.height).isEmpty {}
        }
        mask = padded.unpadded()
    }
}

/// Whether pixel `index` of `mask` is 8-simple (crossing number 1) and has at
/// least two neighbours, i.e. removing it changes neither topology nor ends.
private func isRemovableAttachPixel(_ mask: BinaryMask, _ index: Int) -> Bool {
    let x = index % mask.width, y = index / mask.width
    func at(_ dx: Int, _ dy: Int) -> Int {
        let xx = x + dx, yy = y + dy
        return xx >= 0 && yy >= 0 && xx < mask.width && yy < mask.height ? Int(mask.bits[yy * mask.width + xx]) : 0
    }
    // Code in the bit order of ThinningTables: E, NE, N, NW, W, SW, S, SE.
    let code = at(1, 0) | at(1, -1) << 1 | at(0, -1) << 2 | at(-1, -1) << 3
        | at(-1, 0) << 4 | at(-1, 1) << 5 | at(0, 1) << 6 | at(1, 1) << 7
    return ThinningTables.crossingNumber(code) == 1 && code.nonzeroBitCount >= 2
}
