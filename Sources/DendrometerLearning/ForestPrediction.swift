// Prediction with a trained random forest (Breiman 2001): the class
// probabilities of a sample are the mean over trees of the class frequencies in
// the leaf it reaches (scikit-learn's `predict_proba`).
//
// Speed: samples are processed in blocks of ``predictionBlockSize``. A block's
// feature values are first copied into one contiguous scratch tile (feature f
// of sample p at f·blockSize + p): in an image's planar feature tile the planes
// lie a few MiB apart, a power-of-two stride that maps every plane of a sample
// onto the same cache set, so a descent reading 49 planes would miss the L1 and
// L2 caches on nearly every node; the compact tile (≈ 25 KiB) stays in L1.
// Each tree is then run over the whole block before the next, so the tree's
// nodes stay in cache, and per-class sums accumulate in a small block buffer.
// Within a block the tree is descended level by level for all samples at once
// (a level-synchronous traversal, as in GPU forest inference, e.g. Sharp 2008):
// one pass over the block's still-active samples moves each one node down, and
// the samples that reached a leaf drop out of the active list (branch-free
// compaction). A sample-by-sample descent is a chain of dependent loads
// (node → feature value → compare → next node) that leaves the core waiting on
// memory latency; in a level pass the samples are independent, so the core
// overlaps the loads of many of them. Leaf rows are added to the sums in tree
// order, so probabilities are bit for bit those of the sample-by-sample loop.
//
// Classification alone (the class map a segmentation needs, not the
// probabilities) stops early, exactly: a tree moves the difference between two
// classes' probability sums by at most 1 (leaf probabilities lie in [0, 1]), so
// once the leading class is ahead of every other by more than the number of
// trees still to run (plus a bound on Float rounding), no remaining tree can
// change the winner, and the sample leaves the block's work list. Worked
// example: 100 trees whose leaves are pure; a pixel every tree sends to class 1
// has sums (k, 0, 0) after k trees and is decided after tree 51, when
// 51 > 49 + rounding bound; a pixel on a phase boundary runs all 100 trees.
// The class map is identical to the arg-max of the full probabilities.

import DendrometerCore

/// Samples per prediction block (49 features × 128 samples × 4 bytes ≈ 25 KiB of copied features).
let predictionBlockSize = 128

extension RandomForest {
    /// Scratch layout of one block: copied features, class sums and the Int32 traversal lists.
    struct BlockScratch {
        let features: UnsafeMutablePointer<Float>
        let sums: UnsafeMutablePointer<Float>
        /// Samples still to descend in the current tree, their current nodes, the leaf row each reached,
        /// and (classification) the samples not yet decided.
        let active, current, leaf, undecided: UnsafeMutablePointer<Int32>

        init(_ base: UnsafeMutablePointer<Float>, featureCount nf: Int, classCount k: Int) {
            let b = predictionBlockSize
            features = base
            sums = base + nf * b
            let raw = UnsafeMutableRawPointer(base + (nf + k) * b).bindMemory(to: Int32.self, capacity: 4 * b)
            active = raw; current = raw + b; leaf = raw + 2 * b; undecided = raw + 3 * b
        }
    }

    /// Floats of scratch the block predictions need.
    static func predictionScratchCount(featureCount nf: Int, classCount k: Int) -> Int {
        (nf + k + 4) * predictionBlockSize
    }

    /// Copies the features of samples `p0 ..< p0 + bn` into the compact block tile.
    @inline(__always)
    private func gather(_ x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, from p0: Int, count bn: Int,
                        into tile: UnsafeMutablePointer<Float>) {
        let b = predictionBlockSize
        for f in 0 ..< featureCount {
            let src = x + f * featureStride + p0 * sampleStride, dst = tile + f * b
            if sampleStride == 1 {
                dst.update(from: src, count: bn)
            } else {
                for p in 0 ..< bn { dst[p] = src[p * sampleStride] }
            }
        }
    }

    /// Descends one tree (its prediction nodes at `tree`) for the samples `samples[0 ..< count]`
    /// of the block tile; `s.leaf[p]` receives the leaf row sample p reaches.
    @inline(__always)
    private func descend(_ tree: UnsafePointer<Node>, samples: UnsafePointer<Int32>, count: Int, _ s: BlockScratch) {
        let b = predictionBlockSize, tile = s.features
        let active = s.active, current = s.current, leaf = s.leaf
        for i in 0 ..< count { active[i] = samples[i]; current[i] = 0 }
        var m = count
        while m > 0 {
            // One level: every active sample moves one node down; a sample whose child is a
            // leaf (c < 0) records the leaf row ~c and is not kept.
            var kept = 0
            for i in 0 ..< m {
                let p = Int(active[i])
                let node = tree[Int(current[i])]
                let v = tile[Int(node.feature) &* b &+ p]
                // Branch-free choice of the child (a branch here is mispredicted about half
                // the time): right when !(v ≤ threshold), NaN included.
                let right = Int32(unsafeBitCast(!(v <= node.threshold), to: UInt8.self))
                let next = node.left ^ ((node.left ^ node.right) & (0 &- right))
                leaf[p] = ~next                   // final only once a leaf is reached
                active[kept] = Int32(truncatingIfNeeded: p)
                current[kept] = next
                kept &+= Int(unsafeBitCast(next >= 0, to: UInt8.self))
            }
            m = kept
        }
    }

    /// The forest's arrays as raw pointers, for the span of one prediction call.
    struct ForestView {
        let nodes: UnsafePointer<Node>
        let probabilities: UnsafePointer<Float>
        let starts: UnsafeBufferPointer<Int>
        /// Tree t's prediction nodes.
        @inline(__always) func tree(_ t: Int) -> UnsafePointer<Node> { nodes + starts[t] }
    }

    /// For every block of `count` samples: copies its features into the block tile, clears its
    /// class sums, and calls `body(first sample, samples in the block, forest)`.
    @inline(__always)
    private func forEachBlock(_ x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, count: Int,
                              _ s: BlockScratch, _ body: (Int, Int, ForestView) -> Void) {
        predictionNodes.withUnsafeBufferPointer { nb in
            leafProbabilities.withUnsafeBufferPointer { pb in
                treeStarts.withUnsafeBufferPointer { sb in
                    let forest = ForestView(nodes: nb.baseAddress!, probabilities: pb.baseAddress!, starts: sb)
                    var p0 = 0
                    while p0 < count {
                        let bn = min(predictionBlockSize, count - p0)
                        gather(x, featureStride: featureStride, sampleStride: sampleStride, from: p0, count: bn,
                               into: s.features)
                        s.sums.update(repeating: 0, count: classCount * predictionBlockSize)
                        body(p0, bn, forest)
                        p0 += bn
                    }
                }
            }
        }
    }

    /// Mean class probabilities of `count` samples.
    ///
    /// Feature f of sample i is `features[f · featureStride + i · sampleStride]`; the probability
    /// of class c for sample i is written to `output[c · classStride + i]`.
    /// `scratch` holds ``predictionScratchCount(featureCount:classCount:)`` Floats. Single-threaded.
    func predict(features x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, count: Int,
                 output: UnsafeMutablePointer<Float>, classStride: Int, scratch: UnsafeMutablePointer<Float>) {
        let k = classCount, trees = treeCount, b = predictionBlockSize
        let scale = 1 / Float(trees)
        let s = BlockScratch(scratch, featureCount: featureCount, classCount: k)
        for p in 0 ..< b { s.undecided[p] = Int32(truncatingIfNeeded: p) }
        forEachBlock(x, featureStride: featureStride, sampleStride: sampleStride, count: count, s) { p0, bn, forest in
            for t in 0 ..< trees {
                descend(forest.tree(t), samples: s.undecided, count: bn, s)
                for c in 0 ..< k {
                    let a = s.sums + c * b
                    for p in 0 ..< bn { a[p] += forest.probabilities[Int(s.leaf[p]) * k + c] }
                }
            }
            for c in 0 ..< k {
                let o = output + c * classStride + p0, a = s.sums + c * b
                for p in 0 ..< bn { o[p] = a[p] * scale }
            }
        }
    }

    /// The most probable class index (0 ..< classCount; ties → the lower index) of `count` samples,
    /// identical to the arg-max of ``predict(features:featureStride:sampleStride:count:output:classStride:scratch:)``'s
    /// probabilities, stopping each sample's trees once the winner is certain (see the file header).
    /// Same feature layout and scratch as `predict`. Single-threaded.
    func classify(features x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, count: Int,
                  output: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<Float>) {
        let k = classCount, trees = treeCount, b = predictionBlockSize
        let scale = 1 / Float(trees)
        let rounding = Self.sumRoundingBound(treeCount: trees)
        let s = BlockScratch(scratch, featureCount: featureCount, classCount: k)
        forEachBlock(x, featureStride: featureStride, sampleStride: sampleStride, count: count, s) { p0, bn, forest in
            for p in 0 ..< bn { s.undecided[p] = Int32(truncatingIfNeeded: p) }
            var open = bn
            for t in 0 ..< trees where open > 0 {
                descend(forest.tree(t), samples: s.undecided, count: open, s)
                for c in 0 ..< k {
                    let a = s.sums + c * b
                    for i in 0 ..< open {
                        let p = Int(s.undecided[i])
                        a[p] += forest.probabilities[Int(s.leaf[p]) * k + c]
                    }
                }
                // After t + 1 trees no class can lead by more than t + 1: test only when
                // that could exceed the trees still to run.
                let remaining = trees - t - 1
                guard t + 1 > remaining else { continue }
                let needed = Float(remaining) + rounding
                var kept = 0
                for i in 0 ..< open {
                    let p = Int(s.undecided[i])
                    var best = s.sums[p], second = -Float.infinity, winner = 0
                    for c in 1 ..< k {
                        let v = s.sums[c * b + p]
                        if v > best { second = best; best = v; winner = c } else if v > second { second = v }
                    }
                    if best - second > needed {
                        output[p0 + p] = UInt8(truncatingIfNeeded: winner)
                    } else {
                        s.undecided[kept] = Int32(truncatingIfNeeded: p)
                        kept += 1
                    }
                }
                open = kept
            }
            // Samples that ran every tree: the arg-max of the mean, as `PixelPrediction.classMap`.
            for i in 0 ..< open {
                let p = Int(s.undecided[i])
                var winner = 0, best = s.sums[p] * scale
                for c in 1 ..< k {
                    let v = s.sums[c * b + p] * scale
                    if v > best { best = v; winner = c }
                }
                output[p0 + p] = UInt8(truncatingIfNeeded: winner)
            }
        }
    }

    /// A bound on how far a Float sum of `treeCount` leaf probabilities (each in [0, 1]) can drift
    /// from the exact sum, doubled for the two classes compared and for the partial and final sums:
    /// each of T additions rounds by at most T · 2⁻²⁴, so 4 · T² · 2⁻²⁴ (0.0024 for 100 trees).
    static func sumRoundingBound(treeCount t: Int) -> Float {
        4 * Float(t) * Float(t) * 0x1p-24
    }

    /// Checks that row-major `features` hold whole samples and runs `body(samples, their features,
    /// scratch)` over bands of samples on all cores; returns the sample count.
    private func forEachBand(of features: [Float],
                             _ body: @Sendable (Range<Int>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) throws(LearningError) -> Int {
        guard features.count % featureCount == 0 else {
            throw .featureCountMismatch(expected: featureCount, got: features.count)
        }
        let n = features.count / featureCount, nf = featureCount
        let scratchCount = Self.predictionScratchCount(featureCount: nf, classCount: classCount)
        features.withUnsafeBufferPointer { fb in
            let src = SendableConstPointer(fb.baseAddress!)
            parallelBands(n, minimumPerBand: predictionBlockSize) { range in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
                defer { scratch.deallocate() }
                body(range, src.base + range.lowerBound * nf, scratch)
            }
        }
        return n
    }

    /// Mean class probabilities of samples given row-major (`featureCount` values per sample):
    /// returns `count × classCount` values, sample-major. Runs on all cores.
    ///
    /// - Throws: ``LearningError/featureCountMismatch(expected:got:)`` when `features.count`
    ///   is not a multiple of ``featureCount``.
    public func probabilities(features: [Float]) throws(LearningError) -> [Float] {
        if features.isEmpty { return [] }
        let n = features.count / max(1, featureCount), k = classCount, nf = featureCount
        var planar = [Float](repeating: 0, count: n * k)
        try planar.withUnsafeMutableBufferPointer { ob throws(LearningError) in
            let out = SendablePointer(ob.baseAddress!)
            _ = try forEachBand(of: features) { range, x, scratch in
                predict(features: x, featureStride: 1, sampleStride: nf, count: range.count,
                        output: out.base + range.lowerBound, classStride: n, scratch: scratch)
            }
        }
        var result = [Float](repeating: 0, count: n * k)
        for i in 0 ..< n { for c in 0 ..< k { result[i * k + c] = planar[c * n + i] } }
        return result
    }

    /// The most probable class index (0 ..< classCount; ties → the lower index) of each row-major
    /// sample: the arg-max of ``probabilities(features:)``, computed with the early stop of
    /// classification. Runs on all cores. Throws as ``probabilities(features:)``.
    public func classIndices(features: [Float]) throws(LearningError) -> [Int] {
        if features.isEmpty { return [] }
        let nf = featureCount
        var classes = [UInt8](repeating: 0, count: features.count / max(1, nf))
        try classes.withUnsafeMutableBufferPointer { ob throws(LearningError) in
            let out = SendablePointer(ob.baseAddress!)
            _ = try forEachBand(of: features) { range, x, scratch in
                classify(features: x, featureStride: 1, sampleStride: nf, count: range.count,
                         output: out.base + range.lowerBound, scratch: scratch)
            }
        }
        return classes.map(Int.init)
    }
}
