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
/// - Complexity: O(width × height) for the first round, then O(skeleton pixels + width × rows
///   next to a removed spur) per round; rounds ≤ 1 + longest chain of nested spurs.
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

/// The pruning rounds; with `measuring`, the last round's graph is measured with `widths` and
/// `pixelSize` and returned (without its skan length).
///
/// One ``SkeletonWorkspace`` serves every round: spurs are cleared in its zero-framed pixels and
/// its list of skeleton pixels is filtered, instead of the frame being copied and scanned again.
/// The clean-up after the first round runs over the whole frame (a skeleton from elsewhere may
/// hold corners anywhere); after later rounds only rows next to a change can hold one (the rest
/// of the frame is already clean), so only those are scanned — the same result.
func pruneSpurs(_ skeleton: BinaryMask, minimumLength: Double, measuring: Bool, widths: SampledDistances? = nil,
                pixelSize: PixelSize? = nil) throws(SkeletonError) -> (skeleton: BinaryMask, graph: SkeletonGraph?) {
    guard minimumLength.isFinite, minimumLength >= 0 else { throw .invalidPruneLength(minimumLength) }
    if measuring {
        if let d = widths, d.width != skeleton.width || d.height != skeleton.height {
            throw .distanceMapShape(expectedWidth: skeleton.width, expectedHeight: skeleton.height, width: d.width, height: d.height)
        }
        if let p = pixelSize, !p.isPhysical { throw .invalidPixelSize(p.description) }
    }
    let w = skeleton.width, h = skeleton.height
    let builder = GraphBuilder(width: w, height: h, distance: measuring ? widths : nil, pixelSize: measuring ? pixelSize : nil)
    var workspace = SkeletonWorkspace(skeleton)
    let pw = workspace.padded.width, ph = workspace.padded.height
    var frameIsClean = false
    while true {
        var built = workspace.graph(builder, measuring: false)
        // Candidate spurs grouped by their junction.
        var spursAt = [Int: [Int]]()
        for (k, b) in built.branches.enumerated() where b.type == .junctionToEndpoint && b.lengthPx < minimumLength {
            let j = built.nodes[b.source].kind == .junction ? b.source : b.destination
            spursAt[j, default: []].append(k)
        }
        var removed = false
        var rows = [UInt8](repeating: 0, count: ph)   // padded rows where a pixel was cleared
        workspace.padded.buffer.withUnsafeMutableBufferPointer { buffer in
            let p = buffer.baseAddress!
            for j in spursAt.keys.sorted() {
                let spurs = spursAt[j]!.sorted { (built.branches[$0].lengthPx, $0) < (built.branches[$1].lengthPx, $1) }
                let allowed = max(0, built.nodes[j].degree - 2)
                for k in spurs.prefix(allowed) {
                    let b = built.branches[k]
                    // The path runs between the junction's attaching pixel and the tip.
                    let attach = b.source == j ? b.path[0] : b.path[b.path.count - 1]
                    for q in b.path where q != attach {
                        p[(q / w + 1) * pw + q % w + 1] = 0
                        rows[q / w + 1] = 1
                    }
                    removed = true
                    let pa = (attach / w + 1) * pw + attach % w + 1
                    if isRemovableAttachPixel(p, pa, stride: pw) {
                        p[pa] = 0
                        rows[attach / w + 1] = 1
                    }
                }
            }
        }
        if !removed {
            if measuring { workspace.measure(builder, &built) }
            let graph = measuring ? SkeletonGraph(width: w, height: h, pixelSize: pixelSize, built: built) : nil
            // The state bytes (one per pixel of the frame) have had their last reader: freed before
            // the unpadded copy is made (peak memory).
            workspace.state = []
            return (workspace.padded.unpadded(), graph)
        }
        // Corners left where a spur met its junction: delete simple staircase
        // corners as skeletonize's clean-up does, so no false junction remains.
        var scan: [UInt8]? = frameIsClean ? rows : nil   // nil: the whole frame
        workspace.padded.buffer.withUnsafeMutableBufferPointer { buf in
            while true {
                let deleted = cleanUp(buf.baseAddress!, width: pw, height: ph, rows: scan)
                if deleted.isEmpty { break }
                var next = [UInt8](repeating: 0, count: ph)
                for i in deleted { next[i / pw] = 1 }
                scan = next
            }
        }
        frameIsClean = true
        workspace.forgetClearedPixels()
    }
}

/// Whether padded pixel `index` of `p` (zero-framed, row stride `stride`) is 8-simple (crossing
/// number 1) and has at least two neighbours, i.e. removing it changes neither topology nor ends.
private func isRemovableAttachPixel(_ p: UnsafeMutablePointer<UInt8>, _ index: Int, stride w: Int) -> Bool {
    func at(_ dx: Int, _ dy: Int) -> Int { Int(p[index + dy * w + dx]) }
    // Code in the bit order of ThinningTables: E, NE, N, NW, W, SW, S, SE.
    let code = at(1, 0) | at(1, -1) << 1 | at(0, -1) << 2 | at(-1, -1) << 3
        | at(-1, 0) << 4 | at(-1, 1) << 5 | at(0, 1) << 6 | at(1, 1) << 7
    return ThinningTables.crossingNumber(code) == 1 && code.nonzeroBitCount >= 2
}
