// Prediction with a trained random forest (Breiman 2001): the class
// probabilities of a sample are the mean over trees of the class frequencies in
// the leaf it reaches (scikit-learn's `predict_proba`).
//
// Speed: samples are processed in blocks of ``predictionBlockSize``; each tree
// is run over the whole block before the next, so the tree's upper nodes stay in
// cache, and per-class sums accumulate in a small block buffer. Feature values
// are read through strides, so the same loop serves row-major sample matrices
// and the planar feature tiles of an image.

import DendrometerCore

/// Samples per prediction block.
let predictionBlockSize = 256

extension RandomForest {
    /// Mean class probabilities of `count` samples.
    ///
    /// Feature f of sample i is `features[f · featureStride + i · sampleStride]`; the probability
    /// of class c for sample i is written to `output[c · classStride + i]`.
    /// `scratch` holds `classCount · predictionBlockSize` Floats. Single-threaded.
    func predict(features x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, count: Int,
                 output: UnsafeMutablePointer<Float>, classStride: Int, scratch acc: UnsafeMutablePointer<Float>) {
        let k = classCount, trees = treeCount
        let scale = 1 / Float(trees)
        nodes.withUnsafeBufferPointer { nb in
            leafProbabilities.withUnsafeBufferPointer { pb in
                treeStarts.withUnsafeBufferPointer { sb in
                    let allNodes = nb.baseAddress!, probabilities = pb.baseAddress!
                    var p0 = 0
                    while p0 < count {
                        let bn = min(predictionBlockSize, count - p0)
                        acc.update(repeating: 0, count: k * predictionBlockSize)
                        for t in 0 ..< trees {
                            let tree = allNodes + sb[t]
                            for p in 0 ..< bn {
                                let sample = x + (p0 + p) * sampleStride
                                var node = tree[0]
                                while node.feature >= 0 {
                                    let v = sample[Int(node.feature) * featureStride]
                                    node = tree[Int(v <= node.threshold ? node.left : node.right)]
                                }
                                let row = probabilities + Int(node.left) * k
                                for c in 0 ..< k { acc[c * predictionBlockSize + p] += row[c] }
                            }
                        }
                        for c in 0 ..< k {
                            let o = output + c * classStride + p0, a = acc + c * predictionBlockSize
                            for p in 0 ..< bn { o[p] = a[p] * scale }
                        }
                        p0 += bn
                    }
                }
            }
        }
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
                    let acc = UnsafeMutablePointer<Float>.allocate(capacity: k * predictionBlockSize)
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
