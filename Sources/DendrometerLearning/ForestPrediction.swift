// Prediction with a trained random forest (Breiman 2001): the class
// probabilities of a sample are the mean over trees of the class frequencies in
// the leaf it reaches (scikit-learn's `predict_proba`).
//
// Speed: samples are processed in blocks of ``predictionBlockSize`` neighbouring
// pixels, read in place from the feature tile's planes (whose padding keeps
// successive planes in different cache sets, FeatureComputation.swift), or,
// for samples in any other layout, first copied into one contiguous tile
// (feature f of sample p at f·blockSize + p).
// Each tree is then walked once for the whole block with the block's samples
// as bitmasks (CVectorKernels/ForestMasks.c, words of 64 samples): a node
// splits the mask of the samples that reached it with one vector compare per
// 16 samples, and a leaf adds its class row to the sums of the samples in its
// mask. Neighbouring
// pixels mostly take the same path, so a tree costs about one compare per node
// on the path per 16 samples, instead of a chain of dependent loads per sample
// and level. Each sample still receives exactly one leaf row per tree, in tree
// order, so probabilities are bit for bit those of a sample-by-sample descent.
//
// Classification alone (the class map a segmentation needs, not the
// probabilities) stops early, exactly: a tree moves the difference between two
// classes' probability sums by at most 1 (leaf probabilities lie in [0, 1]), so
// once the leading class is ahead of every other by more than the number of
// trees still to run (plus a bound on Float rounding), no remaining tree can
// change the winner, and the sample's bit is cleared from the block's mask.
// Worked example: 100 trees whose leaves are pure; a pixel every tree sends to
// class 1 has sums (k, 0, 0) after k trees and is decided after tree 51, when
// 51 > 49 + rounding bound; a pixel on a phase boundary runs all 100 trees.
// The class map is identical to the arg-max of the full probabilities.

import CVectorKernels
import DendrometerCore
import DendrometerFilters

/// Samples per prediction block: 32 mask words of 64 samples (the walk's occupancy is one
/// 32-bit word; 49 features × 2048 samples × 4 bytes = 392 KiB of features, within the L2 cache).
/// Larger blocks spread each node's fixed cost over more samples: the 2048² class map took
/// 0.47 s with 256 samples per block and 0.43 s with 1024 or 2048 (measured while building it).
let predictionBlockSize = 2048
/// Mask words per block (``predictionBlockSize`` / 64; at most 32, the walk's occupancy word).
let predictionWords = predictionBlockSize / Int(DM_FOREST_WORD)

extension RandomForest {
    /// Per-worker buffers of block prediction: the copied features (samples in other layouts
    /// than a feature tile), the class sums, the masks of undecided samples, the tree walk's
    /// stack and the decided classes.
    final class PredictionScratch {
        /// The copy tile, allocated on first use: feature tiles are read in place and never need it.
        private var copyTile: UnsafeMutablePointer<Float>?
        private let featureCount: Int
        var features: UnsafeMutablePointer<Float> {
            if let copyTile { return copyTile }
            let tile = UnsafeMutablePointer<Float>.allocate(capacity: max(1, featureCount) * predictionBlockSize)
            copyTile = tile
            return tile
        }
        let sums: UnsafeMutablePointer<Float>
        let undecided: UnsafeMutablePointer<UInt64>
        let stackMasks: UnsafeMutablePointer<UInt64>
        let stackNodes: UnsafeMutablePointer<Int32>
        let stackOccupancy: UnsafeMutablePointer<UInt32>
        let winners: UnsafeMutablePointer<UInt8>

        init(featureCount: Int, classCount: Int, depth: Int) {
            let b = predictionBlockSize, c = predictionWords
            self.featureCount = featureCount
            sums = .allocate(capacity: max(1, classCount) * b)
            undecided = .allocate(capacity: c)
            stackMasks = .allocate(capacity: (depth + 2) * c)
            stackNodes = .allocate(capacity: depth + 1)
            stackOccupancy = .allocate(capacity: depth + 1)
            winners = .allocate(capacity: b)
        }

        deinit {
            copyTile?.deallocate(); sums.deallocate(); undecided.deallocate()
            stackMasks.deallocate(); stackNodes.deallocate(); stackOccupancy.deallocate(); winners.deallocate()
        }
    }

    /// Buffers for one worker's block predictions with this forest.
    func makePredictionScratch() -> PredictionScratch {
        PredictionScratch(featureCount: featureCount, classCount: classCount, depth: predictionDepth)
    }

    /// Copies the features of samples `p0 ..< p0 + bn` into the compact block tile; samples
    /// `bn ..< predictionBlockSize` of a short last block are zero (read by the vector compares, never used).
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
            if bn < b { (dst + bn).update(repeating: 0, count: b - bn) }
        }
    }

    /// Sets the block's mask to its first `count` samples.
    @inline(__always)
    private static func fillMask(_ mask: UnsafeMutablePointer<UInt64>, count: Int) {
        let word = Int(DM_FOREST_WORD)
        for j in 0 ..< predictionWords {
            let n = min(word, max(0, count - j * word))
            mask[j] = n == word ? UInt64.max : (1 << UInt64(n)) - 1
        }
    }

    /// Where a block's features are read: copied into the scratch tile from any layout, or read
    /// in place from planes padded by at least a block.
    enum FeatureSource {
        /// Feature f of sample i at `base[f · featureStride + i · sampleStride]`; copied per block.
        case strided(UnsafePointer<Float>, featureStride: Int, sampleStride: Int)
        /// Feature f of sample i at `base[f · planeStride + i]`, every plane followed by at least
        /// ``predictionBlockSize`` readable Floats (``forEachFeatureTile``'s planes); read in place.
        case planes(UnsafePointer<Float>, planeStride: Int)
    }

    /// For every block of `count` samples: locates (or copies) its features, clears its class
    /// sums, sets its mask to its samples, and calls `body(first sample, samples in the block,
    /// add)`, where `add(t)` adds tree t's leaf rows to the sums of the samples in `s.undecided`.
    @inline(__always)
    private func forEachBlock(_ source: FeatureSource, count: Int, _ s: PredictionScratch, kernels: VectorKernels,
                              _ body: (Int, Int, (Int) -> Void) -> Void) {
        let isa = kernels.isa ?? DM_ISA_BASELINE, k = classCount
        predictionNodes.withUnsafeBufferPointer { nb in
            leafProbabilities.withUnsafeBufferPointer { pb in
                treeStarts.withUnsafeBufferPointer { sb in
                    let nodes = nb.baseAddress!, rows = pb.baseAddress!
                    var p0 = 0
                    while p0 < count {
                        let bn = min(predictionBlockSize, count - p0)
                        let features: UnsafePointer<Float>, stride: Int
                        switch source {
                        case let .strided(x, featureStride, sampleStride):
                            gather(x, featureStride: featureStride, sampleStride: sampleStride, from: p0, count: bn,
                                   into: s.features)
                            (features, stride) = (UnsafePointer(s.features), predictionBlockSize)
                        case let .planes(x, planeStride):
                            (features, stride) = (x + p0, planeStride)
                        }
                        s.sums.update(repeating: 0, count: k * predictionBlockSize)
                        Self.fillMask(s.undecided, count: bn)
                        body(p0, bn) { t in
                            dm_forest_tree_add(isa, nodes + sb[t], rows, k, features, stride, predictionWords,
                                               s.undecided, s.sums, s.stackMasks, s.stackNodes, s.stackOccupancy)
                        }
                        p0 += bn
                    }
                }
            }
        }
    }

    /// Mean class probabilities of `count` samples.
    ///
    /// Feature f of sample i is `features[f · featureStride + i · sampleStride]`; the probability
    /// of class c for sample i is written to `output[c · classStride + i]`. Single-threaded.
    func predict(features x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, count: Int,
                 output: UnsafeMutablePointer<Float>, classStride: Int, scratch s: PredictionScratch,
                 kernels: VectorKernels = .active) {
        predict(.strided(x, featureStride: featureStride, sampleStride: sampleStride), count: count, output: output,
                classStride: classStride, scratch: s, kernels: kernels)
    }

    /// ``predict(features:featureStride:sampleStride:count:output:classStride:scratch:kernels:)`` reading
    /// the features in place from planes padded by at least a block (see ``FeatureSource/planes(_:planeStride:)``).
    func predict(planes x: UnsafePointer<Float>, planeStride: Int, count: Int, output: UnsafeMutablePointer<Float>,
                 classStride: Int, scratch s: PredictionScratch, kernels: VectorKernels = .active) {
        predict(.planes(x, planeStride: planeStride), count: count, output: output, classStride: classStride,
                scratch: s, kernels: kernels)
    }

    private func predict(_ source: FeatureSource, count: Int, output: UnsafeMutablePointer<Float>, classStride: Int,
                         scratch s: PredictionScratch, kernels: VectorKernels) {
        let k = classCount, trees = treeCount, b = predictionBlockSize
        let scale = 1 / Float(trees)
        forEachBlock(source, count: count, s, kernels: kernels) { p0, bn, add in
            for t in 0 ..< trees { add(t) }
            for c in 0 ..< k {
                let o = output + c * classStride + p0, a = s.sums + c * b
                for p in 0 ..< bn { o[p] = a[p] * scale }
            }
        }
    }

    /// The most probable class index (0 ..< classCount; ties → the lower index) of `count` samples,
    /// identical to the arg-max of ``predict(features:featureStride:sampleStride:count:output:classStride:scratch:kernels:)``'s
    /// probabilities, stopping each sample's trees once the winner is certain (see the file header).
    /// Same feature layout as `predict`. Single-threaded.
    func classify(features x: UnsafePointer<Float>, featureStride: Int, sampleStride: Int, count: Int,
                  output: UnsafeMutablePointer<UInt8>, scratch s: PredictionScratch, kernels: VectorKernels = .active) {
        classify(.strided(x, featureStride: featureStride, sampleStride: sampleStride), count: count, output: output,
                 scratch: s, kernels: kernels)
    }

    /// ``classify(features:featureStride:sampleStride:count:output:scratch:kernels:)`` reading the
    /// features in place from planes padded by at least a block.
    func classify(planes x: UnsafePointer<Float>, planeStride: Int, count: Int, output: UnsafeMutablePointer<UInt8>,
                  scratch s: PredictionScratch, kernels: VectorKernels = .active) {
        classify(.planes(x, planeStride: planeStride), count: count, output: output, scratch: s, kernels: kernels)
    }

    private func classify(_ source: FeatureSource, count: Int, output: UnsafeMutablePointer<UInt8>,
                          scratch s: PredictionScratch, kernels: VectorKernels) {
        let k = classCount, trees = treeCount, b = predictionBlockSize
        let isa = kernels.isa ?? DM_ISA_BASELINE
        let scale = 1 / Float(trees)
        let rounding = Self.sumRoundingBound(treeCount: trees)
        forEachBlock(source, count: count, s, kernels: kernels) { p0, bn, add in
            var open = bn
            for t in 0 ..< trees where open > 0 {
                add(t)
                // After t + 1 trees no class can lead by more than t + 1: test only when
                // that could exceed the trees still to run.
                let remaining = trees - t - 1
                guard t + 1 > remaining else { continue }
                open = dm_forest_decide(isa, s.sums, k, predictionWords, Float(remaining) + rounding,
                                        s.undecided, s.winners)
            }
            // Samples that ran every tree: the arg-max of the mean, as `PixelPrediction.classMap`.
            let word = Int(DM_FOREST_WORD)
            for j in 0 ..< predictionWords where s.undecided[j] != 0 {
                var m = s.undecided[j]
                while m != 0 {
                    let p = j * word + m.trailingZeroBitCount
                    m &= m &- 1
                    var winner = 0, best = s.sums[p] * scale
                    for c in 1 ..< k {
                        let v = s.sums[c * b + p] * scale
                        if v > best { best = v; winner = c }
                    }
                    s.winners[p] = UInt8(truncatingIfNeeded: winner)
                }
            }
            (output + p0).update(from: s.winners, count: bn)
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
                             _ body: @Sendable (Range<Int>, UnsafePointer<Float>, PredictionScratch) -> Void) throws(LearningError) -> Int {
        guard features.count % featureCount == 0 else {
            throw .featureCountMismatch(expected: featureCount, got: features.count)
        }
        let n = features.count / featureCount, nf = featureCount
        features.withUnsafeBufferPointer { fb in
            let src = SendableConstPointer(fb.baseAddress!)
            parallelBands(n, minimumPerBand: predictionBlockSize) { range in
                body(range, src.base + range.lowerBound * nf, makePredictionScratch())
            }
        }
        return n
    }

    /// Mean class probabilities of samples given row-major (`featureCount` values per sample):
    /// returns `count × classCount` values, sample-major. Runs on all cores.
    ///
    /// - Throws: ``LearningError/featureCountMismatch(expected:got:)`` when `features.count`
    ///   is not a multiple of ``featureCount``.
    ///   `kernels` chooses the vector kernels of the tree walk (all give the same values).
    public func probabilities(features: [Float], kernels: VectorKernels = .active) throws(LearningError) -> [Float] {
        if features.isEmpty { return [] }
        let n = features.count / max(1, featureCount), k = classCount, nf = featureCount
        var planar = [Float](repeating: 0, count: n * k)
        try planar.withUnsafeMutableBufferPointer { ob throws(LearningError) in
            let out = SendablePointer(ob.baseAddress!)
            _ = try forEachBand(of: features) { range, x, scratch in
                predict(features: x, featureStride: 1, sampleStride: nf, count: range.count,
                        output: out.base + range.lowerBound, classStride: n, scratch: scratch, kernels: kernels)
            }
        }
        var result = [Float](repeating: 0, count: n * k)
        for i in 0 ..< n { for c in 0 ..< k { result[i * k + c] = planar[c * n + i] } }
        return result
    }

    /// The most probable class index (0 ..< classCount; ties → the lower index) of each row-major
    /// sample: the arg-max of ``probabilities(features:)``, computed with the early stop of
    /// classification. Runs on all cores. Throws as ``probabilities(features:)``.
    public func classIndices(features: [Float], kernels: VectorKernels = .active) throws(LearningError) -> [Int] {
        if features.isEmpty { return [] }
        let nf = featureCount
        var classes = [UInt8](repeating: 0, count: features.count / max(1, nf))
        try classes.withUnsafeMutableBufferPointer { ob throws(LearningError) in
            let out = SendablePointer(ob.baseAddress!)
            _ = try forEachBand(of: features) { range, x, scratch in
                classify(features: x, featureStride: 1, sampleStride: nf, count: range.count,
                         output: out.base + range.lowerBound, scratch: scratch, kernels: kernels)
            }
        }
        return classes.map(Int.init)
    }
}
