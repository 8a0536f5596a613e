// Skeleton graph in skan's vocabulary (J. Nunez-Iglesias, A. J. Blanch,
// O. Looker, M. W. Dixon, L. Tilley, "A new Python library to analyse
// skeleton images confirms malaria parasite remodelling of the red blood cell
// membrane skeleton", PeerJ 6:e4312, 2018; `skan.csr.Skeleton`, `summarize`).
//
// Pixels of degree ≠ 2 are nodes; 8-connected clusters of junction pixels
// (degree ≥ 3) are merged into one node; branches are the chains of degree-2
// pixels between nodes (or a direct step between two nodes). Built from the
// list of skeleton pixels (one scan that skips empty 8-pixel words): degrees,
// a BFS per junction cluster, one walk per branch, and the Euler number from
// the 2×2 windows touching the skeleton. O(width × height / 8 + skeleton
// pixels) time, one flag byte per pixel.
import DendrometerCore
import DendrometerSegmentation

/// A node of a ``SkeletonGraph``.
public struct SkeletonNode: Sendable, Equatable {
    /// What a node is.
    public enum Kind: Sendable, Equatable {
        /// A pixel with exactly one skeleton neighbour (a tip).
        case endpoint
        /// An 8-connected cluster of pixels with ≥ 3 skeleton neighbours each.
        case junction
        /// A pixel with no skeleton neighbour (a one-pixel skeleton).
        case isolatedPixel
        /// The first pixel (in raster order) of an isolated cycle, which has no
        /// endpoint or junction; its only branch starts and ends here.
        case cycleAnchor
    }

    /// Node kind.
    public var kind: Kind
    /// Position, px: the pixel centre; for a junction, the centre of the
    /// cluster pixel nearest to the cluster's centroid (first in raster order
    /// on ties), so positions stay on the pixel grid as in skan.
    public var x: Double
    /// Position, px (row axis, downwards).
    public var y: Double
    /// The node's pixels as linear indices `y * width + x` (one pixel except
    /// for junctions, which also list absorbed one-pixel bumps).
    public var pixels: [Int]
    /// Number of branch ends at this node (a loop counts twice).
    public var degree: Int
    /// Index of the connected skeleton this node belongs to (0-based, in order of first node).
    public var skeletonID: Int
}

/// skan's branch type.
public enum SkeletonBranchType: Int, Sendable, Equatable, CaseIterable, Codable {
    /// Endpoint to endpoint (an isolated unbranched segment).
    case endpointToEndpoint = 0
    /// Junction to endpoint (a tip or spur).
    case junctionToEndpoint = 1
    /// Junction to junction (the backbone of a network).
    case junctionToJunction = 2
    /// Starts and ends at the same node (skan's rule `src == dst`): an isolated
    /// cycle, or a loop that leaves and re-enters one junction.
    case cycle = 3
}

/// A branch of a ``SkeletonGraph``: a pixel path between two nodes.
public struct SkeletonBranch: Sendable, Equatable {
    /// Index of the source node in ``SkeletonGraph/nodes``.
    public var source: Int
    /// Index of the destination node (equal to `source` for a cycle).
    public var destination: Int
    /// skan's branch type.
    public var type: SkeletonBranchType
    /// The pixels from the source node's attaching pixel to the destination
    /// node's attaching pixel, as linear indices `y * width + x`; a cycle's
    /// path ends with its first pixel again.
    public var path: [Int]
    /// Length, px: Euclidean steps between consecutive pixel centres (1 or √2)
    /// plus, at a junction end, the straight distance from the junction's
    /// position to the attaching pixel (skan measures node centre to node centre).
    public var lengthPx: Double
    /// ``lengthPx`` in µm (steps scaled by the pixel width / height), `nil`
    /// without a pixel size.
    public var lengthUm: Double?
    /// Straight-line distance between the two node positions, px (0 for a cycle).
    public var euclideanDistancePx: Double
    /// Mean of 2 × distance map over the branch's pixels, px; `nil` without a distance map.
    public var meanWidthPx: Double?
    /// Connected skeleton the branch belongs to.
    public var skeletonID: Int

    /// Tortuosity = ``lengthPx`` / ``euclideanDistancePx`` (≥ 1); `nil` for a
    /// branch whose ends coincide (cycles), where it is undefined.
    public var tortuosity: Double? {
        euclideanDistancePx > 0 && source != destination ? lengthPx / euclideanDistancePx : nil
    }
}

/// The graph of a skeleton image: nodes (endpoints, merged junctions,
/// isolated pixels, cycle anchors) and branches between them, with skan's
/// branch types, lengths and widths.
///
/// Conventions (differences from skan 0.13 are noted):
/// - Pixel degree = number of 8-neighbours in the skeleton.
/// - Junction pixels (degree ≥ 3) that touch (8-connected) form **one**
///   junction node, placed on the cluster pixel nearest to the cluster's
///   centroid. skan instead reduces a junction
///   cluster to its minimum spanning tree and keeps every pixel still of
///   degree ≥ 3 as its own node, joined by short type-2 branches; counts of
///   junctions and type-2 branches therefore differ where skan leaves such
///   pairs (they agree on clean junctions such as a plus or a T).
/// - Branch length is measured node centre to node centre (see
///   ``SkeletonBranch/lengthPx``); the pixels inside a junction cluster are
///   otherwise not counted, so ``totalLengthPx`` is the sum of branch lengths.
/// - ``cycles`` is topological: components − Euler number (8-connected
///   skeleton, 4-connected background) of the skeleton pixels, i.e. the number
///   of holes it encloses. ``graphCycleRank`` = E − V + C of the node/branch
///   graph counts the same loops except loops lying entirely inside one merged
///   junction cluster (a hole ringed only by junction pixels), and it counts
///   loops through degree-2 pixels that enclose no hole.
/// - A degree-2 pixel whose two neighbours are adjacent pixels of the same
///   junction (a triangle, enclosing nothing) is absorbed into that junction
///   (listed in its ``SkeletonNode/pixels``, not used for its position)
///   instead of forming a one-pixel loop branch.
///
/// Example (plus sign with arms of 3 px):
///
/// ```swift
/// let plus = BinaryMask(rows: ["...#...", "...#...", "...#...",
///                              "#######",
///                              "...#...", "...#...", "...#..."])
/// let g = try SkeletonGraph(skeleton: plus)
/// g.summary.junctions      // 1 (the centre and its four neighbours, placed at (3, 3))
/// g.summary.endpoints      // 4
/// g.branches.map(\.lengthPx)   // [3.0, 3.0, 3.0, 3.0], all type 1
/// ```
public struct SkeletonGraph: Sendable {
    /// Image width, px.
    public let width: Int
    /// Image height, px.
    public let height: Int
    /// The pixel size lengths were converted with (`nil`: µm values are `nil`).
    public let pixelSize: PixelSize?
    /// Nodes, in raster order of their first pixel (cycle anchors last).
    public var nodes: [SkeletonNode]
    /// Branches, in order of discovery (by source node).
    public var branches: [SkeletonBranch]
    /// Number of connected skeletons (8-connected components), including isolated pixels.
    public let components: Int
    /// Independent loops = components − Euler number of the skeleton pixels.
    public let cycles: Int
    /// E − V + C of the node/branch graph (see the type's discussion).
    public let graphCycleRank: Int
    /// Mean of 2 × distance over all skeleton pixels, px; `nil` without a distance map or pixels.
    public let meanWidthPx: Double?
    /// Total length in skan's convention (``skanTotalLengthPx(_:)``), px: what
    /// `skan.summarize(...).branch_distance.sum()` gives on the same skeleton.
    public internal(set) var skanLengthPx: Double

    /// Builds the graph of `skeleton`.
    ///
    /// - Parameters:
    ///   - skeleton: skeleton pixels, shape (rows, cols); normally the output of
    ///     ``skeletonize(_:)``. Any mask is accepted (the graph of a thick mask
    ///     is meaningless but well defined).
    ///   - distance: optional Euclidean distance map of the *original* mask, px,
    ///     same shape (distance from each phase pixel to the nearest background);
    ///     widths are 2 × distance. `nil`: widths are `nil`.
    ///   - pixelSize: optional pixel size for the µm values.
    /// - Throws: ``SkeletonError/distanceMapShape(expectedWidth:expectedHeight:width:height:)``,
    ///   ``SkeletonError/invalidPixelSize(_:)``.
    /// - Complexity: O(width × height).
    public init(skeleton: BinaryMask, distance: Image<Float>? = nil, pixelSize: PixelSize? = nil) throws(SkeletonError) {
        try self.init(skeleton: skeleton, widths: try SampledDistances(checking: distance, at: skeleton), pixelSize: pixelSize,
                      measuringSkanLength: true)
    }

    /// ``init(skeleton:distance:pixelSize:)`` with the distance map already sampled at the
    /// skeleton's pixels, or at those of a skeleton holding this one (the skeleton before
    /// spur pruning): the dense map need not be kept.
    ///
    /// - Throws: ``SkeletonError/distanceMapShape(expectedWidth:expectedHeight:width:height:)``
    ///   when `widths` was sampled in a raster of another shape, ``SkeletonError/invalidPixelSize(_:)``.
    public init(skeleton: BinaryMask, widths: SampledDistances?, pixelSize: PixelSize? = nil) throws(SkeletonError) {
        try self.init(skeleton: skeleton, widths: widths, pixelSize: pixelSize, measuringSkanLength: true)
    }

    /// ``init(skeleton:widths:pixelSize:)``, optionally without the extra pass for
    /// ``skanLengthPx`` (then 0): spur pruning rebuilds the graph every round and never reads it.
    init(skeleton: BinaryMask, widths: SampledDistances? = nil, pixelSize: PixelSize? = nil,
         measuringSkanLength: Bool) throws(SkeletonError) {
        if let d = widths, d.width != skeleton.width || d.height != skeleton.height {
            throw .distanceMapShape(expectedWidth: skeleton.width, expectedHeight: skeleton.height,
                                    width: d.width, height: d.height)
        }
        if let p = pixelSize, !p.isPhysical { throw .invalidPixelSize(p.description) }
        var workspace = SkeletonWorkspace(skeleton)
        let builder = GraphBuilder(width: skeleton.width, height: skeleton.height, distance: widths, pixelSize: pixelSize)
        self.init(width: skeleton.width, height: skeleton.height, pixelSize: pixelSize,
                  built: workspace.graph(builder, measuring: true))
        self.skanLengthPx = measuringSkanLength ? skanTotalLengthPx(skeleton) : 0
    }

    /// The graph of a built skeleton (skan length 0 until set).
    init(width: Int, height: Int, pixelSize: PixelSize?, built: GraphBuilder.Result) {
        self.width = width
        self.height = height
        self.pixelSize = pixelSize
        self.nodes = built.nodes
        self.branches = built.branches
        self.components = built.components
        self.cycles = built.cycles
        self.graphCycleRank = built.branches.count - built.nodes.count + built.components
        self.meanWidthPx = built.meanWidthPx
        self.skanLengthPx = 0
    }

    /// Sum of branch lengths, px.
    public var totalLengthPx: Double { branches.reduce(0) { $0 + $1.lengthPx } }

    /// (x, y) of a linear pixel index, px.
    public func point(_ index: Int) -> (x: Int, y: Int) { (index % width, index / width) }
}

// MARK: - Builder

/// A skeleton held for graph building: its pixels in a zero-framed buffer (so every pixel has 8
/// neighbours; padded indices, stride `width + 2`), the builder's per-pixel state bytes (all zero
/// between builds) and the padded indices of the skeleton pixels in raster order. Spur pruning
/// keeps one across its rounds, editing the pixels in place, instead of copying the frame and
/// scanning it for pixels each round.
struct SkeletonWorkspace {
    var padded: PaddedMask
    var state: [UInt8]
    /// Padded indices of the skeleton pixels, raster order.
    var pixels: [Int]

    init(_ skeleton: BinaryMask) {
        padded = PaddedMask(skeleton)
        state = [UInt8](repeating: 0, count: padded.buffer.count)
        pixels = Self.skeletonPixels(padded)
    }

    /// Padded indices of the skeleton pixels in raster order. Skeletons are sparse, so eight
    /// pixels are tested at once and zero words skipped.
    static func skeletonPixels(_ padded: PaddedMask) -> [Int] {
        var out = [Int]()
        let pw = padded.width, w = pw - 2, h = padded.height - 2
        padded.buffer.withUnsafeBufferPointer { ph in
            let p = ph.baseAddress!
            for y in 1 ..< h + 1 {
                var x = 1
                let row = y * pw
                while x <= w {
                    if x + 8 <= w + 1 {
                        let word = UnsafeRawPointer(p + row + x).loadUnaligned(as: UInt64.self)
                        if word == 0 { x += 8; continue }
                    }
                    if p[row + x] != 0 { out.append(row + x) }
                    x += 1
                }
            }
        }
        return out
    }

    /// Drops from ``pixels`` the pixels cleared in ``padded`` since.
    mutating func forgetClearedPixels() {
        let buffer = padded.buffer
        pixels.removeAll { buffer[$0] == 0 }
    }

    /// The graph of the skeleton as it is now; `measuring` adds the widths and the cycle count
    /// (``GraphBuilder/measure(_:pixels:phase:)``), otherwise left `nil` and 0.
    mutating func graph(_ builder: GraphBuilder, measuring: Bool) -> GraphBuilder.Result {
        let all = pixels
        var built = padded.buffer.withUnsafeBufferPointer { ph in
            state.withUnsafeMutableBufferPointer { st in
                builder.build(phase: ph.baseAddress!, pixels: all, state: st.baseAddress!)
            }
        }
        if measuring { measure(builder, &built) }
        return built
    }

    /// Adds the widths and the cycle count to a graph built from this skeleton as it is now.
    func measure(_ builder: GraphBuilder, _ built: inout GraphBuilder.Result) {
        padded.buffer.withUnsafeBufferPointer { builder.measure(&built, pixels: pixels, phase: $0.baseAddress!) }
    }
}

/// Node ids of node pixels, by padded index: open addressing with linear probing on a
/// multiplicative hash (a skeleton's node pixels are a few per cent of its pixels; the
/// standard dictionary's seeded hashing cost more than the rest of the graph's walk).
struct NodeTable {
    private var keys: [Int]
    private var values: [Int32]
    private var count = 0

    init(minimumCapacity: Int) {
        var capacity = 16
        while capacity < 2 * minimumCapacity { capacity <<= 1 }
        keys = [Int](repeating: -1, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
    }

    @inline(__always) private func slot(_ key: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(truncatingIfNeeded: key) &* 0x9E37_79B9_7F4A_7C15) >> 29) & (keys.count - 1)
    }

    subscript(key: Int) -> Int32? {
        var s = slot(key)
        while true {
            let k = keys[s]
            if k == key { return values[s] }
            if k < 0 { return nil }
            s = (s + 1) & (keys.count - 1)
        }
    }

    mutating func set(_ key: Int, _ value: Int32) {
        if 2 * (count + 1) > keys.count { grow() }
        var s = slot(key)
        while keys[s] >= 0 && keys[s] != key { s = (s + 1) & (keys.count - 1) }
        if keys[s] < 0 { keys[s] = key; count += 1 }
        values[s] = value
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [Int](repeating: -1, count: 2 * oldKeys.count)
        values = [Int32](repeating: 0, count: 2 * oldKeys.count)
        count = 0
        for (k, key) in oldKeys.enumerated() where key >= 0 { set(key, oldValues[k]) }
    }
}

/// Builds the graph of a skeleton held in a ``SkeletonWorkspace``; indices inside are padded
/// (stride `width + 2`) and converted to image indices on output.
struct GraphBuilder {
    let w: Int, h: Int, pw: Int
    let distance: SampledDistances?
    let pixelSize: PixelSize?

    init(width: Int, height: Int, distance: SampledDistances?, pixelSize: PixelSize?) {
        w = width; h = height; pw = width + 2
        self.distance = distance
        self.pixelSize = pixelSize
    }

    struct Result {
        var nodes: [SkeletonNode]
        var branches: [SkeletonBranch]
        var components: Int
        var cycles: Int
        var meanWidthPx: Double?
    }

    func imageIndex(_ p: Int) -> Int { (p / pw - 1) * w + (p % pw - 1) }

    /// Per-pixel state bits of the builder (low 4 bits: degree).
    static let nodeBit: UInt8 = 0x10, visitedBit: UInt8 = 0x20

    /// The graph of the skeleton `phase` (padded) whose pixels are `all` (padded, raster
    /// order); `state` holds one zero byte per padded pixel and is left zero. Widths and the
    /// cycle count are not measured here (``measure(_:pixels:phase:)``).
    func build(phase p: UnsafePointer<UInt8>, pixels all: [Int], state s: UnsafeMutablePointer<UInt8>) -> Result {
        let offsets = [-pw - 1, -pw, -pw + 1, -1, 1, pw - 1, pw, pw + 1]
        // Degree (low bits), node and visited flags per padded pixel; node ids by pixel.
        var nodeID = NodeTable(minimumCapacity: all.count / 8)
        var nodes: [SkeletonNode] = []
        var branches: [SkeletonBranch] = []
        var stack: [Int] = []

        func degree(_ i: Int) -> UInt8 { s[i] & 0x0F }
        func isNode(_ i: Int) -> Bool { s[i] & Self.nodeBit != 0 }
        func isVisited(_ i: Int) -> Bool { s[i] & Self.visitedBit != 0 }
        func nodeOf(_ i: Int) -> Int { isNode(i) ? Int(nodeID[i]!) : -1 }
        func setNode(_ i: Int, _ id: Int32) { s[i] |= Self.nodeBit; nodeID.set(i, id) }
        // Degrees.
        for i in all {
            var d: UInt8 = 0
            for o in offsets { d &+= p[i + o] }
            s[i] = d
        }
        // Nodes in raster order; junction clusters by BFS over degree ≥ 3 pixels.
        for i in all {
            if degree(i) == 2 || isNode(i) { continue }
            let id = Int32(nodes.count)
            if degree(i) >= 3 {
                var pixels: [Int] = []
                setNode(i, id)
                stack.append(i)
                while let q = stack.popLast() {
                    pixels.append(q)
                    for o in offsets {
                        let r = q + o
                        if p[r] != 0 && degree(r) >= 3 && !isNode(r) { setNode(r, id); stack.append(r) }
                    }
                }
                pixels.sort()
                let c = Double(pixels.count)
                let cx = pixels.reduce(0.0) { $0 + Double($1 % pw - 1) } / c
                let cy = pixels.reduce(0.0) { $0 + Double($1 / pw - 1) } / c
                // Representative pixel: nearest to the centroid, first in raster order on ties.
                var best = pixels[0], bestD = Double.infinity
                for q in pixels {
                    let dx = Double(q % pw - 1) - cx, dy = Double(q / pw - 1) - cy
                    if dx * dx + dy * dy < bestD - 1e-12 { bestD = dx * dx + dy * dy; best = q }
                }
                nodes.append(SkeletonNode(kind: .junction, x: Double(best % pw - 1), y: Double(best / pw - 1),
                                          pixels: pixels, degree: 0, skeletonID: 0))
            } else {
                setNode(i, id)
                nodes.append(SkeletonNode(kind: degree(i) == 1 ? .endpoint : .isolatedPixel,
                                          x: Double(i % pw - 1), y: Double(i / pw - 1), pixels: [i], degree: 0, skeletonID: 0))
            }
        }
        // Branches from every node pixel.
        func walk(from q: Int, into r: Int) -> [Int] {
            var path = [q, r]
            s[r] |= Self.visitedBit
            var prev = q, cur = r
            while true {
                var next = -1
                for o in offsets where p[cur + o] != 0 && cur + o != prev { next = cur + o; break }
                if next < 0 { break }  // unreachable for degree-2 pixels
                path.append(next)
                if isNode(next) || isVisited(next) { break }
                s[next] |= Self.visitedBit
                prev = cur; cur = next
            }
            return path
        }
        for id in nodes.indices {
            for q in nodes[id].pixels where nodeOf(q) == id {
                for o in offsets {
                    let r = q + o
                    if p[r] == 0 { continue }
                    if isNode(r) {
                        let other = nodeOf(r)
                        if other != id && q < r { branches.append(rawBranch([q, r], id, other)) }
                    } else if !isVisited(r) {
                        let path = walk(from: q, into: r)
                        let last = path[path.count - 1]
                        let dst = isNode(last) ? nodeOf(last) : id
                        // A single pixel touching two adjacent pixels of the same
                        // junction is a bump of that junction (a 3-pixel triangle
                        // that encloses nothing), not a loop: absorb it.
                        if path.count == 3 && dst == id && abs(q % pw - last % pw) <= 1 && abs(q / pw - last / pw) <= 1 {
                            nodes[id].pixels.append(r)
                            continue
                        }
                        branches.append(rawBranch(path, id, dst))
                    }
                }
            }
        }
        // Isolated cycles: degree-2 pixels no walk reached.
        for i in all {
            if degree(i) != 2 || isVisited(i) || isNode(i) { continue }
            let id = nodes.count
            setNode(i, Int32(id))
            s[i] |= Self.visitedBit
            nodes.append(SkeletonNode(kind: .cycleAnchor, x: Double(i % pw - 1), y: Double(i / pw - 1),
                                      pixels: [i], degree: 0, skeletonID: 0))
            var first = -1
            for o in offsets where p[i + o] != 0 { first = i + o; break }
            branches.append(rawBranch(walk(from: i, into: first), id, id))
        }
        // The state is left as found (zero), ready for the next build.
        for i in all { s[i] = 0 }

        // Components by union-find over branches; skeleton ids in node order.
        var parent = Array(0 ..< nodes.count)
        func find(_ a: Int) -> Int {
            var a = a
            while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }
            return a
        }
        for b in branches {
            let ra = find(b.source), rb = find(b.destination)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
            nodes[b.source].degree += 1
            nodes[b.destination].degree += 1
        }
        var componentOfRoot = [Int: Int]()
        for i in nodes.indices {
            let r = find(i)
            if componentOfRoot[r] == nil { componentOfRoot[r] = componentOfRoot.count }
            nodes[i].skeletonID = componentOfRoot[r]!
        }
        let components = componentOfRoot.count

        // Finish branches: types, lengths, image indices.
        for k in branches.indices {
            finish(&branches[k], nodes: nodes)
        }
        for k in nodes.indices { nodes[k].pixels = nodes[k].pixels.map(imageIndex) }
        return Result(nodes: nodes, branches: branches, components: components, cycles: 0, meanWidthPx: nil)
    }

    /// Adds to `built` (from ``build(phase:pixels:state:)`` of the same pixels) what is measured
    /// beyond the graph: each branch's mean width and the skeleton's (with a distance map), and
    /// the cycle count.
    func measure(_ built: inout Result, pixels all: [Int], phase: UnsafePointer<UInt8>) {
        if let d = distance {
            for k in built.branches.indices {
                let b = built.branches[k]
                let pixels = b.source == b.destination && b.path.count > 1 ? b.path.dropLast() : b.path[...]
                let sum = pixels.reduce(0.0) { $0 + Double(d[$1]) }
                built.branches[k].meanWidthPx = 2 * sum / Double(pixels.count)
            }
            if !all.isEmpty {
                let sum = all.reduce(0.0) { $0 + Double(d[imageIndex($1)]) }
                built.meanWidthPx = 2 * sum / Double(all.count)
            }
        }
        built.cycles = built.components - eulerNumber8(pixels: all, phase: phase)
    }

    /// A branch with its path (padded indices) and end nodes; measured by `finish`.
    func rawBranch(_ path: [Int], _ src: Int, _ dst: Int) -> SkeletonBranch {
        SkeletonBranch(source: src, destination: dst, type: .cycle, path: path, lengthPx: 0, lengthUm: nil,
                       euclideanDistancePx: 0, meanWidthPx: nil, skeletonID: 0)
    }

    func finish(_ b: inout SkeletonBranch, nodes: [SkeletonNode]) {
        let s = nodes[b.source], t = nodes[b.destination]
        if b.source == b.destination {
            b.type = .cycle
        } else {
            let tips = (s.kind == .endpoint ? 1 : 0) + (t.kind == .endpoint ? 1 : 0)
            b.type = tips == 2 ? .endpointToEndpoint : tips == 1 ? .junctionToEndpoint : .junctionToJunction
        }
        let pxW = pixelSize?.widthMicrometres ?? 1, pxH = pixelSize?.heightMicrometres ?? 1
        func length(_ dx: Double, _ dy: Double) -> (px: Double, um: Double) {
            ((dx * dx + dy * dy).squareRoot(), ((dx * pxW) * (dx * pxW) + (dy * pxH) * (dy * pxH)).squareRoot())
        }
        var len = 0.0, lenUm = 0.0
        func add(_ dx: Double, _ dy: Double) {
            let step = length(dx, dy)
            len += step.px
            lenUm += step.um
        }
        // A step to one of the 8 neighbours, by |dx| + 2|dy|: the same expressions as for any
        // offset (a sign does not change a square), so the sums are the same to the last bit.
        let neighbourSteps = [length(0, 0), length(1, 0), length(0, 1), length(1, 1)]
        let first = b.path[0], last = b.path[b.path.count - 1]
        // Walked in padded indices; each is turned into its image index on the way, from the
        // step (a row down or up moves the image index 2 less or more than the padded one).
        var prev = first, index = imageIndex(first)
        b.path.withUnsafeMutableBufferPointer { path in
            path[0] = index
            for k in 1 ..< path.count {
                let q = path[k], d = q - prev
                let dy = d >= pw - 1 ? 1 : d <= 1 - pw ? -1 : 0, dx = d - dy * pw
                if abs(dx) <= 1 {
                    let step = neighbourSteps[abs(dx) + 2 * abs(dy)]
                    len += step.px
                    lenUm += step.um
                    index += d - 2 * dy
                } else {   // not a neighbour (no walk makes such a step)
                    add(Double(q % pw - prev % pw), Double(q / pw - prev / pw))
                    index = imageIndex(q)
                }
                path[k] = index
                prev = q
            }
        }
        // Node-centre to attaching-pixel offsets (zero except at junctions).
        add(Double(first % pw - 1) - s.x, Double(first / pw - 1) - s.y)
        add(Double(last % pw - 1) - t.x, Double(last / pw - 1) - t.y)
        b.lengthPx = len
        b.lengthUm = pixelSize == nil ? nil : lenUm
        let dx = t.x - s.x, dy = t.y - s.y
        b.euclideanDistancePx = (dx * dx + dy * dy).squareRoot()
        b.skeletonID = s.skeletonID
    }

    /// Euler number of the skeleton pixels with 8-connected phase / 4-connected
    /// background, by Gray's bit-quad count: (Q1 − Q3 − 2·QD) / 4 over all 2×2
    /// windows of the padded image (S. B. Gray, "Local properties of binary
    /// images in two dimensions", IEEE Trans. Computers C-20(5), 1971).
    /// Only windows holding a skeleton pixel can count; each is visited once,
    /// from its first skeleton pixel in raster order (`pixels`, sorted).
    func eulerNumber8(pixels: [Int], phase p: UnsafePointer<UInt8>) -> Int {
        var q1 = 0, q3 = 0, qd = 0
        for i in pixels {
            // The four windows containing i, by their top-left corner.
            for corner in [i - pw - 1, i - pw, i - 1, i] {
                let a = p[corner], b = p[corner + 1], c = p[corner + pw], d = p[corner + pw + 1]
                // Skip a window already counted from an earlier pixel (raster order a, b, c, d).
                let earlier: UInt8 = i == corner ? 0 : i == corner + 1 ? a : i == corner + pw ? a | b : a | b | c
                if earlier != 0 { continue }
                switch a + b + c + d {
                case 1: q1 += 1
                case 3: q3 += 1
                case 2 where a == d: qd += 1
                default: break
                }
            }
        }
        return (q1 - q3 - 2 * qd) / 4
    }
}
