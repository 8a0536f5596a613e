// Prediction with a trained random forest (Breiman 2001): the class
// probabilities of a sample are the mean over trees of the class frequencies in
// the leaf it reaches (scikit-learn's `predict_proba`).
//
// Speed: samples are processed in blocks of ``predictionBlockSize``; each tree
// is run over the whole block before the next, so the tree's nodes stay in
// cache, and per-class sums accumulate in a small block buffer. Within a block
// the tree is descended level by level for all samples at once (a
// level-synchronous traversal, as in GPU forest inference, e.g. Sharp 2008):
// one pass over the block's still-active samples moves each one node down, and
// the samples that reached a leaf drop out of the active list (branch-free
// compaction). A sample-by-sample descent is a chain of dependent loads
// (node → feature value → compare → next node) that leaves the core waiting on
// memory latency; in a level pass the samples are independent, so the core
// overlaps the loads of many of them. Leaf rows are added to the sums after the
// descent, in tree order as before, so probabilities are bit for bit those of
// the sample-by-sample loop. Feature values are read through strides, so the
// same loop serves row-major sample matrices and the planar feature tiles of an
// image.

import DendrometerCore

/// Samples per prediction block.
let predictionBlockSize = 256

extension RandomForest {
    /// Mean class probabilities of `count` samples.
    ///
    /// Feature f of sample i is `features[f · featureStride + i · sampleStride]`; the probability
    /// of class c for sample i is written to `output[c · classStride + i]`.
    /// `scratch` holds ``predictionScratchCount(classCount:)`` Floats. Single-threaded.
    func predict(features x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, count: Int,
                 output: UnsafeMutablePointer<Float>, classStride: Int, scratch: UnsafeMutablePointer<Float>) {
        let k = classCount, trees = treeCount, b = predictionBlockSize
        let scale = 1 / Float(trees)
        // Scratch layout: k·b class sums, then three Int32 arrays of b (active samples,
        // their current nodes, the leaf row each sample reached).
        let acc = scratch
        let raw = UnsafeMutableRawPointer(scratch + k * b)
        let active = raw.bindMemory(to: Int32.self, capacity: 3 * b)
        let current = active + b, leaf = active + 2 * b
        predictionNodes.withUnsafeBufferPointer { nb in
            leafProbabilities.withUnsafeBufferPointer { pb in
                treeStarts.withUnsafeBufferPointer { sb in
                    let allNodes = nb.baseAddress!, probabilities = pb.baseAddress!
                    var p0 = 0
                    while p0 < count {
                        let bn = min(b, count - p0)
                        let block = x + p0 * sampleStride
                        acc.update(repeating: 0, count: k * b)
                        for t in 0 ..< trees {
                            let tree = allNodes + sb[t]
                            for p in 0 ..< bn { active[p] = Int32(truncatingIfNeeded: p); current[p] = 0 }
                            var m = bn
                            while m > 0 {
                                // One level: every active sample moves one node down; a sample whose
                                // child is a leaf (c < 0) records the leaf row ~c and is not kept.
                                var kept = 0
                                for i in 0 ..< m {
                                    let p = Int(active[i])
                                    let node = tree[Int(current[i])]
                                    let v = block[Int(node.feature) &* featureStride &+ p &* sampleStride]
                                    // Branch-free choice of the child (a branch here is mispredicted
                                    // about half the time): right when !(v ≤ threshold), NaN included.
                                    let right = Int32(unsafeBitCast(!(v <= node.threshold), to: UInt8.self))
                                    let next = node.left ^ ((node.left ^ node.right) & (0 &- right))
                                    leaf[p] = ~next                   // final only once a leaf is reached
                                    active[kept] = Int32(truncatingIfNeeded: p)
                                    current[kept] = next
                                    kept &+= Int(unsafeBitCast(next >= 0, to: UInt8.self))
                                }
                                m = kept
                            }
                            for c in 0 ..< k {
                                let a = acc + c * b
                                for p in 0 ..< bn { a[p] += probabilities[Int(leaf[p]) * k + c] }
                            }
                        }
                        for c in 0 ..< k {
                            let o = output + c * classStride + p0, a = acc + c * b
                            for p in 0 ..< bn { o[p] = a[p] * scale }
                        }
                        p0 += bn
                    }
                }
            }
        }
    }

    /// Floats of scratch ``predict(features:featureStride:sampleStride:count:output:classStride:scratch:)``
    /// needs: the block's class sums and its traversal state.
    static func predictionScratchCount(classCount k: Int) -> Int {
        (k + 3) * predictionBlockSize
    }

    /// Mean class probabilities of samples given row-major (`featureCount` values per sample):
    /// returns `count × classCount` values, sample-major. Runs on all cores.
    ///
    /// - Throws: ``LearningError/featureCountMismatch(expected:got:)`` when `features.count`
    ///   is not a multiple of ``featureCount``.
    public func probabilities(features: [Float]) throws(LearningError) -> [Float] {
        guard features.count % featureCount == 0 else {
            throw .featureCountMismatch(expected: featureCount, got: features.count)
        }
        let n = features.count / featureCount, k = classCount, nf = featureCount
        var planar = [Float](repeating: 0, count: n * k)
        planar.withUnsafeMutableBufferPointer { ob in
            let out = SendablePointer(ob.baseAddress!)
            features.withUnsafeBufferPointer { fb in
                let src = SendableConstPointer(fb.baseAddress!)
                parallelBands(n, minimumPerBand: predictionBlockSize) { range in
                    let acc = UnsafeMutablePointer<Float>.allocate(capacity: Self.predictionScratchCount(classCount: k))
                    defer { acc.deallocate() }
                    predict(features: src.base + range.lowerBound * nf, featureStride: 1, sampleStride: nf,
                            count: range.count, output: out.base + range.lowerBound, classStride: n, scratch: acc)
                }
            }
        }
        var result = [Float](repeating: 0, count: n * k)
        for i in 0 ..< n { for c in 0 ..< k { result[i * k + c] = planar[c * n + i] } }
        return result
    }

    /// The most probable class index (0 ..< classCount; ties → the lower index) of each row-major sample.
    public func classIndices(features: [Float]) throws(LearningError) -> [Int] {
        let p = try probabilities(features: features)
        let k = classCount
        return (0 ..< p.count / k).map { i in
            var best = 0
            for c in 1 ..< max(1, k) where p[i * k + c] > p[i * k + best] { best = c }
            return best
        }
    }
}
