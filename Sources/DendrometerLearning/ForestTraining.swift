// Training of the random forest (Breiman 2001) with histogram-based splits
// (the method of LightGBM, Ke et al. 2017, and scikit-learn's
// HistGradientBoosting): each feature is quantised once into ≤ 256 bins by
// quantiles of the training samples; at a node, one pass over its samples fills
// a (bin × class) histogram per candidate feature, and one scan of the histogram
// gives the Gini impurity of every split. Nodes with few samples sort their
// (bin, class) pairs instead, which is cheaper than clearing and scanning 256 bins.
//
// Split criterion: Gini impurity, i.e. the split maximising
// Σ_c L_c²/n_L + Σ_c R_c²/n_R (equivalent to minimising n_L·Gini_L + n_R·Gini_R).
// Splits without impurity decrease are allowed (scikit-learn does the same), so
// XOR-like data is learnt at depth 2. Candidate features: a random subset of √F
// per node; features constant in the node are skipped without counting
// (scikit-learn's rule). Thresholds are stored as Float feature values (the cut
// between two bins, midway between the neighbouring quantile values), so
// prediction needs no bin tables.
//
// Determinism: tree t draws from its own SplitMix64 stream seeded by a hash of
// (forest seed, t), and trees are assembled in index order, so a seed gives the
// same forest bit for bit on any number of threads.

import DendrometerCore

/// Nodes with fewer samples than this find splits by sorting instead of histograms.
let sortedSplitNodeSize = 64

/// At most this many samples per feature are sorted to place the bin cuts.
let quantileSampleLimit = 65_536

/// Per-feature bin cuts: bin(x) = number of cuts c with c < x, so bin(x) ≤ b ⇔ x ≤ cuts[b].
struct FeatureQuantizer: Sendable {
    let cuts: [[Float]]

    /// Cuts of every feature from the samples `features` (row-major `count × featureCount`).
    init(features: UnsafePointer<Float>, count n: Int, featureCount nf: Int, maximumBins: Int) {
        var cuts = [[Float]](repeating: [], count: nf)
        cuts.withUnsafeMutableBufferPointer { cb in
            let slots = SendablePointer(cb.baseAddress!)
            let src = SendableConstPointer(features)
            parallelBands(nf, minimumPerBand: 1) { range in
                for f in range {
                    slots.base[f] = Self.cuts(src.base, count: n, featureCount: nf, feature: f, maximumBins: maximumBins)
                }
            }
        }
        self.cuts = cuts
    }

    /// Quantile cuts of one feature: midpoints between consecutive distinct values when
    /// there are at most `maximumBins` of them, else between the values at the
    /// quantiles q/maximumBins and the next larger value.
    static func cuts(_ x: UnsafePointer<Float>, count n: Int, featureCount nf: Int, feature f: Int,
                     maximumBins: Int) -> [Float] {
        let stride = max(1, (n + quantileSampleLimit - 1) / quantileSampleLimit)
        var values = [Float]()
        values.reserveCapacity(n / stride + 1)
        var i = 0
        while i < n { values.append(x[i * nf + f]); i += stride }
        values.sort()
        let m = values.count
        var distinct = [Float]()
        for v in values where distinct.last != v { distinct.append(v) }
        var out = [Float]()
        if distinct.count <= maximumBins {
            for k in 1 ..< max(1, distinct.count) { out.append(midpoint(distinct[k - 1], distinct[k])) }
            return out
        }
        for q in 1 ..< maximumBins {
            let a = values[q * m / maximumBins - 1]
            // First index holding a value greater than a.
            var lo = 0, hi = m
            while lo < hi { let mid = (lo + hi) / 2; if values[mid] <= a { lo = mid + 1 } else { hi = mid } }
            guard lo < m else { continue }
            let c = midpoint(a, values[lo])
            if out.last.map({ c > $0 }) ?? true { out.append(c) }
        }
        return out
    }

    /// A Float c with a ≤ c < b (for a < b), as near the middle as rounding allows.
    static func midpoint(_ a: Float, _ b: Float) -> Float {
        let c = a * 0.5 + b * 0.5
        return c >= a && c < b ? c : a
    }

    /// The bin of value `v` of feature `f`.
    @inline(__always)
    func bin(_ v: Float, feature f: Int) -> UInt8 {
        cuts[f].withUnsafeBufferPointer { c in
            var lo = 0, hi = c.count
            while lo < hi { let mid = (lo + hi) / 2; if c[mid] < v { lo = mid + 1 } else { hi = mid } }
            return UInt8(lo)
        }
    }
}

extension RandomForest {
    /// Trains a forest on samples given row-major: sample i's features are
    /// `features[i·featureCount ..< (i+1)·featureCount]`, its class index `labels[i]` in 0 ..< classCount.
    ///
    /// - Throws: ``LearningError/sampleCountMismatch(features:labels:featureCount:)``,
    ///   ``LearningError/invalidParameter(name:value:requirement:)`` (parameters, non-finite
    ///   features, labels ≥ classCount, no samples).
    /// - Complexity: O(T · n · depth · √F) for T trees, n samples; trees train in parallel.
    public static func train(features: [Float], featureCount nf: Int, labels: [UInt8], classCount k: Int,
                             parameters: Parameters) throws(LearningError) -> RandomForest {
        guard nf >= 1 else {
            throw .invalidParameter(name: "the feature count", value: "\(nf)", requirement: "≥ 1")
        }
        guard k >= 1 && k <= maximumClassCount else {
            throw .invalidParameter(name: "the class count", value: "\(k)", requirement: "1 ... \(maximumClassCount)")
        }
        guard features.count == labels.count * nf else {
            throw .sampleCountMismatch(features: features.count, labels: labels.count, featureCount: nf)
        }
        guard !labels.isEmpty else {
            throw .invalidParameter(name: "the training sample count", value: "0", requirement: "≥ 1")
        }
        try parameters.validate(featureCount: nf)
        if let bad = labels.first(where: { Int($0) >= k }) {
            throw .invalidParameter(name: "a class index", value: "\(bad)", requirement: "0 ..< \(k)")
        }
        if let bad = features.first(where: { !$0.isFinite }) {
            throw .invalidParameter(name: "every feature value", value: "\(bad)", requirement: "finite")
        }
        let n = labels.count
        let quantizer = features.withUnsafeBufferPointer { fb in
            FeatureQuantizer(features: fb.baseAddress!, count: n, featureCount: nf, maximumBins: parameters.maximumBins)
        }
        var bins = [UInt8](repeating: 0, count: n * nf)
        bins.withUnsafeMutableBufferPointer { bb in
            let dst = SendablePointer(bb.baseAddress!)
            features.withUnsafeBufferPointer { fb in
                let src = SendableConstPointer(fb.baseAddress!)
                parallelBands(n, minimumPerBand: 1024) { range in
                    for i in range {
                        for f in 0 ..< nf { dst.base[i * nf + f] = quantizer.bin(src.base[i * nf + f], feature: f) }
                    }
                }
            }
        }
        let treeCount = parameters.treeCount
        var trees = [GrownTree](repeating: GrownTree(nodes: [], leafProbabilities: []), count: treeCount)
        bins.withUnsafeBufferPointer { bb in
            labels.withUnsafeBufferPointer { lb in
                trees.withUnsafeMutableBufferPointer { tb in
                    let slots = SendablePointer(tb.baseAddress!)
                    let data = TrainingData(bins: SendableConstPointer(bb.baseAddress!), labels: SendableConstPointer(lb.baseAddress!),
                                            count: n, featureCount: nf, classCount: k, quantizer: quantizer)
                    parallelBands(treeCount, minimumPerBand: 1) { range in
                        var grower = TreeGrower(data: data, parameters: parameters)
                        defer { grower.deallocate() }
                        for t in range { slots.base[t] = grower.grow(seed: treeSeed(parameters.seed, tree: t)) }
                    }
                }
            }
        }
        // Assemble: leaves renumbered globally in node order.
        var nodes = [Node](), starts = [0], probabilities = [Float]()
        for tree in trees {
            let leafBase = Int32(probabilities.count / k)
            for var node in tree.nodes {
                if node.feature == leafMarker { node.left += leafBase }
                nodes.append(node)
            }
            probabilities += tree.leafProbabilities
            starts.append(nodes.count)
        }
        return RandomForest(featureCount: nf, classCount: k, parameters: parameters, nodes: nodes,
                            treeStarts: starts, leafProbabilities: probabilities)
    }
}

/// The seed of tree `t`: a SplitMix64 output of (forest seed + t·odd constant), so
/// streams of different trees do not overlap (seeds t·γ apart would be shifted copies).
func treeSeed(_ seed: UInt64, tree t: Int) -> UInt64 {
    var g = SplitMix64(seed: seed &+ UInt64(t) &* 0xD1B5_4A32_D192_ED03)
    return g.next()
}

/// One trained tree: nodes (leaf `left` = tree-local leaf number in node order) and its leaf rows.
struct GrownTree: Sendable {
    var nodes: [RandomForest.Node]
    var leafProbabilities: [Float]
}

/// Quantised training samples shared read-only by the tree growers.
struct TrainingData: Sendable {
    /// Sample-major bins: sample i, feature f at `i·featureCount + f`.
    let bins: SendableConstPointer<UInt8>
    let labels: SendableConstPointer<UInt8>
    let count: Int, featureCount: Int, classCount: Int
    let quantizer: FeatureQuantizer
}

/// Grows trees one after another, reusing its buffers (raw buffers: the hot loops run
/// without bounds or uniqueness checks; call ``deallocate()`` when done).
struct TreeGrower {
    let data: TrainingData
    let parameters: RandomForest.Parameters
    let featuresPerNode: Int
    /// Bootstrap sample indices (count = sample count, or more in tests), partitioned in place node by node.
    let samples: UnsafeMutablePointer<Int32>
    let featureOrder: UnsafeMutablePointer<Int>
    let histogram: UnsafeMutablePointer<Int32>
    let keys: UnsafeMutablePointer<UInt16>
    let classCounts: UnsafeMutablePointer<Int32>, leftCounts: UnsafeMutablePointer<Int32>

    init(data: TrainingData, parameters: RandomForest.Parameters, sampleCapacity: Int? = nil) {
        self.data = data
        self.parameters = parameters
        featuresPerNode = parameters.resolvedFeaturesPerNode(featureCount: data.featureCount)
        samples = .allocate(capacity: max(1, sampleCapacity ?? data.count))
        featureOrder = .allocate(capacity: data.featureCount)
        histogram = .allocate(capacity: 256 * data.classCount)
        keys = .allocate(capacity: sortedSplitNodeSize)
        classCounts = .allocate(capacity: data.classCount)
        leftCounts = .allocate(capacity: data.classCount)
        classCounts.initialize(repeating: 0, count: data.classCount)
    }

    func deallocate() {
        samples.deallocate(); featureOrder.deallocate(); histogram.deallocate()
        keys.deallocate(); classCounts.deallocate(); leftCounts.deallocate()
    }

    /// A split candidate: score Σ L²/nL + Σ R²/nR (larger is better) and the cut (left ⇔ bin ≤ cut).
    struct Split { var score: Double; var feature: Int; var cut: Int }

    mutating func grow(seed: UInt64) -> GrownTree {
        var rng = SplitMix64(seed: seed)
        let n = data.count, k = data.classCount
        for i in 0 ..< n { samples[i] = Int32(truncatingIfNeeded: bounded(&rng, n)) }
        for f in 0 ..< data.featureCount { featureOrder[f] = f }
        var nodes = [RandomForest.Node(feature: 0, threshold: 0, left: 0, right: 0)]
        var leafRows = [Float]()           // in creation order
        var leafOfNode = [Int32: Int]()    // node → creation-order leaf
        var stack = [(node: Int, start: Int, end: Int, depth: Int)]()
        stack.append((0, 0, n, 0))
        while let (node, start, end, depth) = stack.popLast() {
            let m = end - start
            for c in 0 ..< k { classCounts[c] = 0 }
            for s in start ..< end { classCounts[Int(data.labels.base[Int(samples[s])])] += 1 }
            var populated = 0
            for c in 0 ..< k where classCounts[c] > 0 { populated += 1 }
            let pure = populated <= 1
            var split: Split? = nil
            if depth < parameters.maximumDepth && m >= 2 * parameters.minimumSamplesPerLeaf && !pure {
                split = findSplit(start: start, end: end, rng: &rng)
            }
            guard let split else {
                leafOfNode[Int32(node)] = leafRows.count / k
                for c in 0 ..< k { leafRows.append(Float(classCounts[c]) / Float(m)) }
                nodes[node] = RandomForest.Node(feature: RandomForest.leafMarker, threshold: 0, left: 0, right: 0)
                continue
            }
            let mid = partition(start: start, end: end, feature: split.feature, cut: split.cut)
            let left = nodes.count
            nodes.append(RandomForest.Node(feature: 0, threshold: 0, left: 0, right: 0))
            nodes.append(RandomForest.Node(feature: 0, threshold: 0, left: 0, right: 0))
            nodes[node] = RandomForest.Node(feature: Int32(split.feature),
                                            threshold: data.quantizer.cuts[split.feature][split.cut],
                                            left: Int32(left), right: Int32(left + 1))
            stack.append((left + 1, mid, end, depth + 1))
            stack.append((left, start, mid, depth + 1))
        }
        // Leaves renumbered in node order (the file format requires it).
        var probabilities = [Float]()
        probabilities.reserveCapacity(leafRows.count)
        for i in nodes.indices where nodes[i].feature == RandomForest.leafMarker {
            let row = leafOfNode[Int32(i)]!
            nodes[i].left = Int32(probabilities.count / k)
            probabilities += leafRows[row * k ..< (row + 1) * k]
        }
        return GrownTree(nodes: nodes, leafProbabilities: probabilities)
    }

    /// Uniform integer in 0 ..< n (Lemire's multiply-high; the bias for n ≪ 2⁶⁴ is negligible).
    @inline(__always)
    func bounded(_ rng: inout SplitMix64, _ n: Int) -> Int {
        Int(rng.next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Moves samples with bin ≤ cut of `feature` to the front of start ..< end; returns the first right index.
    mutating func partition(start: Int, end: Int, feature f: Int, cut: Int) -> Int {
        let nf = data.featureCount, bins = data.bins.base
        var lo = start, hi = end - 1
        while lo <= hi {
            if Int(bins[Int(samples[lo]) * nf + f]) <= cut { lo += 1 } else { let t = samples[lo]; samples[lo] = samples[hi]; samples[hi] = t; hi -= 1 }
        }
        return lo
    }

    /// Best split over a random subset of features (partial Fisher–Yates over `featureOrder`).
    mutating func findSplit(start: Int, end: Int, rng: inout SplitMix64) -> Split? {
        let nf = data.featureCount
        var best: Split? = nil
        var evaluated = 0, i = 0
        while i < nf && evaluated < featuresPerNode {
            let j = i + bounded(&rng, nf - i)
            let swapped = featureOrder[i]; featureOrder[i] = featureOrder[j]; featureOrder[j] = swapped
            let f = featureOrder[i]
            i += 1
            if data.quantizer.cuts[f].isEmpty { continue }   // constant over all samples
            let (constant, candidate) = evaluate(feature: f, start: start, end: end)
            if constant { continue }
            evaluated += 1
            if let c = candidate, best == nil || c.score > best!.score { best = c }
        }
        return best
    }

    /// The best cut of one feature in the node, and whether the feature is constant there.
    mutating func evaluate(feature f: Int, start: Int, end: Int) -> (constant: Bool, best: Split?) {
        let k = data.classCount, nf = data.featureCount, m = end - start
        let bins = data.bins.base, labels = data.labels.base
        let minLeaf = parameters.minimumSamplesPerLeaf
        var best: Split? = nil
        var nonEmpty = 0, previous = -1, nLeft = 0
        for c in 0 ..< k { leftCounts[c] = 0 }
        // Scores the split between bin `previous` and bin `b` (left = bins ≤ previous).
        func consider(_ b: Int) {
            let nRight = m - nLeft
            guard nLeft >= minLeaf && nRight >= minLeaf else { return }
            var sl = 0.0, sr = 0.0
            for c in 0 ..< k {
                let l = Double(leftCounts[c]), r = Double(classCounts[c]) - l
                sl += l * l
                sr += r * r
            }
            let score = sl / Double(nLeft) + sr / Double(nRight)
            if best == nil || score > best!.score { best = Split(score: score, feature: f, cut: (previous + b - 1) / 2) }
        }
        if m < sortedSplitNodeSize {
            for s in 0 ..< m {
                let i = Int(samples[start + s])
                keys[s] = UInt16(bins[i * nf + f]) << 8 | UInt16(labels[i])
            }
            for s in 1 ..< max(1, m) {          // insertion sort of ≤ 63 keys
                let key = keys[s]
                var t = s - 1
                while t >= 0 && keys[t] > key { keys[t + 1] = keys[t]; t -= 1 }
                keys[t + 1] = key
            }
            var s = 0
            while s < m {
                let b = Int(keys[s] >> 8)
                if previous >= 0 { consider(b) }
                while s < m && Int(keys[s] >> 8) == b {
                    leftCounts[Int(keys[s] & 0xFF)] += 1
                    nLeft += 1
                    s += 1
                }
                previous = b
                nonEmpty += 1
            }
        } else {
            let nb = data.quantizer.cuts[f].count + 1
            for i in 0 ..< nb * k { histogram[i] = 0 }
            for s in start ..< end {
                let i = Int(samples[s])
                histogram[Int(bins[i * nf + f]) * k + Int(labels[i])] += 1
            }
            for b in 0 ..< nb {
                var total: Int32 = 0
                for c in 0 ..< k { total += histogram[b * k + c] }
                if total == 0 { continue }
                if previous >= 0 { consider(b) }
                for c in 0 ..< k { leftCounts[c] += histogram[b * k + c] }
                nLeft += Int(total)
                previous = b
                nonEmpty += 1
            }
        }
        return (nonEmpty <= 1, best)
    }
}
