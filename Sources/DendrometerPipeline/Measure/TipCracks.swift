// Cracks that carry on from the tips of Li whiskers (a dark phase from a grey threshold).
//
// Physics. A Li whisker is extruded from the anode and thins toward its tip: a
// needle. The stress at its tip cracks the electrolyte ahead of it, often in the
// whisker's own direction, so the direction rule of ``DendriteAnalysis/separatingCracks``
// keeps such a crack, and its far end sets the depth. In BSE a crack is as dark as
// Li (both scatter almost nothing), but it is a void: its opening does not follow
// the whisker's taper, and where it starts at a thin tip it is clearly wider than
// the tip. A whisker that merely crosses another, or forks, widens for a few px and
// goes on thin.
//
// Rule. Thin the mask and take, at every skeleton pixel, w: the distance to the
// nearest background pixel (the distance transform there; a line 2r + 1 px wide
// has w = r + 1). Walk every skeleton path outward from the pixels whose disk
// reaches the interface (breadth first) and smooth w along it by a running median
// over `tipWidthWindowPx` steps. The whisker's base value B is the largest smoothed
// w over its first `whiskerBaseLengthPx` steps. Further out, a smoothed w of at most
// `tipNeckFraction` × B is a neck; N is the narrowest. Material beyond a neck whose
// smoothed w stays at least T = max(`tipCrackWidening` × N, N + `tipCrackMinimumWideningPx`)
// for `tipCrackMinimumLengthPx` steps is a crack when at least `tipCrackWideShare` of
// the skeleton beyond that point has a smoothed w of T or more (a crack is wide to
// its end). The crack's skeleton, from where it widened on, and the part of the
// mask nearer to it than to the rest of the skeleton are removed; what stays
// rooted at the anode is kept, and `whiskerTipRestorePx` px of the removed mask
// next to it are given back.
//
// Worked example: a needle 17 px wide at its base (B = 9) tapers to 3 px at its tip
// (N = 2) 300 px from the anode; a crack 7 px wide (w = 4) carries on for 120 px.
// T = max(2 × 2, 2 + 1.5) = 4: the crack holds it for 120 ≥ 20 steps and all of
// it is that wide, so it is removed from where it widened and max depth falls from
// 420 to about 300 px. A crack 5 px wide (w = 3 < 4) stays; so does a knot where two
// thin whiskers cross and go on thin (most of what lies beyond it is narrow).

import DendrometerCore
import DendrometerGeometry
import DendrometerSegmentation
import DendrometerSkeleton

extension DendriteAnalysis {
    /// `mask` (dark phase on the electrolyte side, rooted pieces) without the cracks that carry
    /// on from thin whisker tips (see the file header); also returns the pixels removed.
    static func separatingTipCracks(_ mask: BinaryMask, interface: Interface,
                                    dendrites p: AnalysisParameters.Dendrites) throws(AnalysisError) -> (kept: BinaryMask, removed: Int) {
        guard mask.area > 0 else { return (mask, 0) }
        let skeleton = skeletonize(mask)
        let distances: SampledDistances
        do { distances = try distanceTransform(mask, sampledAt: skeleton) } catch { throw .kernel(error.description) }
        let crack = WhiskerPaths(skeleton: skeleton, distances: distances, interface: interface, parameters: p).tipCracks()
        guard !crack.isEmpty else { return (mask, 0) }
        let cleared = Self.removingTerritory(of: crack, skeleton: skeleton, from: mask)
        let rooted = keepingRooted(cleared, interface: interface, tolerancePx: p.rootTolerancePx).mask
        let kept = rooted.growing(within: mask, steps: p.whiskerTipRestorePx)
        return (kept, mask.area - kept.area)
    }
}

extension DendriteAnalysis {
    /// `mask` without the pixels nearer (in 8-connected steps through the mask) to the skeleton
    /// pixels `marked` (raster indices) than to the rest of `skeleton`: each skeleton pixel claims
    /// the mask around it breadth first, ties to the pixel first in raster order. O(mask pixels),
    /// whatever the widths.
    static func removingTerritory(of marked: [Int], skeleton: BinaryMask, from mask: BinaryMask) -> BinaryMask {
        let w = mask.width, h = mask.height
        // 0 background, 1 unclaimed mask, 2 kept skeleton's, 3 marked skeleton's.
        var claim = mask.bits
        for i in marked { claim[i] = 3 }
        var front = [Int]()
        for i in skeleton.bits.indices where skeleton.bits[i] != 0 {
            if claim[i] != 3 { claim[i] = 2 }
            front.append(i)
        }
        var next = [Int]()
        while !front.isEmpty {
            next.removeAll(keepingCapacity: true)
            for p in front {
                let x = p % w, y = p / w, owner = claim[p]
                for ny in max(0, y - 1) ... min(h - 1, y + 1) {
                    for nx in max(0, x - 1) ... min(w - 1, x + 1) where claim[ny * w + nx] == 1 {
                        claim[ny * w + nx] = owner
                        next.append(ny * w + nx)
                    }
                }
            }
            swap(&front, &next)
        }
        var out = mask
        for i in claim.indices where claim[i] == 3 { out.bits[i] = 0 }
        return out
    }
}

/// The skeleton of a dark phase walked outward from the interface, with each path's width history.
struct WhiskerPaths {
    let skeleton: BinaryMask
    let distances: SampledDistances
    let interface: Interface
    let p: AnalysisParameters.Dendrites

    init(skeleton: BinaryMask, distances: SampledDistances, interface: Interface, parameters: AnalysisParameters.Dendrites) {
        self.skeleton = skeleton; self.distances = distances; self.interface = interface; self.p = parameters
    }

    /// Raster indices of the skeleton pixels that belong to cracks carrying on from whisker tips.
    func tipCracks() -> [Int] {
        let tree = rootedTree()
        guard !tree.order.isEmpty else { return [] }
        let paths = widthsAlongPaths(tree)
        return crackSkeleton(tree, paths)
    }

    /// The skeleton's pixels (raster order, numbered as `distances` ranks them), their w, and a
    /// breadth-first tree grown from the pixels whose disk reaches the interface.
    struct Tree {
        var pixel = [Int](), width = [Float]()
        /// Parent of each pixel; `root` for the pixels at the interface, `unvisited` off the tree.
        var parent = [Int32]()
        /// The tree's pixels in breadth-first order.
        var order = [Int32]()
        static let root: Int32 = -1, unvisited: Int32 = -2
    }

    func rootedTree() -> Tree {
        let w = skeleton.width, h = skeleton.height, n = distances.count
        var t = Tree()
        t.pixel.reserveCapacity(n); t.width.reserveCapacity(n)
        for i in skeleton.bits.indices where skeleton.bits[i] != 0 {
            t.pixel.append(i)
            t.width.append(distances[i])
        }
        t.parent = [Int32](repeating: Tree.unvisited, count: n)
        t.order.reserveCapacity(n)
        for k in 0 ..< n {
            let x = t.pixel[k] % w, y = t.pixel[k] / w
            if interface.depth(x: Double(x), y: Double(y)) - Double(t.width[k]) <= p.rootTolerancePx {
                t.parent[k] = Tree.root
                t.order.append(Int32(k))
            }
        }
        var head = 0
        while head < t.order.count {
            let k = Int(t.order[head]); head += 1
            let x = t.pixel[k] % w, y = t.pixel[k] / w
            for yy in max(0, y - 1) ... min(h - 1, y + 1) {
                for xx in max(0, x - 1) ... min(w - 1, x + 1) where xx != x || yy != y {
                    guard let m = distances.rank(of: yy * w + xx), t.parent[m] == Tree.unvisited else { continue }
                    t.parent[m] = Int32(k)
                    t.order.append(Int32(m))
                }
            }
        }
        return t
    }

    /// Per tree pixel: the smoothed w, the neck's w on its path (∞ before a neck) and whether a
    /// crack has begun on it (the header's rule).
    struct PathWidths {
        var smoothed: [Float], neck: [Float], cracked: [Bool]
    }

    func widthsAlongPaths(_ t: Tree) -> PathWidths {
        let n = t.pixel.count
        let window = min(max(1, p.tipWidthWindowPx), n)
        var steps = [Int32](repeating: 0, count: n), base = [Float](repeating: 0, count: n)
        var run = [Int32](repeating: 0, count: n)
        var out = PathWidths(smoothed: [Float](repeating: 0, count: n), neck: [Float](repeating: .infinity, count: n),
                             cracked: [Bool](repeating: false, count: n))
        var recent = [Float]()
        recent.reserveCapacity(window)
        for o in t.order {
            let k = Int(o)
            // Running median of the last `window` values of w on the path to k.
            recent.removeAll(keepingCapacity: true)
            var q = k
            while recent.count < window {
                recent.append(t.width[q])
                guard t.parent[q] >= 0 else { break }
                q = Int(t.parent[q])
            }
            recent.sort()
            let smoothed = recent[recent.count / 2]
            out.smoothed[k] = smoothed
            guard t.parent[k] >= 0 else {
                steps[k] = 1; base[k] = smoothed
                continue
            }
            let up = Int(t.parent[k])
            steps[k] = steps[up] + 1
            base[k] = Int(steps[k]) <= p.whiskerBaseLengthPx ? max(base[up], smoothed) : base[up]
            out.neck[k] = out.neck[up]; run[k] = run[up]; out.cracked[k] = out.cracked[up]
            guard !out.cracked[k] else { continue }
            if Int(steps[k]) > p.whiskerBaseLengthPx, Double(smoothed) <= p.tipNeckFraction * Double(base[k]) {
                out.neck[k] = min(out.neck[k], smoothed)
            }
            if out.neck[k].isFinite {
                run[k] = Double(smoothed) >= crackThreshold(neck: out.neck[k]) ? run[k] + 1 : 0
                if Int(run[k]) >= p.tipCrackMinimumLengthPx { out.cracked[k] = true }
            }
        }
        return out
    }

    /// Raster indices of the skeleton of every crack: from each point where a crack began, all
    /// that lies beyond when enough of it is wide, and the stretch back to where it widened.
    func crackSkeleton(_ t: Tree, _ paths: PathWidths) -> [Int] {
        let n = t.pixel.count
        // Children of each tree pixel, in one array (childStart[k] ..< childStart[k + 1]).
        var childStart = [Int32](repeating: 0, count: n + 1)
        for k in 0 ..< n where t.parent[k] >= 0 { childStart[Int(t.parent[k]) + 1] += 1 }
        for k in 0 ..< n { childStart[k + 1] += childStart[k] }
        var fill = Array(childStart.dropLast()), children = [Int32](repeating: 0, count: Int(childStart[n]))
        for k in 0 ..< n where t.parent[k] >= 0 {
            let up = Int(t.parent[k])
            children[Int(fill[up])] = Int32(k); fill[up] += 1
        }
        let window = min(max(1, p.tipWidthWindowPx), n)
        var crack = [Int](), subtree = [Int](), stack = [Int]()
        for o in t.order {
            let k = Int(o)
            guard paths.cracked[k], t.parent[k] >= 0, !paths.cracked[Int(t.parent[k])] else { continue }
            let threshold = crackThreshold(neck: paths.neck[k])
            subtree.removeAll(keepingCapacity: true)
            stack.append(k)
            while let s = stack.popLast() {
                subtree.append(s)
                for c in childStart[s] ..< childStart[s + 1] { stack.append(Int(children[Int(c)])) }
            }
            let wide = subtree.filter { Double(paths.smoothed[$0]) >= threshold }.count
            guard Double(wide) >= p.tipCrackWideShare * Double(subtree.count) else { continue }
            crack += subtree.map { t.pixel[$0] }
            // The wide run began tipCrackMinimumLengthPx steps back, seen half a window late.
            var q = k
            for _ in 0 ..< max(0, min(p.tipCrackMinimumLengthPx, n) + window / 2) {
                guard t.parent[q] >= 0 else { break }
                q = Int(t.parent[q])
                crack.append(t.pixel[q])
            }
        }
        return crack
    }

    /// The w, px, a crack beyond a neck of w = `neck` holds at least (T of the header).
    func crackThreshold(neck: Float) -> Double {
        max(p.tipCrackWidening * Double(neck), Double(neck) + p.tipCrackMinimumWideningPx)
    }
}
