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
        let w = skeleton.width, h = skeleton.height, n = distances.count
        guard n > 0 else { return [] }
        // Skeleton pixels, numbered in raster order (the rank of each among the samples).
        var pixel = [Int](), width = [Float]()
        pixel.reserveCapacity(n); width.reserveCapacity(n)
        for i in skeleton.bits.indices where skeleton.bits[i] != 0 {
            pixel.append(i)
            width.append(distances[i])
        }
        // Breadth-first from the pixels whose disk reaches the interface.
        let unvisited: Int32 = -2, root: Int32 = -1
        var parent = [Int32](repeating: unvisited, count: n)
        var order = [Int32]()
        order.reserveCapacity(n)
        for k in 0 ..< n {
            let x = pixel[k] % w, y = pixel[k] / w
            if interface.depth(x: Double(x), y: Double(y)) - Double(width[k]) <= p.rootTolerancePx {
                parent[k] = root
                order.append(Int32(k))
            }
        }
        var head = 0
        while head < order.count {
            let k = Int(order[head]); head += 1
            let x = pixel[k] % w, y = pixel[k] / w
            for dy in -1 ... 1 {
                for dx in -1 ... 1 where dx != 0 || dy != 0 {
                    let xx = x + dx, yy = y + dy
                    guard xx >= 0, xx < w, yy >= 0, yy < h, let m = distances.rank(of: yy * w + xx),
                          parent[m] == unvisited else { continue }
                    parent[m] = Int32(k)
                    order.append(Int32(m))
                }
            }
        }
        // Along each path: steps from the root, base w, narrowest neck w, length of the
        // current wide run, and whether a crack has begun.
        let window = min(max(1, p.tipWidthWindowPx), n)
        var steps = [Int32](repeating: 0, count: n), base = [Float](repeating: 0, count: n)
        var neck = [Float](repeating: .infinity, count: n), run = [Int32](repeating: 0, count: n)
        var cracked = [Bool](repeating: false, count: n), smoothedWidth = [Float](repeating: 0, count: n)
        var recent = [Float]()
        recent.reserveCapacity(window)
        for o in order {
            let k = Int(o)
            // Running median of the last `window` values of w on the path to k.
            recent.removeAll(keepingCapacity: true)
            var q = k
            while recent.count < window {
                recent.append(width[q])
                guard parent[q] >= 0 else { break }
                q = Int(parent[q])
            }
            recent.sort()
            let smoothed = recent[recent.count / 2]
            smoothedWidth[k] = smoothed
            guard parent[k] >= 0 else {
                steps[k] = 1; base[k] = smoothed
                continue
            }
            let up = Int(parent[k])
            steps[k] = steps[up] + 1
            base[k] = Int(steps[k]) <= p.whiskerBaseLengthPx ? max(base[up], smoothed) : base[up]
            neck[k] = neck[up]; run[k] = run[up]; cracked[k] = cracked[up]
            guard !cracked[k] else { continue }
            if Int(steps[k]) > p.whiskerBaseLengthPx, Double(smoothed) <= p.tipNeckFraction * Double(base[k]) {
                neck[k] = min(neck[k], smoothed)
            }
            if neck[k].isFinite {
                run[k] = Double(smoothed) >= crackThreshold(neck: neck[k]) ? run[k] + 1 : 0
                if Int(run[k]) >= p.tipCrackMinimumLengthPx { cracked[k] = true }
            }
        }
        // Where a crack begins, it must be wide over most of what lies beyond.
        var childStart = [Int32](repeating: 0, count: n + 1)
        for k in 0 ..< n where parent[k] >= 0 { childStart[Int(parent[k]) + 1] += 1 }
        for k in 0 ..< n { childStart[k + 1] += childStart[k] }
        var fill = Array(childStart.dropLast()), children = [Int32](repeating: 0, count: Int(childStart[n]))
        for k in 0 ..< n where parent[k] >= 0 {
            let up = Int(parent[k])
            children[Int(fill[up])] = Int32(k); fill[up] += 1
        }
        var crack = [Int]()
        var subtree = [Int]()
        for o in order {
            let k = Int(o)
            guard cracked[k], parent[k] >= 0, !cracked[Int(parent[k])] else { continue }
            let threshold = crackThreshold(neck: neck[k])
            subtree.removeAll(keepingCapacity: true)
            var stack = [k]
            while let s = stack.popLast() {
                subtree.append(s)
                for c in childStart[s] ..< childStart[s + 1] { stack.append(Int(children[Int(c)])) }
            }
            let wide = subtree.filter { Double(smoothedWidth[$0]) >= threshold }.count
            guard Double(wide) >= p.tipCrackWideShare * Double(subtree.count) else { continue }
            crack += subtree.map { pixel[$0] }
            // The wide run began tipCrackMinimumLengthPx steps back, seen half a window late.
            var q = k
            for _ in 0 ..< max(0, p.tipCrackMinimumLengthPx + window / 2) {
                guard parent[q] >= 0 else { break }
                q = Int(parent[q])
                crack.append(pixel[q])
            }
        }
        return crack
    }

    /// The w, px, a crack beyond a neck of w = `neck` holds at least (T of the header).
    func crackThreshold(neck: Float) -> Double {
        max(p.tipCrackWidening * Double(neck), Double(neck) + p.tipCrackMinimumWideningPx)
    }
}
